-- Issue 24: every instance keeps each person's unread count for the
-- navigation bar (notify's unreadCache). A notification written, read or
-- removed anywhere tells every instance, at commit, whose count changed
-- (NOTIFY zhibu_unread with the account id), so a count read on one
-- instance is not left standing on another.
CREATE FUNCTION notify_unread() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('zhibu_unread', OLD.account_id::text);
    ELSE
        PERFORM pg_notify('zhibu_unread', NEW.account_id::text);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER notifications_unread_ins AFTER INSERT OR DELETE ON notifications FOR EACH ROW
    EXECUTE FUNCTION notify_unread();
CREATE TRIGGER notifications_unread_upd AFTER UPDATE OF read_at ON notifications FOR EACH ROW
    WHEN (OLD.read_at IS DISTINCT FROM NEW.read_at)
    EXECUTE FUNCTION notify_unread();
