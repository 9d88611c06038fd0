-- Rules per subtree (issue 18): a version of a rule may be scoped to an
-- organisation (org_id) and then applies to the branches under it; NULL is
-- the agency-wide default kept by the system administrator. For a branch
-- and a day the version in force whose organisation is the deepest
-- ancestor-or-self of the branch applies, else the default (rules.Resolver).
-- Versions stay as they are: a change closes the scope's current version
-- and inserts the next; removing an override closes it, so the parent's
-- applies from that day. One current version per (code, scope).
ALTER TABLE rules ADD COLUMN org_id bigint REFERENCES organisations (id);
CREATE INDEX rules_org_idx ON rules (org_id) WHERE org_id IS NOT NULL;

-- Which meeting kinds count toward a meetings rule: NULL counts the rule's
-- own meeting_kind only (every version before this migration); a set names
-- every kind that counts. meeting_kind stays the rule's identity (links,
-- labels and the per-group count read it), so nothing else changes.
ALTER TABLE rules ADD COLUMN counted_kinds text[]
    CHECK (counted_kinds IS NULL OR (kind = 'meetings' AND cardinality(counted_kinds) BETWEEN 1 AND 11
           AND counted_kinds <@ ARRAY['general', 'committee', 'group', 'lecture', 'party_day', 'study', 'org_life', 'appraisal', 'talks', 'democratic_life', 'other']::text[]));

-- The uniqueness of versions is per scope now.
ALTER TABLE rules DROP CONSTRAINT rules_code_effective_from_key;
CREATE UNIQUE INDEX rules_scope_from_uq ON rules (code, coalesce(org_id, 0), effective_from);
DROP INDEX rules_current_uq;
CREATE UNIQUE INDEX rules_current_uq ON rules (code, coalesce(org_id, 0)) WHERE effective_to IS NULL;
-- An override is a version of a default rule, never a rule of its own.
CREATE INDEX rules_code_default_idx ON rules (code) WHERE org_id IS NULL;

-- A change of an override changes the results of the branches under its
-- organisation only: they are marked stale (the rules stamp of
-- internal/review counts the defaults alone, so an override does not
-- recompute the whole agency). Named branch_status_*, so the bulk loader
-- switches it off with the other status triggers.
CREATE FUNCTION branch_status_rules_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.org_id IS NOT NULL THEN
        PERFORM branch_status_touch(ARRAY(SELECT o.id FROM organisations o
                                           WHERE o.kind = 'branch' AND o.path @> ARRAY[NEW.org_id]));
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER branch_status_rules AFTER INSERT OR UPDATE ON rules
    FOR EACH ROW EXECUTE FUNCTION branch_status_rules_changed();
