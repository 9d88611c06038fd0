-- Democratic-life and organisational-life meetings, rectification items,
-- appraisals, talks and commendations.

CREATE TABLE life_meetings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('democratic_life', 'org_life')),
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    theme        text NOT NULL CHECK (length(btrim(theme)) BETWEEN 1 AND 300),
    meeting_id   bigint UNIQUE REFERENCES meetings (id),
    status       text NOT NULL DEFAULT 'preparing' CHECK (status IN ('preparing', 'held', 'submitted')),
    submitted_at timestamptz,
    version      integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, kind, year),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);

CREATE TABLE life_participants (
    life_id          bigint NOT NULL REFERENCES life_meetings (id) ON DELETE CASCADE,
    member_id        bigint NOT NULL REFERENCES members (id),
    self_exam_on     date,
    self_criticism   text NOT NULL DEFAULT '' CHECK (length(self_criticism) <= 20000),
    PRIMARY KEY (life_id, member_id)
);
CREATE INDEX life_participants_member_idx ON life_participants (member_id);

CREATE TABLE life_steps (
    id       bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    life_id  bigint NOT NULL REFERENCES life_meetings (id) ON DELETE CASCADE,
    kind     text NOT NULL CHECK (kind IN ('study', 'opinions', 'talks', 'self_exam', 'other')),
    done_on  date,
    evidence text NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000)
);
CREATE INDEX life_steps_life_idx ON life_steps (life_id);

CREATE TABLE life_opinions (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    life_id     bigint NOT NULL REFERENCES life_meetings (id) ON DELETE CASCADE,
    source_type text NOT NULL CHECK (source_type IN ('members', 'masses', 'superior', 'discipline', 'other')),
    content     text NOT NULL CHECK (length(btrim(content)) BETWEEN 1 AND 2000),
    received_on date NOT NULL
);
CREATE INDEX life_opinions_life_idx ON life_opinions (life_id);

CREATE TABLE criticisms (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    life_id   bigint NOT NULL REFERENCES life_meetings (id) ON DELETE CASCADE,
    from_id   bigint NOT NULL REFERENCES members (id),
    to_id     bigint NOT NULL REFERENCES members (id),
    content   text NOT NULL CHECK (length(btrim(content)) BETWEEN 1 AND 5000),
    CHECK (from_id <> to_id)
);
CREATE INDEX criticisms_life_idx ON criticisms (life_id);
CREATE INDEX criticisms_from_idx ON criticisms (from_id);
CREATE INDEX criticisms_to_idx ON criticisms (to_id);

CREATE TABLE rectification_items (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id    bigint NOT NULL REFERENCES organisations (id),
    life_id   bigint REFERENCES life_meetings (id),
    problem   text NOT NULL CHECK (length(btrim(problem)) BETWEEN 1 AND 1000),
    measure   text NOT NULL DEFAULT '' CHECK (length(measure) <= 2000),
    owner_id  bigint REFERENCES members (id),
    deadline  date NOT NULL,
    status    text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'in_progress', 'done')),
    done_on   date,
    evidence  text NOT NULL DEFAULT '' CHECK (length(evidence) <= 2000),
    version   integer NOT NULL DEFAULT 1,
    CHECK ((status = 'done') = (done_on IS NOT NULL))
);
CREATE INDEX rectification_items_org_idx ON rectification_items (org_id, deadline);
CREATE INDEX rectification_items_life_idx ON rectification_items (life_id);
CREATE INDEX rectification_items_owner_idx ON rectification_items (owner_id);

CREATE TABLE appraisals (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id  bigint NOT NULL REFERENCES organisations (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    held_on    date,
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    UNIQUE (branch_id, year)
);

CREATE TABLE appraisal_results (
    appraisal_id   bigint NOT NULL REFERENCES appraisals (id) ON DELETE CASCADE,
    member_id      bigint NOT NULL REFERENCES members (id),
    self_assessment text NOT NULL DEFAULT '' CHECK (length(self_assessment) <= 5000),
    result         text CHECK (result IN ('excellent', 'qualified', 'basic', 'unqualified')),
    votes_excellent integer NOT NULL DEFAULT 0 CHECK (votes_excellent >= 0),
    votes_qualified integer NOT NULL DEFAULT 0 CHECK (votes_qualified >= 0),
    votes_basic     integer NOT NULL DEFAULT 0 CHECK (votes_basic >= 0),
    votes_unqualified integer NOT NULL DEFAULT 0 CHECK (votes_unqualified >= 0),
    followup        text NOT NULL DEFAULT '' CHECK (length(followup) <= 5000),
    followup_due    date,
    PRIMARY KEY (appraisal_id, member_id),
    CHECK (result IS DISTINCT FROM 'unqualified' OR (length(btrim(followup)) > 0 AND followup_due IS NOT NULL))
);
CREATE INDEX appraisal_results_member_idx ON appraisal_results (member_id);

CREATE TABLE talks (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id bigint NOT NULL REFERENCES organisations (id),
    held_on   date NOT NULL,
    a_id      bigint NOT NULL REFERENCES members (id),
    b_id      bigint NOT NULL REFERENCES members (id),
    topic     text NOT NULL CHECK (length(btrim(topic)) BETWEEN 1 AND 200),
    summary   text NOT NULL DEFAULT '' CHECK (length(summary) <= 5000),
    CHECK (a_id <> b_id)
);
CREATE INDEX talks_branch_idx ON talks (branch_id, held_on);
CREATE INDEX talks_a_idx ON talks (a_id);
CREATE INDEX talks_b_idx ON talks (b_id);

CREATE TABLE commendations (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    title       text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 100),
    level       text NOT NULL CHECK (level IN ('branch', 'committee', 'province', 'national')),
    granted_on  date NOT NULL,
    issuer      text NOT NULL CHECK (length(btrim(issuer)) BETWEEN 1 AND 200),
    document_no text NOT NULL DEFAULT '' CHECK (length(document_no) <= 100),
    citation    text NOT NULL DEFAULT '' CHECK (length(citation) <= 2000),
    member_id   bigint REFERENCES members (id),
    org_id      bigint REFERENCES organisations (id),
    status      text NOT NULL DEFAULT 'granted' CHECK (status IN ('nominated', 'granted')),
    CHECK ((member_id IS NULL) <> (org_id IS NULL))
);
CREATE INDEX commendations_member_idx ON commendations (member_id);
CREATE INDEX commendations_org_idx ON commendations (org_id);
CREATE INDEX commendations_granted_idx ON commendations (granted_on);
