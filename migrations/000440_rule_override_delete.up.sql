-- An override not yet in force may be deleted outright (rules.RemoveOverride);
-- the branches under its organisation are then marked stale as on a change.
CREATE OR REPLACE FUNCTION branch_status_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    org bigint;
BEGIN
    IF TG_OP = 'DELETE' THEN
        org := OLD.org_id;
    ELSE
        org := NEW.org_id;
    END IF;
    IF org IS NOT NULL THEN
        PERFORM branch_status_touch(ARRAY(SELECT o.id FROM organisations o
                                           WHERE o.kind = 'branch' AND o.path @> ARRAY[org]));
    END IF;
    RETURN NULL;
END $$;
DROP TRIGGER branch_status_rules ON rules;
CREATE TRIGGER branch_status_rules AFTER INSERT OR UPDATE OR DELETE ON rules
    FOR EACH ROW EXECUTE FUNCTION branch_status_rules_changed();
