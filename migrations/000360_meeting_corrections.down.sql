ALTER TABLE meeting_attachments DROP COLUMN kind;
DROP TABLE meeting_corrections;
