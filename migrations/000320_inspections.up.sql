-- Inspections by the agency committee (督促检查), owned by internal/inspect:
-- a plan over a set of branches with a checklist (prefilled from the rules
-- in force), findings per branch and item, and for an item not met a
-- rectification notice: a row of the branch's rectification list
-- (rectification_items, written by internal/life) the committee closes.
CREATE TABLE inspections (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    committee_id bigint NOT NULL REFERENCES organisations (id),
    title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    starts_on    date NOT NULL,
    ends_on      date NOT NULL,
    status       text NOT NULL DEFAULT 'planned' CHECK (status IN ('planned', 'in_progress', 'findings_issued', 'closed')),
    issued_on    date,
    closed_on    date,
    created_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CHECK (ends_on >= starts_on),
    CHECK ((status IN ('findings_issued', 'closed')) = (issued_on IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL))
);
CREATE INDEX inspections_committee_idx ON inspections (committee_id, starts_on DESC);

CREATE TABLE inspection_items (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id bigint NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    position      integer NOT NULL CHECK (position > 0),
    title         text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    source        text NOT NULL DEFAULT '' CHECK (length(source) <= 300),
    rule_code     text,
    UNIQUE (inspection_id, position)
);

CREATE TABLE inspection_branches (
    inspection_id bigint NOT NULL REFERENCES inspections (id) ON DELETE CASCADE,
    branch_id     bigint NOT NULL REFERENCES organisations (id),
    PRIMARY KEY (inspection_id, branch_id)
);
CREATE INDEX inspection_branches_branch_idx ON inspection_branches (branch_id);

CREATE TABLE inspection_findings (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    inspection_id    bigint NOT NULL,
    branch_id        bigint NOT NULL,
    item_id          bigint NOT NULL REFERENCES inspection_items (id) ON DELETE CASCADE,
    met              boolean NOT NULL,
    note             text NOT NULL DEFAULT '' CHECK (length(note) <= 1000),
    -- the rectification notice: set when the findings are issued (not met only)
    rectification_id bigint REFERENCES rectification_items (id),
    deadline         date,
    closed_on        date,
    closing_note     text NOT NULL DEFAULT '' CHECK (length(closing_note) <= 1000),
    version          integer NOT NULL DEFAULT 1,
    FOREIGN KEY (inspection_id, branch_id) REFERENCES inspection_branches (inspection_id, branch_id) ON DELETE CASCADE,
    UNIQUE (inspection_id, branch_id, item_id),
    CHECK (met OR length(btrim(note)) > 0),
    CHECK (NOT met OR rectification_id IS NULL),
    CHECK ((rectification_id IS NULL) = (deadline IS NULL)),
    CHECK (closed_on IS NULL OR rectification_id IS NOT NULL)
);
CREATE INDEX inspection_findings_branch_idx ON inspection_findings (branch_id);
CREATE INDEX inspection_findings_item_idx ON inspection_findings (item_id);
CREATE INDEX inspection_findings_rect_idx ON inspection_findings (rectification_id);
