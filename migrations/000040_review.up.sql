-- Committee review: the rule set (versioned by effective date), branch
-- reviews and ratings, and the monthly rollups the dashboard reads.

-- rules: one row per version of a rule. A change closes the current
-- version (effective_to) and inserts a new one effective from a date; the
-- numbers of a version are never rewritten, so past periods keep the rule
-- that was in force for them.
CREATE TABLE rules (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code           text NOT NULL CHECK (code ~ '^[a-z][a-z0-9_]{1,39}$'),
    kind           text NOT NULL CHECK (kind IN ('meetings', 'quorum', 'study_hours', 'appraisal', 'org_life', 'term', 'probation', 'inactivity', 'rectification', 'branch_size')),
    meeting_kind   text CHECK (meeting_kind IN ('general', 'committee', 'group', 'lecture', 'party_day', 'study', 'org_life', 'appraisal', 'talks', 'democratic_life', 'other')),
    applies_to     text NOT NULL DEFAULT 'branch' CHECK (applies_to IN ('branch', 'member', 'committee')),
    period         text NOT NULL CHECK (period IN ('month', 'quarter', 'year', 'none')),
    minimum        numeric(8,2) NOT NULL DEFAULT 0 CHECK (minimum >= 0),
    maximum        numeric(8,2) CHECK (maximum IS NULL OR maximum >= minimum),
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    source         text NOT NULL CHECK (length(btrim(source)) BETWEEN 1 AND 300),
    enabled        boolean NOT NULL DEFAULT true,
    builtin        boolean NOT NULL DEFAULT false,
    effective_from date NOT NULL,
    effective_to   date,
    created_by     bigint REFERENCES accounts (id),
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (effective_to IS NULL OR effective_to > effective_from),
    CHECK ((kind = 'meetings') = (meeting_kind IS NOT NULL)),
    UNIQUE (code, effective_from)
);
CREATE UNIQUE INDEX rules_current_uq ON rules (code) WHERE effective_to IS NULL;
CREATE INDEX rules_created_by_idx ON rules (created_by);

INSERT INTO rules (code, kind, meeting_kind, applies_to, period, minimum, maximum, title, source, builtin, effective_from) VALUES
 ('general_meeting', 'meetings', 'general', 'branch', 'quarter', 1, NULL, '支部党员大会每季度至少召开1次', '《中国共产党支部工作条例（试行）》第十四条', true, '2018-10-28'),
 ('committee_meeting', 'meetings', 'committee', 'branch', 'month', 1, NULL, '支部委员会会议每月召开1次', '《中国共产党支部工作条例（试行）》第十二条', true, '2018-10-28'),
 ('committee_quorum', 'quorum', NULL, 'branch', 'month', 0.5, NULL, '支部委员会会议须有半数以上委员到会', '《中国共产党支部工作条例（试行）》第十二条', true, '2018-10-28'),
 ('group_meeting', 'meetings', 'group', 'branch', 'month', 1, NULL, '党小组会每月召开1次（设党小组的）', '《中国共产党支部工作条例（试行）》第十三条', true, '2018-10-28'),
 ('party_lecture', 'meetings', 'lecture', 'branch', 'quarter', 1, NULL, '党课每季度至少1次', '《中国共产党支部工作条例（试行）》第十四条；地方规定', true, '2018-10-28'),
 ('party_day', 'meetings', 'party_day', 'branch', 'month', 1, NULL, '主题党日每月开展1次', '《中国共产党党员教育管理工作条例》第十六条', true, '2019-05-06'),
 ('org_life_meeting', 'org_life', NULL, 'branch', 'year', 1, NULL, '组织生活会每年至少召开1次', '《中国共产党党员教育管理工作条例》第十七条', true, '2019-05-06'),
 ('appraisal', 'appraisal', NULL, 'branch', 'year', 1, NULL, '每年开展1次民主评议党员', '《中国共产党党员教育管理工作条例》第十八条', true, '2019-05-06'),
 ('study_hours_member', 'study_hours', NULL, 'member', 'year', 32, NULL, '党员每年集中学习培训不少于32学时', '《中国共产党党员教育管理工作条例》第二十条', true, '2019-05-06'),
 ('study_hours_committee', 'study_hours', NULL, 'committee', 'year', 56, NULL, '支部书记、支委每年集中学习培训不少于56学时', '《中国共产党党员教育管理工作条例》第二十条', true, '2019-05-06'),
 ('committee_term', 'term', NULL, 'branch', 'none', 0, NULL, '支部委员会任期届满按期换届', '《中国共产党党和国家机关基层组织工作条例》（2019）', true, '2019-12-01'),
 ('probation', 'probation', NULL, 'member', 'none', 0, NULL, '预备党员预备期满按期讨论转正', '《中国共产党章程》第七条', true, '2017-10-24'),
 ('six_months', 'inactivity', NULL, 'member', 'none', 4, 6, '党员连续6个月不参加党的组织生活须及早提醒', '《中国共产党章程》第九条', true, '2017-10-24'),
 ('rectification', 'rectification', NULL, 'branch', 'none', 0, NULL, '整改事项按期完成销号', '《中国共产党党员教育管理工作条例》第十七条', true, '2019-05-06'),
 ('branch_size', 'branch_size', NULL, 'branch', 'none', 3, 50, '党支部正式党员不少于3人、一般不超过50人', '《中国共产党支部工作条例（试行）》第五条', true, '2018-10-28');

