ALTER TABLE appraisals DROP COLUMN version;
ALTER TABLE appraisal_results DROP COLUMN version, DROP COLUMN mutual_assessment;
