-- Grading branches (分类定级), consolidation plans (整顿) and secretaries'
-- annual reports (述职评议), issue 23. The grades are data: an agency
-- renames or adds them as rows.
CREATE TABLE grade_levels (
    code     text PRIMARY KEY CHECK (code ~ '^[a-z_]{1,30}$'),
    label_zh text NOT NULL CHECK (length(btrim(label_zh)) BETWEEN 1 AND 50),
    label_en text NOT NULL CHECK (length(btrim(label_en)) BETWEEN 1 AND 50),
    position integer NOT NULL UNIQUE,
    -- a branch graded here needs a consolidation plan
    weak     boolean NOT NULL DEFAULT false,
    active   boolean NOT NULL DEFAULT true
);
INSERT INTO grade_levels (code, label_zh, label_en, position, weak) VALUES
 ('advanced', '先进', 'Advanced', 1, false),
 ('good', '较好', 'Good', 2, false),
 ('average', '一般', 'Average', 3, false),
 ('weak', '后进（软弱涣散）', 'Lagging (weak and lax)', 4, true);

CREATE TABLE branch_grades (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id),
    year       integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    grade      text NOT NULL REFERENCES grade_levels (code),
    assessment text NOT NULL DEFAULT '' CHECK (length(assessment) <= 4000),
    reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
    graded_on  date NOT NULL,
    graded_by  bigint REFERENCES accounts (id),
    version    integer NOT NULL DEFAULT 1,
    UNIQUE (org_id, year)
);
CREATE INDEX branch_grades_grade_idx ON branch_grades (grade);
CREATE INDEX branch_grades_graded_by_idx ON branch_grades (graded_by);

CREATE TABLE consolidation_plans (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    grade_id    bigint NOT NULL UNIQUE REFERENCES branch_grades (id) ON DELETE CASCADE,
    -- the committee member who follows the plan
    follower_id bigint NOT NULL REFERENCES members (id),
    goal        text NOT NULL DEFAULT '' CHECK (length(goal) <= 2000),
    created_on  date NOT NULL,
    closed_on   date,
    CHECK (closed_on IS NULL OR closed_on >= created_on)
);
CREATE INDEX consolidation_plans_follower_idx ON consolidation_plans (follower_id);

CREATE TABLE consolidation_measures (
    id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id bigint NOT NULL REFERENCES consolidation_plans (id) ON DELETE CASCADE,
    measure text NOT NULL CHECK (length(btrim(measure)) BETWEEN 1 AND 1000),
    owner   text NOT NULL CHECK (length(btrim(owner)) BETWEEN 1 AND 100),
    due_on  date NOT NULL,
    done_on date
);
CREATE INDEX consolidation_measures_plan_idx ON consolidation_measures (plan_id);

CREATE TABLE consolidation_notes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    plan_id    bigint NOT NULL REFERENCES consolidation_plans (id) ON DELETE CASCADE,
    noted_on   date NOT NULL,
    note       text NOT NULL CHECK (length(btrim(note)) BETWEEN 1 AND 2000),
    by_account bigint REFERENCES accounts (id)
);
CREATE INDEX consolidation_notes_plan_idx ON consolidation_notes (plan_id);
CREATE INDEX consolidation_notes_by_idx ON consolidation_notes (by_account);

CREATE TABLE secretary_reports (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organisations (id),
    year         integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    secretary_id bigint REFERENCES members (id),
    report       text NOT NULL CHECK (length(btrim(report)) BETWEEN 1 AND 20000),
    submitted_on date NOT NULL,
    -- the committee's review (述职评议会)
    reviewed_on  date,
    rating       text CHECK (rating IN ('good', 'fairly_good', 'average', 'poor')),
    comments     text NOT NULL DEFAULT '' CHECK (length(comments) <= 4000),
    improvements text NOT NULL DEFAULT '' CHECK (length(improvements) <= 4000),
    reviewed_by  bigint REFERENCES accounts (id),
    UNIQUE (org_id, year),
    CHECK ((reviewed_on IS NULL) = (rating IS NULL)),
    CHECK (reviewed_on IS NULL OR reviewed_on >= submitted_on)
);
CREATE INDEX secretary_reports_secretary_idx ON secretary_reports (secretary_id);
CREATE INDEX secretary_reports_reviewed_by_idx ON secretary_reports (reviewed_by);
