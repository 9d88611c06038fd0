-- Study-hour minimums (issue 18).
--
-- * A member who joined the Party or was transferred in during the year is
--   held to the yearly minimum pro rata, by the months of the year the
--   member belonged to the branch (rules.StudyMonths; nothing to store).
-- * Self-study (study_credits.kind = 'self') counts toward the minimum only
--   where the agency's setting says so; 《党员教育管理工作条例》第二十条
--   speaks of concentrated study and training, so by default it does not.
ALTER TABLE review_settings ADD COLUMN self_study_counts boolean NOT NULL DEFAULT false;

CREATE INDEX study_credits_self_idx ON study_credits (member_id, earned_on) WHERE kind = 'self';

-- The study minimums are the study-hours rules (rules table, versioned and
-- cited); the rows study_min_member and study_min_cadre of meeting_settings
-- are no longer read (kept: a migration loses no row).
