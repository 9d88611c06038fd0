-- The year's work plan (总体规划, issue 23): a committee publishes its key
-- points (工作要点) as tasks for the branches of its subtree; a branch adds
-- its own items under them. Each target branch gets one answer row when the
-- task is published, so the state of a task for a branch is one row.
CREATE TABLE plan_tasks (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    -- the issuer: the committee (or general branch) for its subtree, or a
    -- branch for its own items
    org_id       bigint NOT NULL REFERENCES organisations (id),
    -- a branch's own item may hang under one of the committee's tasks
    parent_id    bigint REFERENCES plan_tasks (id),
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    description  text NOT NULL DEFAULT '' CHECK (length(description) <= 4000),
    due_on       date NOT NULL,
    -- who must answer: every branch of the subtree, the branches of one
    -- organisation kind, a list, or the issuing branch itself
    target       text NOT NULL CHECK (target IN ('all', 'kind', 'list', 'self')),
    target_kind  text CHECK (target_kind IN ('general_branch', 'branch')),
    -- what counts as done
    done_by      text NOT NULL CHECK (done_by IN ('meeting', 'document', 'report')),
    meeting_kind text CHECK (meeting_kind IN ('general', 'committee', 'group', 'lecture', 'party_day', 'study', 'org_life', 'appraisal', 'talks', 'democratic_life', 'other')),
    created_by   bigint REFERENCES accounts (id),
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK ((target = 'kind') = (target_kind IS NOT NULL)),
    CHECK ((done_by = 'meeting') = (meeting_kind IS NOT NULL)),
    CHECK (parent_id IS NULL OR target = 'self'),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX plan_tasks_org_idx ON plan_tasks (org_id, year);
CREATE INDEX plan_tasks_parent_idx ON plan_tasks (parent_id);
CREATE INDEX plan_tasks_created_by_idx ON plan_tasks (created_by);

CREATE TABLE plan_answers (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    task_id        bigint NOT NULL REFERENCES plan_tasks (id) ON DELETE CASCADE,
    org_id         bigint NOT NULL REFERENCES organisations (id),
    -- overdue is not stored: it is open or returned after the due day
    state          text NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'answered', 'accepted', 'returned')),
    meeting_id     bigint REFERENCES meetings (id),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 4000),
    link           text NOT NULL DEFAULT '' CHECK (length(link) <= 500),
    answered_on    date,
    answered_by    bigint REFERENCES accounts (id),
    review_comment text NOT NULL DEFAULT '' CHECK (length(review_comment) <= 2000),
    reviewed_on    date,
    reviewed_by    bigint REFERENCES accounts (id),
    version        integer NOT NULL DEFAULT 1,
    UNIQUE (task_id, org_id),
    CHECK (state = 'open' OR answered_on IS NOT NULL),
    CHECK (state NOT IN ('accepted', 'returned') OR reviewed_on IS NOT NULL),
    CHECK (state <> 'returned' OR length(btrim(review_comment)) > 0)
);
CREATE INDEX plan_answers_org_idx ON plan_answers (org_id, state);
CREATE INDEX plan_answers_meeting_idx ON plan_answers (meeting_id);
CREATE INDEX plan_answers_answered_by_idx ON plan_answers (answered_by);
CREATE INDEX plan_answers_reviewed_by_idx ON plan_answers (reviewed_by);

-- Reminders the committee sent to a late branch.
CREATE TABLE plan_reminders (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    answer_id   bigint NOT NULL REFERENCES plan_answers (id) ON DELETE CASCADE,
    reminded_on date NOT NULL,
    by_account  bigint REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_reminders_answer_idx ON plan_reminders (answer_id);
CREATE INDEX plan_reminders_by_idx ON plan_reminders (by_account);
