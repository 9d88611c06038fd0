-- Sign-ins at the door (QR code or six-digit code), owned by
-- internal/meeting: who signed in when; attendance holds the result.
CREATE TABLE checkins (
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id  bigint NOT NULL REFERENCES members (id),
    at         timestamptz NOT NULL DEFAULT now(),
    method     text NOT NULL CHECK (method IN ('qr', 'code')),
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX checkins_member_idx ON checkins (member_id);

-- How long before a meeting's start the sign-in opens (minutes).
ALTER TABLE meeting_settings DROP CONSTRAINT meeting_settings_key_check;
ALTER TABLE meeting_settings ADD CONSTRAINT meeting_settings_key_check
    CHECK (key IN ('late_entry_days', 'study_min_member', 'study_min_cadre', 'checkin_open_minutes'));
INSERT INTO meeting_settings (key, value) VALUES ('checkin_open_minutes', 30);
