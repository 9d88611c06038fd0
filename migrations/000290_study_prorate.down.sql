DROP INDEX study_credits_self_idx;
ALTER TABLE review_settings DROP COLUMN self_study_counts;
