-- The committee's dues roll-up, kept (issue 21; docs/dues.md "The kept
-- roll-up"). dues_member_months is the one definition of what a member owes
-- a branch in a month (the live report calls it too); dues_rollup holds its
-- sums per branch and month, and the ledger's receipts of the month, for
-- every month of dues_rollup_span. Statement triggers on every table the
-- sums read (dues_payments, dues_bases, members, member_events) queue the
-- affected branches and months (dues_rollup_pending); a deferred
-- constraint trigger recomputes them once, just before the writing
-- transaction commits (a payroll import or the demo data: one recount, not
-- one per row), under one advisory lock (7420380) held to the commit, so
-- two writers never recompute from snapshots that miss each other.
-- Excuses and month closes change no sum (a month's state is read from
-- dues_months).

CREATE FUNCTION dues_member_months(p_branches bigint[], p_months date[])
RETURNS TABLE (branch_id bigint, member_id bigint, name text, month date, monthly_fen bigint, paid bigint, excused boolean)
LANGUAGE sql STABLE AS $$
WITH mem AS (
  SELECT m.id, m.name, greatest(date_trunc('month', m.admitted_on)::date, fb.start) AS adm
    FROM members m
    LEFT JOIN LATERAL (SELECT greatest(make_date(min(b.year), 1, 1), date_trunc('month', min(b.created_at) AT TIME ZONE 'Asia/Shanghai')::date) AS start
                         FROM dues_bases b WHERE b.member_id = m.id) fb ON true
   WHERE in_good_standing(m.category, m.party_status) AND m.admitted_on IS NOT NULL
     AND m.id IN (SELECT x.id FROM members x WHERE x.branch_id = ANY (p_branches)
                  UNION SELECT e.member_id FROM member_events e WHERE e.kind = 'moved' AND e.from_org_id = ANY (p_branches))
), mm AS (
  SELECT x.* FROM (
    SELECT mem.id, mem.name, gs AS month, dues_branch_on(mem.id, gs) AS branch_id
      FROM mem CROSS JOIN unnest(p_months) gs
     WHERE gs >= mem.adm) x
   WHERE x.branch_id = ANY (p_branches)
)
SELECT mm.branch_id, mm.id, mm.name, mm.month, b.monthly_fen, coalesce(p.paid, 0)::bigint AS paid,
       EXISTS (SELECT 1 FROM dues_excuses x WHERE x.member_id = mm.id AND mm.month BETWEEN x.from_month AND x.to_month) AS excused
  FROM mm
  LEFT JOIN LATERAL (SELECT b.monthly_fen FROM dues_bases b WHERE b.member_id = mm.id AND b.year <= extract(year FROM mm.month)::int
                      ORDER BY b.year DESC LIMIT 1) b ON true
  LEFT JOIN LATERAL (SELECT sum(p.amount_fen) AS paid FROM dues_payments p WHERE p.member_id = mm.id AND p.for_month = mm.month) p ON true
$$;

CREATE TABLE dues_rollup (
    branch_id       bigint NOT NULL REFERENCES organisations (id),
    month           date NOT NULL CHECK (extract(day FROM month) = 1),
    members         integer NOT NULL CHECK (members >= 0),
    no_base         integer NOT NULL CHECK (no_base BETWEEN 0 AND members),
    expected_fen    bigint NOT NULL CHECK (expected_fen >= 0),
    collected_fen   bigint NOT NULL,
    outstanding_fen bigint NOT NULL CHECK (outstanding_fen BETWEEN 0 AND expected_fen),
    ledger_fen      bigint NOT NULL,
    PRIMARY KEY (branch_id, month)
);
CREATE INDEX dues_rollup_month_idx ON dues_rollup (month);

-- dues_rollup_span: the months dues_rollup holds (no row: none yet). A
-- month outside it is computed live.
CREATE TABLE dues_rollup_span (
    one        boolean PRIMARY KEY DEFAULT true CHECK (one),
    from_month date NOT NULL CHECK (extract(day FROM from_month) = 1),
    to_month   date NOT NULL CHECK (extract(day FROM to_month) = 1),
    CHECK (to_month >= from_month)
);