-- review_settings: how ratings are given (one row).
CREATE TABLE review_settings (
    id           integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    rating_scale text NOT NULL DEFAULT 'grades' CHECK (rating_scale IN ('grades', 'stars'))
);
INSERT INTO review_settings (id) VALUES (1);

-- branch_reviews: a reviewer's rating of a branch for a period, and the
-- branch's answer. Every review is kept; the latest per period counts.
CREATE TABLE branch_reviews (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id    bigint NOT NULL REFERENCES organisations (id),
    period       text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    rating       text NOT NULL CHECK (rating IN ('advanced', 'good', 'fair', 'lagging', '1', '2', '3', '4', '5')),
    comments     text NOT NULL DEFAULT '' CHECK (length(comments) <= 5000),
    corrections  text NOT NULL DEFAULT '' CHECK (length(corrections) <= 5000),
    reviewer_id  bigint REFERENCES accounts (id),
    reviewed_at  timestamptz NOT NULL DEFAULT now(),
    response     text NOT NULL DEFAULT '' CHECK (length(response) <= 5000),
    responder_id bigint REFERENCES accounts (id),
    responded_at timestamptz,
    version      integer NOT NULL DEFAULT 1,
    CHECK ((responded_at IS NULL) = (response = ''))
);
CREATE INDEX branch_reviews_branch_idx ON branch_reviews (branch_id, period, reviewed_at DESC);
CREATE INDEX branch_reviews_reviewer_idx ON branch_reviews (reviewer_id);
CREATE INDEX branch_reviews_responder_idx ON branch_reviews (responder_id);

-- Rollups. A meeting counts as held when it is recorded (status draft or
-- submitted); planned meetings do not count. Its month is the month of
-- starts_at in China time. Group meetings count for the group's branch.
CREATE TABLE branch_month_stats (
    branch_id bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    month     date NOT NULL CHECK (extract(day FROM month) = 1),
    kind      text NOT NULL,
    held      integer NOT NULL CHECK (held >= 0),
    quorate   integer NOT NULL CHECK (quorate >= 0),
    due       integer NOT NULL CHECK (due >= 0),
    present   integer NOT NULL CHECK (present >= 0),
    PRIMARY KEY (branch_id, month, kind)
);

CREATE TABLE member_month_stats (
    member_id    bigint NOT NULL REFERENCES members (id) ON DELETE CASCADE,
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    hours        numeric(8,1) NOT NULL DEFAULT 0,
    last_present date,
    PRIMARY KEY (member_id, month)
);

-- branch_status: each branch's evaluated results for a period, so the
-- dashboard of thousands of branches reads one row per branch. A row is
-- recomputed when it is stale (a record behind it changed: see
-- branch_status_touch and the triggers below), computed on an earlier day,
-- or computed under another rule set (rules_stamp).
CREATE TABLE branch_status (
    branch_id     bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    period        text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    computed_on   date NOT NULL,
    rules_stamp   bigint NOT NULL,
    stale         boolean NOT NULL DEFAULT false,
    touched_at    timestamptz NOT NULL DEFAULT '-infinity',
    worst         smallint NOT NULL CHECK (worst BETWEEN 0 AND 4),
    n_met         integer NOT NULL,
    n_pending     integer NOT NULL,
    n_due_soon    integer NOT NULL,
    n_missed      integer NOT NULL,
    att_num       double precision NOT NULL,
    att_den       double precision NOT NULL,
    study_num     double precision NOT NULL,
    study_den     double precision NOT NULL,
    open_items    integer NOT NULL,
    overdue_items integer NOT NULL,
    chart_met     integer[] NOT NULL,
    chart_checked integer[] NOT NULL,
    cells         jsonb NOT NULL,
    PRIMARY KEY (branch_id, period)
);
CREATE INDEX branch_status_period_idx ON branch_status (period, worst DESC);

