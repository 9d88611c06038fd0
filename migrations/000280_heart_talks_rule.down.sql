DROP TRIGGER IF EXISTS branch_status_talks ON talks;
DROP FUNCTION IF EXISTS branch_status_talks_changed();
DELETE FROM rules WHERE kind = 'talks';
ALTER TABLE rules DROP CONSTRAINT rules_kind_check;
ALTER TABLE rules ADD CONSTRAINT rules_kind_check CHECK (kind IN ('meetings', 'quorum', 'study_hours', 'appraisal', 'org_life', 'term', 'probation', 'inactivity', 'rectification', 'branch_size', 'dues'));