-- dues_rollup_compute replaces the rows of the branches' months from..to.
CREATE FUNCTION dues_rollup_compute(p_branches bigint[], p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_months date[];
BEGIN
    IF p_branches IS NULL OR cardinality(p_branches) = 0 OR p_from IS NULL OR p_to IS NULL OR p_from > p_to THEN
        RETURN;
    END IF;
    SELECT array_agg(d::date ORDER BY d) INTO v_months FROM generate_series(p_from, p_to, interval '1 month') d;
    DELETE FROM dues_rollup WHERE branch_id = ANY (p_branches) AND month BETWEEN p_from AND p_to;
    INSERT INTO dues_rollup (branch_id, month, members, no_base, expected_fen, collected_fen, outstanding_fen, ledger_fen)
    SELECT coalesce(a.branch_id, l.branch_id), coalesce(a.month, l.month), coalesce(a.members, 0), coalesce(a.no_base, 0),
           coalesce(a.expected, 0), coalesce(a.collected, 0), coalesce(a.outstanding, 0), coalesce(l.ledger, 0)
      FROM (SELECT mm.branch_id, mm.month, count(*)::int AS members, (count(*) FILTER (WHERE mm.monthly_fen IS NULL))::int AS no_base,
                   coalesce(sum(mm.monthly_fen), 0)::bigint AS expected, sum(mm.paid)::bigint AS collected,
                   sum(greatest(0, coalesce(mm.monthly_fen, 0) - mm.paid))::bigint AS outstanding
              FROM dues_member_months(p_branches, v_months) mm GROUP BY 1, 2) a
      FULL JOIN (SELECT p.branch_id, p.ledger_month AS month, sum(p.amount_fen)::bigint AS ledger
                   FROM dues_payments p WHERE p.branch_id = ANY (p_branches) AND p.ledger_month BETWEEN p_from AND p_to
                  GROUP BY 1, 2) l ON l.branch_id = a.branch_id AND l.month = a.month;
END $$;

-- dues_rollup_refresh recomputes the branches' months from..to (NULL: the
-- span's end) after a write, first widening the span (for every branch)
-- when the write reaches before it or the current month has come within a
-- year of its end.
CREATE FUNCTION dues_rollup_refresh(p_branches bigint[], p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_cur  date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
    v_want date;
    v_all  bigint[];
    s      dues_rollup_span%ROWTYPE;
BEGIN
    p_branches := ARRAY(SELECT DISTINCT x FROM unnest(p_branches) x WHERE x IS NOT NULL ORDER BY x);
    PERFORM pg_advisory_xact_lock(7420380);
    v_want := greatest((v_cur + interval '12 months')::date, p_to);
    SELECT * INTO s FROM dues_rollup_span;
    IF NOT FOUND THEN
        -- The first dues of the database: the span starts at the write.
        IF NOT EXISTS (SELECT 1 FROM dues_bases) AND NOT EXISTS (SELECT 1 FROM dues_payments) THEN
            RETURN;
        END IF;
        PERFORM dues_rollup_rebuild();
        RETURN;
    END IF;
    v_all := ARRAY(SELECT id FROM organisations WHERE kind = 'branch' ORDER BY id);
    IF p_from IS NOT NULL AND p_from < s.from_month THEN
        PERFORM dues_rollup_compute(v_all, p_from, (s.from_month - interval '1 month')::date);
        s.from_month := p_from;
    END IF;
    IF v_want > s.to_month THEN
        PERFORM dues_rollup_compute(v_all, (s.to_month + interval '1 month')::date, v_want);
        s.to_month := v_want;
    END IF;
    UPDATE dues_rollup_span SET from_month = s.from_month, to_month = s.to_month
     WHERE from_month <> s.from_month OR to_month <> s.to_month;
    PERFORM dues_rollup_compute(p_branches, greatest(coalesce(p_from, s.from_month), s.from_month), least(coalesce(p_to, s.to_month), s.to_month));
END $$;

-- dues_rollup_rebuild recomputes everything: the span from the first
-- month with a base or a payment to a year past the current month.
CREATE FUNCTION dues_rollup_rebuild() RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_cur  date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
    v_from date;
    v_to   date;
BEGIN
    PERFORM pg_advisory_xact_lock(7420380);
    DELETE FROM dues_rollup;
    DELETE FROM dues_rollup_span;
    SELECT least((SELECT make_date(min(year), 1, 1) FROM dues_bases), (SELECT min(for_month) FROM dues_payments),
                 (SELECT min(ledger_month) FROM dues_payments)) INTO v_from;
    IF v_from IS NULL THEN
        RETURN;
    END IF;
    v_from := least(v_from, v_cur);
    v_to := greatest((v_cur + interval '12 months')::date, (SELECT max(for_month) FROM dues_payments));
    INSERT INTO dues_rollup_span (from_month, to_month) VALUES (v_from, v_to);
    PERFORM dues_rollup_compute(ARRAY(SELECT id FROM organisations WHERE kind = 'branch' ORDER BY id), v_from, v_to);
END $$;

-- dues_member_branches: every branch a member's dues can fall to (the
-- branch now and both ends of each move).
CREATE FUNCTION dues_member_branches(p_members bigint[]) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT ARRAY(SELECT m.branch_id FROM members m WHERE m.id = ANY (p_members)
                 UNION SELECT e.from_org_id FROM member_events e WHERE e.member_id = ANY (p_members) AND e.kind = 'moved'
                 UNION SELECT e.to_org_id FROM member_events e WHERE e.member_id = ANY (p_members) AND e.kind = 'moved')
$$;

-- dues_rollup_pending: what the current transaction changed, one row per
-- statement (a NULL month: the span's start or end). Rows live only until
-- their transaction commits, so the table is unlogged.
CREATE UNLOGGED TABLE dues_rollup_pending (
    xact       xid8 NOT NULL DEFAULT pg_current_xact_id(),
    branches   bigint[],
    members    bigint[], -- their branches are added at the flush
    from_month date,
    to_month   date
);
CREATE INDEX dues_rollup_pending_xact_idx ON dues_rollup_pending (xact);

CREATE FUNCTION dues_rollup_queue(p_branches bigint[], p_members bigint[], p_from date, p_to date) RETURNS void LANGUAGE sql AS $$
    INSERT INTO dues_rollup_pending (branches, members, from_month, to_month)
    SELECT p_branches, p_members, p_from, p_to WHERE cardinality(p_branches) > 0 OR cardinality(p_members) > 0
$$;

-- dues_rollup_flush: the transaction's queue, each branch from its
-- earliest to its latest month queued, branches with the same range
-- together.
CREATE FUNCTION dues_rollup_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    g record;
BEGIN
    FOR g IN
        WITH gone AS (DELETE FROM dues_rollup_pending WHERE xact = pg_current_xact_id() RETURNING *),
        per AS (SELECT b, min(coalesce(from_month, '0001-01-01')) AS f, max(coalesce(to_month, '9999-12-01')) AS t
                  FROM gone, unnest(coalesce(gone.branches, '{}') || dues_member_branches(coalesce(gone.members, '{}'))) AS u(b)
                 WHERE b IS NOT NULL GROUP BY b)
        SELECT array_agg(b ORDER BY b) AS bs, nullif(f, '0001-01-01') AS f, nullif(t, '9999-12-01') AS t FROM per GROUP BY f, t
    LOOP
        PERFORM dues_rollup_refresh(g.bs, g.f, g.t);
    END LOOP;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER stats_dues_rollup_flush AFTER INSERT ON dues_rollup_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION dues_rollup_flush();

-- The trigger functions: an INSERT has only new_rows, a DELETE only
-- old_rows, an UPDATE both.
CREATE FUNCTION dues_rollup_payments() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_members bigint[]; v_branches bigint[]; v_from date; v_to date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT branch_id), min(least(for_month, ledger_month)), max(greatest(for_month, ledger_month))
          INTO v_members, v_branches, v_from, v_to FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT branch_id), min(least(for_month, ledger_month)), max(greatest(for_month, ledger_month))
          INTO v_members, v_branches, v_from, v_to FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT member_id), array_agg(DISTINCT branch_id), min(least(for_month, ledger_month)), max(greatest(for_month, ledger_month))
          INTO v_members, v_branches, v_from, v_to
          FROM (SELECT member_id, branch_id, for_month, ledger_month FROM new_rows
                UNION ALL SELECT member_id, branch_id, for_month, ledger_month FROM old_rows) r;
    END IF;
    IF v_members IS NULL THEN RETURN NULL; END IF;
    PERFORM dues_rollup_queue(v_branches, v_members, v_from, v_to);
    RETURN NULL;
