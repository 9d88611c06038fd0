DROP INDEX IF EXISTS meetings_status_starts_idx;
DROP TABLE IF EXISTS meeting_settings;
