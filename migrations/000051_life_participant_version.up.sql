-- A version on each participant's own material (self-examination date and
-- self-criticism), so that two people editing it cannot overwrite each other.
ALTER TABLE life_participants ADD COLUMN version integer NOT NULL DEFAULT 1;
