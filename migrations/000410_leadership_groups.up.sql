-- Leadership groups (issue 18, rules.md §6): a democratic-life meeting
-- (民主生活会) belongs to a leadership group (党组, 党委常委会 or the
-- agency's leading body), not to a branch or to the committee itself. The
-- group belongs to the agency committee it reports through; its members are
-- roster members who keep their branch membership (双重组织生活, 第三条).

CREATE TABLE leadership_groups (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    committee_id bigint NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('party_group', 'standing_committee', 'leading_body')),
    name         text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 100),
    version      integer NOT NULL DEFAULT 1,
    UNIQUE (committee_id, name),
    -- the target of life_meetings' (group_id, org_id) key
    UNIQUE (id, committee_id)
);

-- A group belongs to an organisation of kind committee.
CREATE FUNCTION leadership_group_committee_check() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM organisations WHERE id = NEW.committee_id AND kind = 'committee') THEN
        RAISE EXCEPTION 'leadership group % must belong to a committee, not organisation %', NEW.name, NEW.committee_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'leadership_groups_committee_kind';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER leadership_groups_committee_kind BEFORE INSERT OR UPDATE OF committee_id ON leadership_groups
    FOR EACH ROW EXECUTE FUNCTION leadership_group_committee_check();

-- A member of the group from from_on to to_on (its last day; NULL while in
-- office). The exclusion constraints compare the ids as one-point ranges,
-- which GiST indexes without the btree_gist extension: one person holds
-- one membership of a group on any day, and a group has one secretary on
-- any day.
CREATE TABLE leadership_group_members (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    group_id  bigint NOT NULL REFERENCES leadership_groups (id) ON DELETE CASCADE,
    member_id bigint NOT NULL REFERENCES members (id),
    role      text NOT NULL CHECK (role IN ('secretary', 'deputy', 'member')),
    from_on   date NOT NULL,
    to_on     date,
    version   integer NOT NULL DEFAULT 1,
    CHECK (to_on IS NULL OR to_on >= from_on),
    CONSTRAINT leadership_group_members_no_overlap EXCLUDE USING gist (
        int8range(group_id, group_id, '[]') WITH &&, int8range(member_id, member_id, '[]') WITH &&,
        daterange(from_on, to_on, '[]') WITH &&),
    CONSTRAINT leadership_group_members_one_secretary EXCLUDE USING gist (
        int8range(group_id, group_id, '[]') WITH &&, daterange(from_on, to_on, '[]') WITH &&) WHERE (role = 'secretary')
);
CREATE INDEX leadership_group_members_group_idx ON leadership_group_members (group_id, from_on);
CREATE INDEX leadership_group_members_member_idx ON leadership_group_members (member_id);

-- A democratic-life meeting hangs on a group; org_id stays the group's
-- committee (the key below holds them together), so scopes and paths work
-- as before. An organisational-life meeting has no group.
ALTER TABLE life_meetings ADD COLUMN group_id bigint;
CREATE INDEX life_meetings_group_idx ON life_meetings (group_id, org_id);

-- Existing data: one group per committee that has democratic-life
-- meetings, a 党组 named after the committee ("<committee name>党组");
-- each of those meetings moves to it and keeps its participants. The
-- group's members are not guessed from old participants: the committee
-- enters them on the group's page.
INSERT INTO leadership_groups (committee_id, kind, name)
SELECT DISTINCT l.org_id, 'party_group', left(o.name, 98) || '党组'
  FROM life_meetings l JOIN organisations o ON o.id = l.org_id
 WHERE l.kind = 'democratic_life';
UPDATE life_meetings l SET group_id = g.id
  FROM leadership_groups g
 WHERE l.kind = 'democratic_life' AND g.committee_id = l.org_id;

ALTER TABLE life_meetings
    ADD CONSTRAINT life_meetings_group_fk FOREIGN KEY (group_id, org_id) REFERENCES leadership_groups (id, committee_id),
    ADD CONSTRAINT life_meetings_group_kind CHECK ((kind = 'democratic_life') = (group_id IS NOT NULL)),
    DROP CONSTRAINT life_meetings_org_id_kind_year_key;
-- One organisational-life meeting a year per branch, one democratic-life
-- meeting a year per group (a committee may have a 党组 and a 常委会).
CREATE UNIQUE INDEX life_meetings_org_year_key ON life_meetings (org_id, year) WHERE kind = 'org_life';
CREATE UNIQUE INDEX life_meetings_group_year_key ON life_meetings (group_id, year) WHERE group_id IS NOT NULL;
