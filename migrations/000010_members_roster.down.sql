DROP TABLE member_imports;
ALTER TABLE member_events DROP COLUMN letter_no, DROP COLUMN place;
