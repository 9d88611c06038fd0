-- Exemplary practices (典型经验) and Party work serving the agency's
-- central work (服务中心), owned by internal/cases: vanguard posts, model
-- posts and task forces with each member's public commitment (承诺) and
-- what was delivered (践诺); cases a branch submits (resting on its meeting
-- records, perhaps grown from a post), approved or returned, tagged and
-- featured by the committee. No photos: text only.
CREATE TABLE vanguard_posts (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id  bigint NOT NULL REFERENCES organisations (id),
    kind       text NOT NULL CHECK (kind IN ('vanguard_post', 'model_post', 'task_force')),
    name       text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    task       text NOT NULL CHECK (length(btrim(task)) BETWEEN 1 AND 2000),
    started_on date NOT NULL,
    ended_on   date,
    created_at timestamptz NOT NULL DEFAULT now(),
    version    integer NOT NULL DEFAULT 1,
    CHECK (ended_on IS NULL OR ended_on >= started_on)
);
CREATE INDEX vanguard_posts_branch_idx ON vanguard_posts (branch_id, started_on DESC);

CREATE TABLE vanguard_members (
    post_id    bigint NOT NULL REFERENCES vanguard_posts (id) ON DELETE CASCADE,
    member_id  bigint NOT NULL REFERENCES members (id),
    commitment text NOT NULL CHECK (length(btrim(commitment)) BETWEEN 1 AND 1000),
    delivered  text NOT NULL DEFAULT '' CHECK (length(delivered) <= 2000),
    PRIMARY KEY (post_id, member_id)
);
CREATE INDEX vanguard_members_member_idx ON vanguard_members (member_id);

CREATE TABLE cases (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id    bigint NOT NULL REFERENCES organisations (id),
    post_id      bigint REFERENCES vanguard_posts (id),
    title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 20000),
    status       text NOT NULL DEFAULT 'submitted' CHECK (status IN ('submitted', 'approved', 'returned')),
    tags         text[] NOT NULL DEFAULT '{}',
    featured     boolean NOT NULL DEFAULT false,
    review_note  text NOT NULL DEFAULT '' CHECK (length(review_note) <= 1000),
    submitted_at timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    version      integer NOT NULL DEFAULT 1,
    CHECK (NOT featured OR status = 'approved'),
    CHECK ((status = 'submitted') = (decided_at IS NULL)),
    CHECK (cardinality(tags) <= 10)
);
CREATE INDEX cases_branch_idx ON cases (branch_id);
CREATE INDEX cases_post_idx ON cases (post_id);
CREATE INDEX cases_status_idx ON cases (status, featured, submitted_at DESC);

CREATE TABLE case_meetings (
    case_id    bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    PRIMARY KEY (case_id, meeting_id)
);
CREATE INDEX case_meetings_meeting_idx ON case_meetings (meeting_id);
