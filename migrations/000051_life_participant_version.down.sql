ALTER TABLE life_participants DROP COLUMN version;
