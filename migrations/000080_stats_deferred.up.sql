-- Rollups kept once per transaction, and the members' months by deltas.
--
-- Saving a meeting's attendance runs several statements that change the
-- rollups' inputs (attendance, study credits, the meeting's version). With
-- the statement-level triggers of 000040 each of them recomputed the same
-- branch month and the same members' months from the base tables, and
-- held the rollup locks from the first statement to the commit. Now:
--
-- * the statement triggers only queue what changed in stats_pending, and a
--   deferred constraint trigger applies the transaction's queue once, just
--   before it commits, so the rollup locks are held from there to the
--   commit only;
-- * a meetings update queues only meetings whose counted fields
--   (organisation, kind, time, status) changed: bumping a meeting's
--   version changes no rollup;
-- * branch months are still recounted from the base tables (a month of a
--   branch holds a handful of meetings; the recount now finds them by the
--   (org_id, starts_at) index instead of reading every meeting of the
--   organisation);
-- * members' months are adjusted by deltas: hours by the sum of the credits
--   added minus those removed; last_present by the latest day added, unless
--   a present day on or after the stored last_present was removed, in which
--   case that one member's month is recounted. A member-month row holds
--   hours > 0 or a last_present (credits have hours > 0), so a row left
--   with neither is deleted. Bulk changes (more than 500 members in one
--   statement) and attendance whose meeting went in the same statement
--   recount the members' whole histories, as before.
--
-- Why the result equals a full recount: every writer of the rollup tables
-- takes the advisory locks of the keys' buckets (in ascending order) and
-- then reads and writes in later statements, so under READ COMMITTED it
-- sees every transaction that flushed those keys before it. Hours are
-- sums, so deltas applied in any order add up. For last_present, if every
-- removed day is before the stored maximum L, L is still present and the
-- new maximum is greatest(L, latest added day); otherwise it is recounted.
-- A transaction that has not flushed yet applies its own deltas later, on
-- top of what the others wrote.

-- stats_pending: what the current transaction changed, one row per
-- statement: branch months to recount (branches with months), member-month
-- deltas (members, member_months, hours, added, removed: parallel arrays)
-- and members whose whole history to recount. Rows live only until their
-- transaction commits, so the table is unlogged.
CREATE UNLOGGED TABLE stats_pending (
    xact          xid8 NOT NULL DEFAULT pg_current_xact_id(),
    branches      bigint[],
    months        date[],
    members       bigint[],
    member_months date[],
    hours         numeric[],
    added         date[],
    removed       date[],
    whole         bigint[],
    CHECK (coalesce(array_length(branches, 1), 0) = coalesce(array_length(months, 1), 0)),
    CHECK (coalesce(array_length(members, 1), 0) = coalesce(array_length(member_months, 1), 0)
       AND coalesce(array_length(members, 1), 0) = coalesce(array_length(hours, 1), 0)
       AND coalesce(array_length(members, 1), 0) = coalesce(array_length(added, 1), 0)
       AND coalesce(array_length(members, 1), 0) = coalesce(array_length(removed, 1), 0))
);
CREATE INDEX stats_pending_xact_idx ON stats_pending (xact);

-- stats_recount_branch_months: stats_refresh_branch_months without the
-- branch_status touch (the flush touches every branch once), planned to
-- read only the month's meetings of each organisation.
CREATE FUNCTION stats_recount_branch_months(p_branch bigint[], p_month date[]) RETURNS void LANGUAGE plpgsql AS $$
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
      -- One relation of (branch, month, organisation, bounds), so that the
      -- meetings are found by (org_id, starts_at) in the index.
      FROM (SELECT DISTINCT u.b, u.m, o.id AS org,
                   u.m::timestamp AT TIME ZONE 'Asia/Shanghai' AS lo,
                   (u.m + interval '1 month') AT TIME ZONE 'Asia/Shanghai' AS hi
              FROM unnest(p_branch, p_month) AS u(b, m)
              JOIN organisations o ON o.id = u.b OR (o.parent_id = u.b AND o.kind = 'group')
             WHERE u.b IS NOT NULL) k
      JOIN meetings mt ON mt.org_id = k.org AND mt.starts_at >= k.lo AND mt.starts_at < k.hi
                      AND mt.status IN ('draft', 'submitted')
      CROSS JOIN LATERAL (
            SELECT count(*) FILTER (WHERE at.status <> 'observer') AS due,
                   count(*) FILTER (WHERE at.status = 'present') AS present
              FROM attendance at WHERE at.meeting_id = mt.id) a
     GROUP BY k.b, k.m, mt.kind;
