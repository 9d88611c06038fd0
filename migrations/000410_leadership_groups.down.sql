-- Back to democratic-life meetings of the committee. Fails (unique key)
-- when one committee held two groups' meetings in the same year, rather
-- than drop one of them.
DROP INDEX life_meetings_group_year_key;
DROP INDEX life_meetings_org_year_key;
ALTER TABLE life_meetings
    DROP CONSTRAINT life_meetings_group_kind,
    DROP CONSTRAINT life_meetings_group_fk,
    ADD CONSTRAINT life_meetings_org_id_kind_year_key UNIQUE (org_id, kind, year);
DROP INDEX life_meetings_group_idx;
ALTER TABLE life_meetings DROP COLUMN group_id;
DROP TABLE leadership_group_members;
DROP TABLE leadership_groups;
DROP FUNCTION leadership_group_committee_check();