END $$;

CREATE FUNCTION dues_rollup_bases() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_members bigint[]; v_from date;
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT member_id), make_date(min(year), 1, 1) INTO v_members, v_from FROM new_rows;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(DISTINCT member_id), make_date(min(year), 1, 1) INTO v_members, v_from FROM old_rows;
    ELSE
        SELECT array_agg(DISTINCT member_id), make_date(min(year), 1, 1) INTO v_members, v_from
          FROM (SELECT member_id, year FROM new_rows UNION ALL SELECT member_id, year FROM old_rows) r;
    END IF;
    IF v_members IS NULL THEN RETURN NULL; END IF;
    PERFORM dues_rollup_queue(NULL, v_members, v_from, NULL);
    RETURN NULL;
END $$;

-- members: a change of branch, admission, category or standing moves a
-- member's months; other edits (most of them) change nothing here. A
-- member without dues yet (no span) needs nothing either.
CREATE FUNCTION dues_rollup_members() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_members bigint[]; v_branches bigint[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dues_rollup_span) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(id), array_agg(DISTINCT branch_id) INTO v_members, v_branches FROM new_rows
         WHERE admitted_on IS NOT NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(id), array_agg(DISTINCT branch_id) INTO v_members, v_branches FROM old_rows
         WHERE admitted_on IS NOT NULL;
    ELSE
        SELECT array_agg(n.id), array_agg(DISTINCT n.branch_id) || array_agg(DISTINCT o.branch_id) INTO v_members, v_branches
          FROM new_rows n JOIN old_rows o ON o.id = n.id
         WHERE n.branch_id IS DISTINCT FROM o.branch_id OR n.admitted_on IS DISTINCT FROM o.admitted_on
            OR n.category IS DISTINCT FROM o.category OR n.party_status IS DISTINCT FROM o.party_status;
    END IF;
    IF v_members IS NULL THEN RETURN NULL; END IF;
    PERFORM dues_rollup_queue(v_branches, v_members, NULL, NULL);
    RETURN NULL;