END $$;

-- stats_recount_members rebuilds the members' whole histories; the caller
-- holds their locks.
CREATE FUNCTION stats_recount_members(p_members bigint[]) RETURNS void LANGUAGE sql AS $$
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
$$;


-- stats_apply_member_deltas applies member-month deltas (see the top of
-- this file); the caller holds the members' bucket locks. (plpgsql, so
-- that its statements' plans are cached across calls.)
CREATE FUNCTION stats_apply_member_deltas(p_members bigint[], p_months date[], p_hours numeric[], p_added date[], p_removed date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO member_month_stats AS t (member_id, month, hours, last_present)
    SELECT d.mem, d.mon, coalesce(s.hours, 0) + d.h,
           CASE WHEN d.r IS NOT NULL AND (s.last_present IS NULL OR d.r >= s.last_present) THEN (
                    SELECT max((mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date)
                      FROM attendance at JOIN meetings mt ON mt.id = at.meeting_id
                     WHERE at.member_id = d.mem AND at.status = 'present' AND mt.status IN ('draft', 'submitted')
                       AND mt.starts_at >= (d.mon::timestamp AT TIME ZONE 'Asia/Shanghai')
                       AND mt.starts_at < ((d.mon + interval '1 month')::timestamp AT TIME ZONE 'Asia/Shanghai'))
                ELSE greatest(s.last_present, d.a) END
      FROM unnest(p_members, p_months, p_hours, p_added, p_removed) AS d(mem, mon, h, a, r)
      LEFT JOIN member_month_stats s ON s.member_id = d.mem AND s.month = d.mon
     ORDER BY d.mem, d.mon
    ON CONFLICT (member_id, month) DO UPDATE SET hours = EXCLUDED.hours, last_present = EXCLUDED.last_present;
    -- Only a removal can leave a row empty.
    DELETE FROM member_month_stats s
     USING unnest(p_members, p_months, p_hours, p_removed) AS d(mem, mon, h, r)
     WHERE (d.h < 0 OR d.r IS NOT NULL) AND s.member_id = d.mem AND s.month = d.mon AND s.hours = 0 AND s.last_present IS NULL;
END $$;

-- stats_flush applies everything the transaction queued, once. Locks are
-- taken in one order (branch buckets, then member buckets, each
-- ascending) by every flush, so flushes cannot deadlock on them.
CREATE FUNCTION stats_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_n bigint;
    v_bs bigint[];
    v_ms date[];
    v_whole bigint[];
    v_mem bigint[];
    v_mon date[];
    v_hrs numeric[];
    v_ad date[];
    v_rm date[];
    v_touched bigint[];
BEGIN
    WITH gone AS (DELETE FROM stats_pending WHERE xact = pg_current_xact_id() RETURNING *),
    pairs AS (SELECT DISTINCT b, m FROM gone g, unnest(g.branches, g.months) AS u(b, m) WHERE b IS NOT NULL),
    wholes AS (SELECT DISTINCT x FROM gone g, unnest(g.whole) AS u(x) WHERE x IS NOT NULL),
    deltas AS (
        SELECT u.mem, u.mon, coalesce(sum(u.h), 0) AS h, max(u.a) AS a, max(u.r) AS r
          FROM gone g, unnest(g.members, g.member_months, g.hours, g.added, g.removed) AS u(mem, mon, h, a, r)
         WHERE u.mem IS NOT NULL AND u.mem NOT IN (SELECT x FROM wholes)
         GROUP BY u.mem, u.mon)
    SELECT (SELECT count(*) FROM gone),
           (SELECT array_agg(b ORDER BY b, m) FROM pairs), (SELECT array_agg(m ORDER BY b, m) FROM pairs),
           (SELECT array_agg(x ORDER BY x) FROM wholes),
           d.mem, d.mon, d.h, d.a, d.r
      FROM (SELECT array_agg(mem ORDER BY mem, mon) AS mem, array_agg(mon ORDER BY mem, mon) AS mon,
                   array_agg(h ORDER BY mem, mon) AS h, array_agg(a ORDER BY mem, mon) AS a,
                   array_agg(r ORDER BY mem, mon) AS r FROM deltas) d
      INTO v_n, v_bs, v_ms, v_whole, v_mem, v_mon, v_hrs, v_ad, v_rm;
    IF v_n = 0 THEN
        RETURN NULL; -- an earlier row's flush took this transaction's queue
    END IF;
    IF v_bs IS NOT NULL THEN
        PERFORM stats_recount_branch_months(v_bs, v_ms);
    END IF;
    PERFORM pg_advisory_xact_lock(7420001, b)
       FROM (SELECT DISTINCT (x % 1024)::int AS b FROM unnest(coalesce(v_whole, '{}') || coalesce(v_mem, '{}')) AS u(x) ORDER BY 1) k;
    IF v_whole IS NOT NULL THEN
        PERFORM stats_recount_members(v_whole);
    END IF;
    IF v_mem IS NOT NULL THEN
        PERFORM stats_apply_member_deltas(v_mem, v_mon, v_hrs, v_ad, v_rm);
    END IF;
    SELECT array_agg(DISTINCT x ORDER BY x) INTO v_touched FROM (
        SELECT unnest(v_bs) AS x
        UNION ALL
        SELECT branch_id FROM members WHERE id = ANY (coalesce(v_whole, '{}') || coalesce(v_mem, '{}'))) t;
    IF v_touched IS NOT NULL THEN
        PERFORM branch_status_touch(v_touched);
    END IF;
    RETURN NULL;
END $$;

CREATE CONSTRAINT TRIGGER stats_pending_flush AFTER INSERT ON stats_pending
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION stats_flush();

-- stats_queue adds a statement's changes to the transaction's queue. d
-- holds member-month deltas as rows (member_id, month, hours, added,
-- removed); more than 500 members go to whole instead.
CREATE FUNCTION stats_queue(p_branch bigint[], p_month date[], p_whole bigint[],
                            d_members bigint[], d_months date[], d_hours numeric[], d_added date[], d_removed date[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(array_length(d_members, 1), 0) > 0
       AND (SELECT count(DISTINCT x) FROM unnest(d_members) AS u(x)) > 500 THEN
        p_whole := coalesce(p_whole, '{}') || ARRAY(SELECT DISTINCT x FROM unnest(d_members) AS u(x));
        d_members := NULL; d_months := NULL; d_hours := NULL; d_added := NULL; d_removed := NULL;
    END IF;
    IF p_branch IS NULL AND p_whole IS NULL AND d_members IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stats_pending (branches, months, whole, members, member_months, hours, added, removed)
    VALUES (p_branch, p_month, p_whole, d_members, d_months, d_hours, d_added, d_removed);
END $$;

-- The statement triggers now queue.
CREATE OR REPLACE FUNCTION stats_meetings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    bs bigint[];
    ms date[];
    dm bigint[];
    dmon date[];
    dh numeric[];
    da date[];
    dr date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        WITH keys AS (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM new_rows),
        d AS (SELECT at.member_id, stats_month(n.starts_at) AS mon, max((n.starts_at AT TIME ZONE 'Asia/Shanghai')::date) AS a
                FROM new_rows n JOIN attendance at ON at.meeting_id = n.id
               WHERE at.status = 'present' AND n.status IN ('draft', 'submitted') GROUP BY 1, 2)
        SELECT (SELECT array_agg(b ORDER BY b, m) FROM keys), (SELECT array_agg(m ORDER BY b, m) FROM keys),
               (SELECT array_agg(member_id) FROM d), (SELECT array_agg(mon) FROM d),
               (SELECT array_agg(0::numeric) FROM d), (SELECT array_agg(a) FROM d), (SELECT array_agg(NULL::date) FROM d)
          INTO bs, ms, dm, dmon, dh, da, dr;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH moved_new AS (SELECT id, org_id, kind, starts_at, status FROM new_rows EXCEPT SELECT id, org_id, kind, starts_at, status FROM old_rows),
        moved_old AS (SELECT id, org_id, kind, starts_at, status FROM old_rows EXCEPT SELECT id, org_id, kind, starts_at, status FROM new_rows),
        keys AS (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM (SELECT * FROM moved_new UNION ALL SELECT * FROM moved_old) x),
        ch AS (SELECT at.member_id, stats_month(x.starts_at) AS mon, (x.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day, x.added
                 FROM (SELECT *, true AS added FROM moved_new UNION ALL SELECT *, false FROM moved_old) x
                 JOIN attendance at ON at.meeting_id = x.id
                WHERE at.status = 'present' AND x.status IN ('draft', 'submitted')),
        d AS (SELECT member_id, mon, max(day) FILTER (WHERE added) AS a, max(day) FILTER (WHERE NOT added) AS r FROM ch GROUP BY 1, 2)
        SELECT (SELECT array_agg(b ORDER BY b, m) FROM keys), (SELECT array_agg(m ORDER BY b, m) FROM keys),
               (SELECT array_agg(member_id) FROM d), (SELECT array_agg(mon) FROM d),
               (SELECT array_agg(0::numeric) FROM d), (SELECT array_agg(a) FROM d), (SELECT array_agg(r) FROM d)
          INTO bs, ms, dm, dmon, dh, da, dr;
    ELSE
        -- Their attendance goes by cascade; its trigger recounts the members.
        WITH keys AS (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM old_rows)
        SELECT array_agg(b ORDER BY b, m), array_agg(m ORDER BY b, m) INTO bs, ms FROM keys;
    END IF;
    PERFORM stats_queue(bs, ms, NULL, dm, dmon, dh, da, dr);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_attendance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    ids bigint[];
    mem bigint[];
    bs bigint[];
    ms date[];
    dm bigint[];
    dmon date[];
    dh numeric[];
    da date[];
    dr date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM new_rows;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem
          FROM (SELECT meeting_id, member_id FROM new_rows UNION ALL SELECT meeting_id, member_id FROM old_rows) x;
    ELSE
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM old_rows;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    SELECT array_agg(b ORDER BY b, m), array_agg(m ORDER BY b, m) INTO bs, ms FROM (
        SELECT DISTINCT stats_branch_of(mt.org_id) b, stats_month(mt.starts_at) m
          FROM meetings mt WHERE mt.id = ANY (ids)) x;
    -- A bulk change, or meetings deleted in the same statement (cascade:
    -- the meetings trigger queues their months): whole histories.
    IF array_length(mem, 1) > 500 OR bs IS NULL
       OR EXISTS (SELECT 1 FROM unnest(ids) AS u(i) WHERE NOT EXISTS (SELECT 1 FROM meetings WHERE id = u.i)) THEN
        PERFORM stats_queue(bs, ms, mem, NULL, NULL, NULL, NULL, NULL);
        RETURN NULL;
    END IF;
    -- Present rows added and removed, at meetings that count. An update
    -- that leaves a row's status as it was changes nothing.
    IF TG_OP = 'INSERT' THEN
        WITH d AS (SELECT x.member_id, stats_month(mt.starts_at) AS mon, max((mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date) AS a
                     FROM new_rows x JOIN meetings mt ON mt.id = x.meeting_id
                    WHERE x.status = 'present' AND mt.status IN ('draft', 'submitted') GROUP BY 1, 2)
        SELECT array_agg(member_id), array_agg(mon), array_agg(0::numeric), array_agg(a), array_agg(NULL::date)
          INTO dm, dmon, dh, da, dr FROM d;
    ELSIF TG_OP = 'UPDATE' THEN
        WITH ch AS (
            SELECT meeting_id, member_id, true AS added FROM (SELECT meeting_id, member_id FROM new_rows WHERE status = 'present'
                                                              EXCEPT SELECT meeting_id, member_id FROM old_rows WHERE status = 'present') n
            UNION ALL
            SELECT meeting_id, member_id, false FROM (SELECT meeting_id, member_id FROM old_rows WHERE status = 'present'
                                                      EXCEPT SELECT meeting_id, member_id FROM new_rows WHERE status = 'present') o),
        d AS (SELECT ch.member_id, stats_month(mt.starts_at) AS mon,
                     max((mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE ch.added) AS a,
                     max((mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date) FILTER (WHERE NOT ch.added) AS r
                FROM ch JOIN meetings mt ON mt.id = ch.meeting_id
               WHERE mt.status IN ('draft', 'submitted') GROUP BY 1, 2)
        SELECT array_agg(member_id), array_agg(mon), array_agg(0::numeric), array_agg(a), array_agg(r)
          INTO dm, dmon, dh, da, dr FROM d;
    ELSE
        WITH d AS (SELECT x.member_id, stats_month(mt.starts_at) AS mon, max((mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date) AS r
                     FROM old_rows x JOIN meetings mt ON mt.id = x.meeting_id
                    WHERE x.status = 'present' AND mt.status IN ('draft', 'submitted') GROUP BY 1, 2)
        SELECT array_agg(member_id), array_agg(mon), array_agg(0::numeric), array_agg(NULL::date), array_agg(r)
          INTO dm, dmon, dh, da, dr FROM d;
    END IF;
    PERFORM stats_queue(bs, ms, NULL, dm, dmon, dh, da, dr);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_credits_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    dm bigint[];
    dmon date[];
    dh numeric[];
    da date[];
    dr date[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(member_id), array_agg(mon), array_agg(h), array_agg(NULL::date), array_agg(NULL::date) INTO dm, dmon, dh, da, dr
          FROM (SELECT member_id, date_trunc('month', earned_on)::date AS mon, sum(hours) AS h FROM new_rows GROUP BY 1, 2) x;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(member_id), array_agg(mon), array_agg(h), array_agg(NULL::date), array_agg(NULL::date) INTO dm, dmon, dh, da, dr
          FROM (SELECT member_id, mon, sum(h) AS h FROM (
                    SELECT member_id, date_trunc('month', earned_on)::date AS mon, hours AS h FROM new_rows
                    UNION ALL
                    SELECT member_id, date_trunc('month', earned_on)::date, -hours FROM old_rows) y
                 GROUP BY 1, 2 HAVING sum(h) <> 0) x;
    ELSE
        SELECT array_agg(member_id), array_agg(mon), array_agg(h), array_agg(NULL::date), array_agg(NULL::date) INTO dm, dmon, dh, da, dr
          FROM (SELECT member_id, date_trunc('month', earned_on)::date AS mon, -sum(hours) AS h FROM old_rows GROUP BY 1, 2) x;
    END IF;
    PERFORM stats_queue(NULL, NULL, NULL, dm, dmon, dh, da, dr);
    RETURN NULL;
END $$;