-- branch_status_urgent: the few most urgent items of each branch_status
-- row, indexed so the subtree's most urgent ones come first.
CREATE TABLE branch_status_urgent (
    branch_id bigint NOT NULL,
    period    text NOT NULL,
    n         smallint NOT NULL,
    rank      smallint NOT NULL,
    lvl       smallint NOT NULL,
    due_on    date,
    code      text NOT NULL,
    status    text NOT NULL,
    subject   text NOT NULL,
    href      text NOT NULL,
    PRIMARY KEY (branch_id, period, n),
    FOREIGN KEY (branch_id, period) REFERENCES branch_status (branch_id, period) ON DELETE CASCADE
);
CREATE INDEX branch_status_urgent_order_idx ON branch_status_urgent (period, rank DESC, lvl DESC, due_on);

CREATE FUNCTION branch_status_touch(p_branches bigint[]) RETURNS void LANGUAGE sql AS $$
    UPDATE branch_status SET stale = true, touched_at = clock_timestamp()
     WHERE branch_id = ANY (p_branches)
$$;

CREATE FUNCTION stats_month(t timestamptz) RETURNS date LANGUAGE sql IMMUTABLE AS $$
    SELECT date_trunc('month', t AT TIME ZONE 'Asia/Shanghai')::date
$$;

CREATE FUNCTION stats_branch_of(p_org bigint) RETURNS bigint LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN kind = 'group' THEN parent_id ELSE id END FROM organisations WHERE id = p_org
$$;

-- stats_refresh_branch_months recomputes the rollup rows of the given
-- (branch, month) pairs from the meetings and attendance tables.
-- Two transactions refreshing the same rows would each delete and insert
-- them; the second insert would break the primary key. An advisory lock per
-- bucket of ids (at most 1024, taken in order, so no deadlock and no
-- unbounded lock table on bulk loads) makes them take turns.
CREATE FUNCTION stats_refresh_branch_months(p_branch bigint[], p_month date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7420002, b)
       FROM (SELECT DISTINCT (x % 1024)::int AS b FROM unnest(p_branch) AS u(x) WHERE x IS NOT NULL ORDER BY 1) k;
    DELETE FROM branch_month_stats s
     USING unnest(p_branch, p_month) AS k(b, m)
     WHERE s.branch_id = k.b AND s.month = k.m;
    INSERT INTO branch_month_stats (branch_id, month, kind, held, quorate, due, present)
    SELECT k.b, k.m, mt.kind, count(*),
           count(*) FILTER (WHERE a.due > 0 AND a.present * 2 > a.due),
           coalesce(sum(a.due), 0), coalesce(sum(a.present), 0)
      FROM (SELECT DISTINCT b, m FROM unnest(p_branch, p_month) AS u(b, m) WHERE b IS NOT NULL) k
      JOIN organisations o ON o.id = k.b OR (o.parent_id = k.b AND o.kind = 'group')
      JOIN meetings mt ON mt.org_id = o.id AND mt.status IN ('draft', 'submitted')
                      AND mt.starts_at >= (k.m::timestamp AT TIME ZONE 'Asia/Shanghai')
                      AND mt.starts_at < ((k.m + 1 * interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai')
      CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE at.status <> 'observer') AS due,
                   count(*) FILTER (WHERE at.status = 'present') AS present
              FROM attendance at WHERE at.meeting_id = mt.id) a
     GROUP BY k.b, k.m, mt.kind;
    PERFORM branch_status_touch(p_branch);
END $$;