END $$;

CREATE FUNCTION dues_rollup_events() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_members bigint[]; v_branches bigint[];
BEGIN
    IF NOT EXISTS (SELECT 1 FROM dues_rollup_span) THEN RETURN NULL; END IF;
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(member_id), array_agg(from_org_id) || array_agg(to_org_id) INTO v_members, v_branches
          FROM new_rows WHERE kind = 'moved';
    ELSIF TG_OP = 'DELETE' THEN
        SELECT array_agg(member_id), array_agg(from_org_id) || array_agg(to_org_id) INTO v_members, v_branches
          FROM old_rows WHERE kind = 'moved';
    ELSE
        SELECT array_agg(member_id), array_agg(from_org_id) || array_agg(to_org_id) INTO v_members, v_branches
          FROM (SELECT member_id, from_org_id, to_org_id FROM new_rows WHERE kind = 'moved'
                UNION ALL SELECT member_id, from_org_id, to_org_id FROM old_rows WHERE kind = 'moved') r;
    END IF;
    IF v_members IS NULL THEN RETURN NULL; END IF;
    PERFORM dues_rollup_queue(v_branches, v_members, NULL, NULL);
    RETURN NULL;
END $$;

-- The trigger names start with stats_ so that the benchmark's bulk load
-- switches them off like the other rollups' and rebuilds at its end.
CREATE TRIGGER stats_dues_rollup_dues_payments_ins AFTER INSERT ON dues_payments REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_payments();
CREATE TRIGGER stats_dues_rollup_dues_payments_upd AFTER UPDATE ON dues_payments REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_payments();
CREATE TRIGGER stats_dues_rollup_dues_payments_del AFTER DELETE ON dues_payments REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_payments();
CREATE TRIGGER stats_dues_rollup_dues_bases_ins AFTER INSERT ON dues_bases REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_bases();
CREATE TRIGGER stats_dues_rollup_dues_bases_upd AFTER UPDATE ON dues_bases REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_bases();
CREATE TRIGGER stats_dues_rollup_dues_bases_del AFTER DELETE ON dues_bases REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_bases();
CREATE TRIGGER stats_dues_rollup_members_ins AFTER INSERT ON members REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_members();
CREATE TRIGGER stats_dues_rollup_members_upd AFTER UPDATE ON members REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_members();
CREATE TRIGGER stats_dues_rollup_members_del AFTER DELETE ON members REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_members();
CREATE TRIGGER stats_dues_rollup_member_events_ins AFTER INSERT ON member_events REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_events();
CREATE TRIGGER stats_dues_rollup_member_events_upd AFTER UPDATE ON member_events REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_events();
CREATE TRIGGER stats_dues_rollup_member_events_del AFTER DELETE ON member_events REFERENCING OLD TABLE AS old_rows
    FOR EACH STATEMENT EXECUTE FUNCTION dues_rollup_events();

-- The backfill.
SELECT dues_rollup_rebuild();
