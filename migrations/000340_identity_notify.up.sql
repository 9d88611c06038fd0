-- Issue 24: every Zhibu instance may keep the signed-in identity of a
-- session in memory for up to a second (internal/auth IdentityCache). These
-- triggers tell every instance, through NOTIFY on the channel
-- zhibu_identity, which account's identity changed, whoever changed it (the
-- application, the command line or an operator's SQL). The payload is the
-- account id, or '*' for a change that concerns every account. A
-- notification is sent at commit, and only then.

CREATE FUNCTION notify_identity_account() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('zhibu_identity', OLD.id::text);
    ELSE
        PERFORM pg_notify('zhibu_identity', NEW.id::text);
    END IF;
    RETURN NULL;
END $$;

-- Only the columns a signed-in identity is made of (sign-in's failure
-- count is not, nor the TOTP step): a sign-in does not flush the caches.
CREATE TRIGGER accounts_identity_upd AFTER UPDATE ON accounts FOR EACH ROW
    WHEN ((OLD.username, OLD.display_name, OLD.password_hash, OLD.member_id, OLD.language,
           OLD.must_change_password, OLD.password_changed_at, OLD.locked_until, OLD.totp_secret,
           OLD.demo, OLD.disabled_at)
          IS DISTINCT FROM
          (NEW.username, NEW.display_name, NEW.password_hash, NEW.member_id, NEW.language,
           NEW.must_change_password, NEW.password_changed_at, NEW.locked_until, NEW.totp_secret,
           NEW.demo, NEW.disabled_at))
    EXECUTE FUNCTION notify_identity_account();
CREATE TRIGGER accounts_identity_del AFTER DELETE ON accounts FOR EACH ROW
    EXECUTE FUNCTION notify_identity_account();

CREATE FUNCTION notify_identity_of_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM pg_notify('zhibu_identity', OLD.account_id::text);
    ELSE
        PERFORM pg_notify('zhibu_identity', NEW.account_id::text);
        IF TG_OP = 'UPDATE' AND OLD.account_id <> NEW.account_id THEN
            PERFORM pg_notify('zhibu_identity', OLD.account_id::text);
        END IF;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER account_roles_identity AFTER INSERT OR UPDATE OR DELETE ON account_roles FOR EACH ROW
    EXECUTE FUNCTION notify_identity_of_row();
-- A session ended (sign-out, ended by an administrator, rotated after a
-- password change, purged); a new session needs no notice, nor the idle
-- timer's refresh.
CREATE TRIGGER sessions_identity_del AFTER DELETE ON sessions FOR EACH ROW
    EXECUTE FUNCTION notify_identity_of_row();

-- The password's maximum age is part of every identity (a password past it
-- must be changed first).
CREATE FUNCTION notify_identity_all() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('zhibu_identity', '*');
    RETURN NULL;
END $$;
CREATE TRIGGER security_settings_identity AFTER INSERT OR UPDATE OR DELETE ON security_settings FOR EACH STATEMENT
    EXECUTE FUNCTION notify_identity_all();