-- stats_refresh_members recomputes every monthly row of the given members
-- from study_credits and attendance.
CREATE FUNCTION stats_refresh_members(p_members bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7420001, b)
       FROM (SELECT DISTINCT (x % 1024)::int AS b FROM unnest(p_members) AS u(x) WHERE x IS NOT NULL ORDER BY 1) k;
    DELETE FROM member_month_stats WHERE member_id = ANY (p_members);
    INSERT INTO member_month_stats (member_id, month, hours, last_present)
    SELECT member_id, month, sum(hours), max(last_present)
      FROM (SELECT sc.member_id, date_trunc('month', sc.earned_on)::date AS month, sc.hours, NULL::date AS last_present
              FROM study_credits sc WHERE sc.member_id = ANY (p_members)
            UNION ALL
            SELECT at.member_id, stats_month(mt.starts_at), 0, (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
              FROM attendance at JOIN meetings mt ON mt.id = at.meeting_id
             WHERE at.member_id = ANY (p_members) AND at.status = 'present' AND mt.status IN ('draft', 'submitted')) x
     GROUP BY member_id, month;
    PERFORM branch_status_touch(array_agg(DISTINCT branch_id)) FROM members WHERE id = ANY (p_members);
END $$;

-- stats_refresh_member_months recomputes only the given months of the given
-- members: what one saved meeting or credit can change. Its cost follows
-- the months touched, not the length of each member's history.
CREATE FUNCTION stats_refresh_member_months(p_members bigint[], p_months date[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo date := (SELECT min(m) FROM unnest(p_months) AS u(m));
    hi date := (SELECT max(m) FROM unnest(p_months) AS u(m)) + interval '1 month';
BEGIN
    -- A bulk change (a load, an import) is cheaper as whole histories.
    IF coalesce(array_length(p_members, 1), 0) > 500 THEN
        PERFORM stats_refresh_members(p_members);
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock(7420001, b)
       FROM (SELECT DISTINCT (x % 1024)::int AS b FROM unnest(p_members) AS u(x) WHERE x IS NOT NULL ORDER BY 1) k;
    DELETE FROM member_month_stats WHERE member_id = ANY (p_members) AND month = ANY (p_months);
    INSERT INTO member_month_stats (member_id, month, hours, last_present)
    SELECT member_id, month, sum(hours), max(last_present)
      FROM (SELECT sc.member_id, date_trunc('month', sc.earned_on)::date AS month, sc.hours, NULL::date AS last_present
              FROM study_credits sc
             WHERE sc.member_id = ANY (p_members) AND sc.earned_on >= lo AND sc.earned_on < hi
            UNION ALL
            SELECT at.member_id, stats_month(mt.starts_at), 0, (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
              FROM meetings mt JOIN attendance at ON at.meeting_id = mt.id
             WHERE at.member_id = ANY (p_members) AND at.status = 'present' AND mt.status IN ('draft', 'submitted')
               AND mt.starts_at >= (lo::timestamp AT TIME ZONE 'Asia/Shanghai') - interval '1 day'
               AND mt.starts_at < (hi::timestamp AT TIME ZONE 'Asia/Shanghai') + interval '1 day') x
     WHERE month = ANY (p_months)
     GROUP BY member_id, month;
    PERFORM branch_status_touch(array_agg(DISTINCT branch_id)) FROM members WHERE id = ANY (p_members);
END $$;

-- Statement-level triggers with transition tables: one refresh per
-- statement, so bulk loads (COPY) stay fast.
CREATE FUNCTION stats_meetings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bs bigint[];
    ms date[];
    mem bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(b), array_agg(m) INTO bs, ms FROM (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM new_rows) x;
        SELECT array_agg(DISTINCT member_id) INTO mem FROM attendance WHERE meeting_id IN (SELECT id FROM new_rows);
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(b), array_agg(m) INTO bs, ms FROM (
            SELECT stats_branch_of(org_id) b, stats_month(starts_at) m FROM new_rows
            UNION SELECT stats_branch_of(org_id), stats_month(starts_at) FROM old_rows) x;
        SELECT array_agg(DISTINCT member_id) INTO mem FROM attendance WHERE meeting_id IN (SELECT id FROM new_rows);
    ELSE
        SELECT array_agg(b), array_agg(m) INTO bs, ms FROM (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM old_rows) x;
    END IF;
    IF bs IS NOT NULL THEN
        PERFORM stats_refresh_branch_months(bs, ms);
    END IF;
    IF mem IS NOT NULL THEN
        PERFORM stats_refresh_member_months(mem, ms);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_meetings_ins AFTER INSERT ON meetings REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_meetings_changed();
CREATE TRIGGER stats_meetings_upd AFTER UPDATE ON meetings REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_meetings_changed();
CREATE TRIGGER stats_meetings_del AFTER DELETE ON meetings REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_meetings_changed();

CREATE FUNCTION stats_attendance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    mem bigint[];
    bs bigint[];
    ms date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem
          FROM (SELECT meeting_id, member_id FROM new_rows UNION ALL SELECT meeting_id, member_id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM old_rows;
    END IF;
    -- Meetings deleted in the same statement (cascade) are gone; the
    -- meetings trigger refreshes their months.
    SELECT array_agg(b), array_agg(m) INTO bs, ms FROM (
        SELECT DISTINCT stats_branch_of(mt.org_id) b, stats_month(mt.starts_at) m
          FROM meetings mt WHERE mt.id = ANY (ids)) x;
    IF bs IS NOT NULL THEN
        PERFORM stats_refresh_branch_months(bs, ms);
    END IF;
    IF mem IS NOT NULL AND ms IS NOT NULL THEN
        PERFORM stats_refresh_member_months(mem, ms);
    ELSIF mem IS NOT NULL THEN
        -- The meetings went in the same statement: refresh whole histories.
        PERFORM stats_refresh_members(mem);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_attendance_ins AFTER INSERT ON attendance REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_attendance_changed();
CREATE TRIGGER stats_attendance_upd AFTER UPDATE ON attendance REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_attendance_changed();
CREATE TRIGGER stats_attendance_del AFTER DELETE ON attendance REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_attendance_changed();

CREATE FUNCTION stats_credits_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mem bigint[];
    ms date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT date_trunc('month', earned_on)::date) INTO mem, ms FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT date_trunc('month', earned_on)::date) INTO mem, ms
          FROM (SELECT member_id, earned_on FROM new_rows UNION ALL SELECT member_id, earned_on FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT date_trunc('month', earned_on)::date) INTO mem, ms FROM old_rows;
    END IF;
    IF mem IS NOT NULL THEN
        PERFORM stats_refresh_member_months(mem, ms);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stats_credits_ins AFTER INSERT ON study_credits REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_credits_changed();
CREATE TRIGGER stats_credits_upd AFTER UPDATE ON study_credits REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_credits_changed();
CREATE TRIGGER stats_credits_del AFTER DELETE ON study_credits REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_credits_changed();

-- Other records a branch's results depend on: mark the branch stale.
CREATE FUNCTION branch_status_row_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    col text := CASE TG_TABLE_NAME WHEN 'appraisals' THEN 'branch_id'
                                   WHEN 'organisations' THEN 'parent_id' WHEN 'committee_posts' THEN 'term_id' ELSE 'org_id' END;
    ids bigint[] := '{}';
BEGIN
    IF TG_OP <> 'DELETE' THEN
        ids := ids || (to_jsonb(NEW) ->> col)::bigint;
    END IF;
    IF TG_OP <> 'INSERT' THEN
        ids := ids || (to_jsonb(OLD) ->> col)::bigint;
    END IF;
    IF TG_TABLE_NAME = 'committee_posts' THEN
        SELECT array_agg(org_id) INTO ids FROM committee_terms WHERE id = ANY (ids);
    END IF;
    PERFORM branch_status_touch(ids);
    RETURN NULL;
END $$;
-- members: statement-level, so bulk loads touch each branch once.
CREATE FUNCTION branch_status_members_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT branch_id) INTO ids FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT branch_id) INTO ids FROM (SELECT branch_id FROM new_rows UNION ALL SELECT branch_id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT branch_id) INTO ids FROM old_rows;
    END IF;
    PERFORM branch_status_touch(ids);
    RETURN NULL;
END $$;
CREATE TRIGGER branch_status_members_ins AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION branch_status_members_changed();
CREATE TRIGGER branch_status_members_upd AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION branch_status_members_changed();
CREATE TRIGGER branch_status_members_del AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION branch_status_members_changed();
CREATE TRIGGER branch_status_terms AFTER INSERT OR UPDATE OR DELETE ON committee_terms
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();
CREATE TRIGGER branch_status_posts AFTER INSERT OR UPDATE OR DELETE ON committee_posts
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();
CREATE TRIGGER branch_status_items AFTER INSERT OR UPDATE OR DELETE ON rectification_items
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();
CREATE TRIGGER branch_status_appraisals AFTER INSERT OR UPDATE OR DELETE ON appraisals
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();
CREATE TRIGGER branch_status_life AFTER INSERT OR UPDATE OR DELETE ON life_meetings
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();
CREATE TRIGGER branch_status_groups AFTER INSERT OR UPDATE OR DELETE ON organisations
    FOR EACH ROW EXECUTE FUNCTION branch_status_row_changed();

-- Fill the rollups from what is already recorded.
SELECT stats_refresh_branch_months(array_agg(b), array_agg(m))
  FROM (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM meetings) x;
SELECT stats_refresh_members(array_agg(id)) FROM members;
