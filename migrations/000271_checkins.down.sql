DELETE FROM meeting_settings WHERE key = 'checkin_open_minutes';
ALTER TABLE meeting_settings DROP CONSTRAINT meeting_settings_key_check;
ALTER TABLE meeting_settings ADD CONSTRAINT meeting_settings_key_check
    CHECK (key IN ('late_entry_days', 'study_min_member', 'study_min_cadre'));
DROP TABLE checkins;
