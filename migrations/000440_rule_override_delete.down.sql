DROP TRIGGER branch_status_rules ON rules;
CREATE OR REPLACE FUNCTION branch_status_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id IS NOT NULL THEN
        PERFORM branch_status_touch(ARRAY(SELECT o.id FROM organisations o
                                           WHERE o.kind = 'branch' AND o.path @> ARRAY[NEW.org_id]));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER branch_status_rules AFTER INSERT OR UPDATE ON rules
    FOR EACH ROW EXECUTE FUNCTION branch_status_rules_changed();
