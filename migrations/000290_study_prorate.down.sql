INSERT INTO meeting_settings (key, value) VALUES ('study_min_member', 32), ('study_min_cadre', 56) ON CONFLICT (key) DO NOTHING;
DROP INDEX study_credits_self_idx;
ALTER TABLE review_settings DROP COLUMN self_study_counts;
