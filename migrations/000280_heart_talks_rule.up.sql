-- The yearly heart-to-heart talks as a compliance rule (《中国共产党支部工作条例（试行）》
-- 第十九条: committee members talk with each member, normally at least once a year).
ALTER TABLE rules DROP CONSTRAINT rules_kind_check;
ALTER TABLE rules ADD CONSTRAINT rules_kind_check CHECK (kind IN ('meetings', 'quorum', 'study_hours', 'appraisal', 'org_life', 'term', 'probation', 'inactivity', 'rectification', 'branch_size', 'dues', 'talks'));
INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, maximum, title, source, builtin, effective_from) VALUES
 ('heart_talks', 'talks', NULL, 'committee', 'year', 1, NULL, '支委会成员每年同每名党员至少谈心谈话1次', '《中国共产党支部工作条例（试行）》第十九条', true, '2018-10-28');

-- A talk recorded, changed or removed changes its branch's results.
CREATE FUNCTION branch_status_talks_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP <> 'DELETE' THEN
        PERFORM branch_status_touch(ARRAY[NEW.branch_id]);
    END IF;
    IF TG_OP <> 'INSERT' THEN
        PERFORM branch_status_touch(ARRAY[OLD.branch_id]);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER branch_status_talks AFTER INSERT OR UPDATE OR DELETE ON talks
    FOR EACH ROW EXECUTE FUNCTION branch_status_talks_changed();
