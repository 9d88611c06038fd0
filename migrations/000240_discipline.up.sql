-- Issue 19: talks with a purpose, disciplinary sanctions, disposal of
-- members and elections (换届).

-- Talks get a kind. A reminder talk (提醒谈话) records the problem noticed,
-- the correction agreed and a day to look again; the second look records
-- what was found. "continuing" moves the look-again day on; "corrected"
-- and "escalated" close the reminder. An admonishment (诫勉谈话) names the
-- order of the organisation or discipline body that ordered it.
ALTER TABLE talks
    ADD COLUMN kind          text NOT NULL DEFAULT 'heart' CHECK (kind IN ('heart', 'reminder', 'integrity', 'admonish')),
    ADD COLUMN order_ref     text NOT NULL DEFAULT '' CHECK (length(order_ref) <= 200),
    ADD COLUMN problem       text NOT NULL DEFAULT '' CHECK (length(problem) <= 2000),
    ADD COLUMN agreed        text NOT NULL DEFAULT '' CHECK (length(agreed) <= 2000),
    ADD COLUMN look_again_on date,
    ADD COLUMN outcome       text CHECK (outcome IN ('corrected', 'continuing', 'escalated')),
    ADD COLUMN outcome_on    date,
    ADD COLUMN outcome_note  text NOT NULL DEFAULT '' CHECK (length(outcome_note) <= 2000),
    ADD COLUMN version       integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT talks_admonish_order CHECK (kind <> 'admonish' OR length(btrim(order_ref)) > 0),
    ADD CONSTRAINT talks_reminder_fields CHECK (kind <> 'reminder' OR (length(btrim(problem)) > 0 AND length(btrim(agreed)) > 0 AND look_again_on IS NOT NULL AND look_again_on > held_on)),
    ADD CONSTRAINT talks_look_again_only_reminder CHECK (kind = 'reminder' OR (look_again_on IS NULL AND outcome IS NULL)),
    ADD CONSTRAINT talks_outcome_dated CHECK ((outcome IS NULL) = (outcome_on IS NULL)),
    ADD CONSTRAINT talks_outcome_after CHECK (outcome_on IS NULL OR outcome_on >= held_on);
CREATE INDEX talks_reminders_open_idx ON talks (branch_id, look_again_on)
    WHERE kind = 'reminder' AND (outcome IS NULL OR outcome = 'continuing');

-- The settings of the issue's uncertain values (one row, kept by the
-- system administrator): how long before a term's end the election
-- reminder starts (rules.md §3: the higher organisation "normally" reminds
-- six months ahead; 90 days is this app's default), and whether a sanction
-- in its period blocks a 优秀共产党员 nomination (common practice).
CREATE TABLE discipline_settings (
    id                      integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    election_reminder_days  integer NOT NULL DEFAULT 90 CHECK (election_reminder_days BETWEEN 1 AND 366),
    sanction_blocks_commend boolean NOT NULL DEFAULT true,
    updated_at              timestamptz NOT NULL DEFAULT now()
);
INSERT INTO discipline_settings (id) VALUES (1);

-- Disciplinary sanctions (党纪处分), 党章 第四十一条. The period runs from
-- starts_on up to (not including) ends_on; expulsion has no period.
-- A 留党察看 of one year may be extended once by a year, never beyond two.
CREATE TABLE sanctions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id    bigint NOT NULL REFERENCES members (id),
    branch_id    bigint NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('warning', 'serious_warning', 'post_removal', 'probation', 'expulsion')),
    reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 2000),
    decided_by   text NOT NULL CHECK (length(btrim(decided_by)) BETWEEN 1 AND 200),
    approved_by  text NOT NULL CHECK (length(btrim(approved_by)) BETWEEN 1 AND 200),
    document_no  text NOT NULL CHECK (length(btrim(document_no)) BETWEEN 1 AND 100),
    decided_on   date NOT NULL,
    starts_on    date NOT NULL,
    ends_on      date,
    extended     boolean NOT NULL DEFAULT false,
    restored_on  date,
    version      integer NOT NULL DEFAULT 1,
    created_at   timestamptz NOT NULL DEFAULT now(),
    CHECK (starts_on >= decided_on),
    CHECK ((kind = 'expulsion') = (ends_on IS NULL)),
    CHECK (ends_on IS NULL OR ends_on > starts_on),
    CHECK (kind <> 'probation' OR ends_on <= starts_on + interval '2 years'),
    CHECK (NOT extended OR kind = 'probation'),
    CHECK (restored_on IS NULL OR (ends_on IS NOT NULL AND restored_on >= ends_on))
);
CREATE INDEX sanctions_member_idx ON sanctions (member_id, starts_on);
CREATE INDEX sanctions_branch_idx ON sanctions (branch_id, ends_on);

