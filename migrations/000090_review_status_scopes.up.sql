-- Keeping the committee dashboard cheap to check for changes.
--
-- branch_status_scopes: a subtree (roots) and period whose branch_status
-- rows were all written on computed_on under rules_stamp, verified at
-- verified_at. While that holds, and the set of live branches has not
-- changed since (branch_status_marks), a dashboard only needs the rows
-- marked stale, found through branch_status_stale_idx, instead of checking
-- every branch of the subtree.
CREATE TABLE branch_status_scopes (
    period      text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    roots       bigint[] NOT NULL CHECK (cardinality(roots) > 0),
    computed_on date NOT NULL,
    rules_stamp bigint NOT NULL,
    verified_at timestamptz NOT NULL,
    PRIMARY KEY (period, roots)
);

-- branch_status_marks (one row): when branches last appeared, went, or
-- moved; version counts every change to the set of branches and every
-- batch of branch_status rows written (the recompute bumps it in the
-- same transaction), so a summary read together with the version it saw
-- stays exact while the version does.
CREATE TABLE branch_status_marks (
    id                  integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    branches_changed_at timestamptz NOT NULL,
    version             bigint NOT NULL DEFAULT 0
);
INSERT INTO branch_status_marks (id, branches_changed_at) VALUES (1, clock_timestamp());

CREATE FUNCTION branch_status_branches_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE branch_status_marks SET branches_changed_at = clock_timestamp(), version = version + 1 WHERE id = 1;
    RETURN NULL;
END $$;

-- branch_status_summaries: a subtree's dashboard summary for a period
-- (branches by worst status, results by status, the chart's months), as
-- of marks.version.
CREATE TABLE branch_status_summaries (
    period  text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    roots   bigint[] NOT NULL CHECK (cardinality(roots) > 0),
    version bigint NOT NULL,
    figures integer[] NOT NULL,
    PRIMARY KEY (period, roots)
);
CREATE TRIGGER branch_status_branches AFTER INSERT OR DELETE OR UPDATE OF kind, parent_id, dissolved_on ON organisations
    FOR EACH STATEMENT EXECUTE FUNCTION branch_status_branches_changed();

-- The stale rows of a period, without reading the others.
CREATE INDEX branch_status_stale_idx ON branch_status (period, branch_id) WHERE stale;

-- The narrow columns of branch_status (the cells make a row about 1.5 kB):
-- sorting a subtree's rows for a page and computing its summary read this
-- index (an index-only scan, about a sixth of the table's pages) instead
-- of the table.
CREATE INDEX branch_status_narrow_idx ON branch_status (period, branch_id)
    INCLUDE (worst, n_met, n_pending, n_due_soon, n_missed, att_num, att_den, study_num, study_den,
             open_items, overdue_items, chart_met, chart_checked);
