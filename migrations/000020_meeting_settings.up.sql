-- meeting_settings: the agency's numbers for meetings and study hours that
-- are not yet part of the rule sets: how many days after a meeting an entry
-- counts as late (补录), and the yearly study-hour minimums.
CREATE TABLE meeting_settings (
    key   text PRIMARY KEY CHECK (key IN ('late_entry_days', 'study_min_member', 'study_min_cadre')),
    value numeric(6,1) NOT NULL CHECK (value >= 0 AND value <= 1000)
);
INSERT INTO meeting_settings (key, value) VALUES
    ('late_entry_days', 7),
    ('study_min_member', 32),
    ('study_min_cadre', 56);

CREATE INDEX meetings_status_starts_idx ON meetings (status, starts_at);