-- has_vote: whether a sanction takes the member's vote on a day: false
-- under 留党察看 in its period and from the day of an expulsion. It says
-- nothing of the member's category or status: callers count voters as
-- in_good_standing(...) AND category = 'full' AND has_vote(id, day).
CREATE FUNCTION has_vote(p_member_id bigint, p_day date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT NOT EXISTS (
        SELECT 1 FROM sanctions s
         WHERE s.member_id = p_member_id AND s.starts_on <= p_day
           AND (s.kind = 'expulsion' OR (s.kind = 'probation' AND p_day < s.ends_on)))
$$;

-- sanction_blocks_commend: whether the setting lets a sanction in its
-- period block an 优秀共产党员 nomination and the member has one on the day
-- (an expulsion has no end). internal/commend asks it before a nomination.
CREATE FUNCTION sanction_blocks_commend(p_member_id bigint, p_day date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT sanction_blocks_commend FROM discipline_settings WHERE id = 1), true)
       AND EXISTS (SELECT 1 FROM sanctions s
                    WHERE s.member_id = p_member_id AND s.starts_on <= p_day
                      AND (s.ends_on IS NULL OR p_day < s.ends_on))
$$;

-- Disposal of unqualified members (处置不合格党员), rules.md §5: one case
-- per member and ground, its steps dated with their documents. The
-- member's status changes only at the higher committee's approval.
CREATE TABLE disposal_cases (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES members (id),
    branch_id  bigint NOT NULL REFERENCES organisations (id),
    ground     text NOT NULL CHECK (ground IN ('six_months', 'unqualified')),
    opened_on  date NOT NULL,
    status     text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'closed')),
    outcome    text CHECK (outcome IN ('corrected', 'persuaded', 'removed', 'left')),
    closed_on  date,
    version    integer NOT NULL DEFAULT 1,
    created_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'closed') = (outcome IS NOT NULL)),
    CHECK ((status = 'closed') = (closed_on IS NOT NULL)),
    CHECK (closed_on IS NULL OR closed_on >= opened_on)
);
CREATE INDEX disposal_cases_member_idx ON disposal_cases (member_id);
CREATE INDEX disposal_cases_branch_idx ON disposal_cases (branch_id, status);
CREATE UNIQUE INDEX disposal_cases_one_open_uq ON disposal_cases (member_id) WHERE status = 'open';

CREATE TABLE disposal_steps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id     bigint NOT NULL REFERENCES disposal_cases (id),
    step        text NOT NULL CHECK (step IN ('talk', 'correction', 'corrected', 'persuade', 'remove', 'remove_left', 'approved')),
    done_on     date NOT NULL,
    document    text NOT NULL CHECK (length(btrim(document)) BETWEEN 1 AND 200),
    deadline    date,
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    created_at  timestamptz NOT NULL DEFAULT now(),
    CHECK ((step = 'correction') = (deadline IS NOT NULL)),
    CHECK (deadline IS NULL OR (deadline > done_on AND deadline <= done_on + interval '1 year'))
);
CREATE INDEX disposal_steps_case_idx ON disposal_steps (case_id, done_on);

-- Elections (换届): the branch secretary records one, a reviewer of the
-- committee above approves it, and the approval opens the new term.
CREATE TABLE elections (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id         bigint NOT NULL REFERENCES organisations (id),
    held_on        date NOT NULL,
    method         text NOT NULL CHECK (method IN ('competitive', 'equal')),
    voters_due     integer NOT NULL CHECK (voters_due >= 0),
    voters_present integer NOT NULL CHECK (voters_present >= 0 AND voters_present <= voters_due),
    term_no        integer NOT NULL CHECK (term_no > 0),
    due_on         date NOT NULL,
    status         text NOT NULL DEFAULT 'recorded' CHECK (status IN ('recorded', 'approved', 'refused')),
    decided_on     date,
    decision_note  text NOT NULL DEFAULT '' CHECK (length(decision_note) <= 2000),
    term_id        bigint REFERENCES committee_terms (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (due_on > held_on),
    CHECK ((status = 'recorded') = (decided_on IS NULL)),
    CHECK ((status = 'approved') = (term_id IS NOT NULL))
);
CREATE INDEX elections_org_idx ON elections (org_id, held_on);
CREATE INDEX elections_term_idx ON elections (term_id);

CREATE TABLE election_candidates (
    election_id bigint NOT NULL REFERENCES elections (id) ON DELETE CASCADE,
    member_id   bigint NOT NULL REFERENCES members (id),
    votes       integer NOT NULL CHECK (votes >= 0),
    post        text CHECK (post IN ('secretary', 'deputy', 'organisation', 'publicity', 'discipline', 'member')),
    PRIMARY KEY (election_id, member_id)
);
CREATE INDEX election_candidates_member_idx ON election_candidates (member_id);
