-- Mutual assessment and optimistic locking for appraisal results; a version
-- on appraisals for closing them.
ALTER TABLE appraisal_results
    ADD COLUMN mutual_assessment text NOT NULL DEFAULT '' CHECK (length(mutual_assessment) <= 5000),
    ADD COLUMN version integer NOT NULL DEFAULT 1;
ALTER TABLE appraisals ADD COLUMN version integer NOT NULL DEFAULT 1;
