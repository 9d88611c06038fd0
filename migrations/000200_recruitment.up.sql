-- The recruitment pipeline (发展党员, issue 20): the time limits and
-- thresholds of 《中国共产党发展党员工作细则》 as versioned rule sets, and
-- each person's file of dated steps. The person is the members row (the
-- roster already holds applicants, activists and development targets); the
-- steps say who did what, when, with which documents and votes, and whether
-- a time rule was missed (late_rule: kept and marked late) or a refused
-- record was brought in as history (flag_rule).

-- One row per rule of a rule set. The set in force on a day is the one
-- with the latest effective_from on or before it, so a new regulation is a
-- new set of rows and past steps keep being judged by the set of their day.
CREATE TABLE recruit_rules (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    rule_set       text NOT NULL CHECK (length(btrim(rule_set)) BETWEEN 1 AND 20),
    effective_from date NOT NULL,
    code           text NOT NULL CHECK (code IN ('min_age_years', 'talk_months', 'assessment_months', 'activist_months',
                       'training_hours', 'training_days', 'notice_workdays', 'quorum_percent', 'favour_percent',
                       'approval_months', 'approval_max_months', 'probation_months', 'extension_min_months',
                       'extension_max_months', 'conversion_approval_months', 'remind_days', 'letter_valid_days', 'receipt_days')),
    amount         integer NOT NULL CHECK (amount >= 0),
    document       text NOT NULL CHECK (length(document) <= 100),
    article        text NOT NULL CHECK (length(article) <= 50),
    uncertain      boolean NOT NULL DEFAULT false,
    UNIQUE (rule_set, code)
);
CREATE INDEX recruit_rules_from_idx ON recruit_rules (effective_from);

INSERT INTO recruit_rules (rule_set, effective_from, code, amount, document, article, uncertain) VALUES
 ('2014', '2014-05-28', 'min_age_years', 18, '《中国共产党发展党员工作细则》', '第五条', false),
 ('2014', '2014-05-28', 'talk_months', 1, '《中国共产党发展党员工作细则》', '第七条', false),
 ('2014', '2014-05-28', 'assessment_months', 6, '《中国共产党发展党员工作细则》', '第十一条', true),
 ('2014', '2014-05-28', 'activist_months', 12, '《中国共产党发展党员工作细则》', '第十三条', false),
 ('2014', '2014-05-28', 'training_hours', 24, '《中国共产党发展党员工作细则》', '第十七条', false),
 ('2014', '2014-05-28', 'training_days', 3, '《中国共产党发展党员工作细则》', '第十七条', false),
 ('2014', '2014-05-28', 'notice_workdays', 5, '省级实施办法（2014年细则未规定天数）', '—', true),
 ('2014', '2014-05-28', 'quorum_percent', 50, '《中国共产党发展党员工作细则》', '第二十条', false),
 ('2014', '2014-05-28', 'favour_percent', 50, '《中国共产党发展党员工作细则》', '第二十一条', false),
 ('2014', '2014-05-28', 'approval_months', 3, '《中国共产党发展党员工作细则》', '第二十四条', true),
 ('2014', '2014-05-28', 'approval_max_months', 6, '《中国共产党发展党员工作细则》', '第二十五条', true),
 ('2014', '2014-05-28', 'probation_months', 12, '《中国共产党发展党员工作细则》', '第三十二条', false),
 ('2014', '2014-05-28', 'extension_min_months', 6, '《中国共产党发展党员工作细则》', '第三十二条', false),
 ('2014', '2014-05-28', 'extension_max_months', 12, '《中国共产党发展党员工作细则》', '第三十二条', false),
 ('2014', '2014-05-28', 'conversion_approval_months', 3, '《中国共产党发展党员工作细则》', '第三十四条', false),
 ('2014', '2014-05-28', 'remind_days', 30, '提醒设置', '—', true),
 ('2014', '2014-05-28', 'letter_valid_days', 30, '组织关系介绍信有效期（本机关设置）', '—', true),
 ('2014', '2014-05-28', 'receipt_days', 30, '介绍信回执退回期限（有效期满后，本机关设置）', '—', true);

