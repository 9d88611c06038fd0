DROP TABLE IF EXISTS study_credits;
DROP TABLE IF EXISTS meeting_attachments;
DROP TABLE IF EXISTS attendance;
DROP TABLE IF EXISTS meeting_revisions;
DROP TABLE IF EXISTS meetings;