CREATE TABLE recruit_steps (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members (id),
    kind        text NOT NULL CHECK (kind IN ('application', 'talk', 'recommendation', 'activist', 'activist_filed',
                    'assessment', 'target', 'target_filed', 'introducers', 'political_review', 'training',
                    'branch_review', 'pre_review', 'notice', 'form_issued', 'admission_meeting', 'higher_talk',
                    'approval', 'oath', 'probation_assessment', 'conversion_application', 'conversion_meeting',
                    'conversion_approval')),
    done_on     date NOT NULL,
    end_on      date,
    person_a    bigint REFERENCES members (id),
    person_b    bigint REFERENCES members (id),
    people      text NOT NULL DEFAULT '' CHECK (length(people) <= 200),
    doc_no      text NOT NULL DEFAULT '' CHECK (length(doc_no) <= 50),
    outcome     text NOT NULL DEFAULT '' CHECK (outcome IN ('', 'passed', 'failed', 'on_time', 'extend', 'cancel')),
    hours       integer CHECK (hours BETWEEN 0 AND 1000),
    days        integer CHECK (days BETWEEN 0 AND 365),
    due_count   integer CHECK (due_count BETWEEN 0 AND 10000),
    present     integer CHECK (present >= 0 AND present <= due_count),
    in_favour   integer CHECK (in_favour >= 0 AND in_favour <= due_count),
    reason      text NOT NULL DEFAULT '' CHECK (length(reason) <= 500),
    details     text NOT NULL DEFAULT '' CHECK (length(details) <= 1000),
    late_rule   text NOT NULL DEFAULT '' CHECK (length(late_rule) <= 40),
    flag_rule   text NOT NULL DEFAULT '' CHECK (length(flag_rule) <= 40),
    rule_set    text NOT NULL CHECK (length(rule_set) BETWEEN 1 AND 20),
    recorded_by bigint REFERENCES accounts (id),
    recorded_at timestamptz NOT NULL DEFAULT now(),
    CHECK (end_on IS NULL OR end_on >= done_on),
    CHECK (person_b IS NULL OR person_a IS NOT NULL AND person_b <> person_a),
    CHECK ((present IS NULL AND in_favour IS NULL) OR due_count IS NOT NULL)
);
CREATE INDEX recruit_steps_member_idx ON recruit_steps (member_id, done_on);
CREATE INDEX recruit_steps_person_a_idx ON recruit_steps (person_a);
CREATE INDEX recruit_steps_person_b_idx ON recruit_steps (person_b);
CREATE INDEX recruit_steps_recorded_by_idx ON recruit_steps (recorded_by);
-- Steps done once per person; assessments and a second conversion meeting
-- (after an extension) repeat.
CREATE UNIQUE INDEX recruit_steps_once_uq ON recruit_steps (member_id, kind)
 WHERE kind NOT IN ('assessment', 'probation_assessment', 'conversion_meeting', 'conversion_approval');

-- 取消预备党员资格 (第三十二条): a probationer whose probation is cancelled
-- leaves the roster of members in good standing.
ALTER TABLE members DROP CONSTRAINT members_party_status_check;
ALTER TABLE members ADD CONSTRAINT members_party_status_check
    CHECK (party_status IN ('normal', 'suspended', 'struck_off', 'expelled', 'deceased', 'transferred_out', 'cancelled'));
ALTER TABLE member_events DROP CONSTRAINT member_events_kind_check;
ALTER TABLE member_events ADD CONSTRAINT member_events_kind_check
    CHECK (kind IN ('created', 'applied', 'activist', 'target', 'admitted', 'converted', 'probation_extended', 'transferred_in', 'transferred_out', 'moved', 'status_changed', 'updated', 'probation_cancelled'));

-- In the recruitment pipeline: applicants to probationary members whose
-- status is normal (a cancelled probation or a transfer out leaves it).
CREATE FUNCTION in_pipeline(p_category text, p_party_status text) RETURNS boolean
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    AS $$ SELECT p_category IN ('applicant', 'activist', 'target', 'probationary') AND p_party_status = 'normal' $$;

-- Letters of introduction (组织关系介绍信) for members transferred out of
-- the agency: the number, the validity, where to, and the receipt (回执)
-- tracked until it comes back (late after receipt_days past validity).
CREATE TABLE transfer_letters (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members (id),
    branch_id   bigint NOT NULL REFERENCES organisations (id),
    letter_no   text NOT NULL UNIQUE CHECK (length(btrim(letter_no)) BETWEEN 1 AND 50),
    issued_on   date NOT NULL,
    valid_until date NOT NULL CHECK (valid_until >= issued_on),
    destination text NOT NULL CHECK (length(btrim(destination)) BETWEEN 1 AND 200),
    receipt_on  date CHECK (receipt_on >= issued_on),
    notes       text NOT NULL DEFAULT '' CHECK (length(notes) <= 500),
    issued_by   bigint REFERENCES accounts (id),
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX transfer_letters_member_idx ON transfer_letters (member_id);
CREATE INDEX transfer_letters_branch_idx ON transfer_letters (branch_id, issued_on);
CREATE INDEX transfer_letters_issued_by_idx ON transfer_letters (issued_by);
