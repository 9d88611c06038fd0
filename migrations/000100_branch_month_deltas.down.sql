-- Back to 000080: branch months recounted under the branch bucket locks.
-- Anything still queued belongs to no open transaction once this runs.
DROP TRIGGER stats_orgs_upd ON organisations;
DROP FUNCTION stats_orgs_changed();
DROP TRIGGER stats_orgs_lock ON organisations;
DROP FUNCTION stats_org_lock();
DROP FUNCTION stats_first_images(bigint[]);
DROP FUNCTION stats_apply_branch_deltas(bigint[], date[], text[], integer[], integer[], integer[], integer[]);
DROP FUNCTION stats_enqueue(bigint[], bigint[], date[], numeric[], date[], date[], bigint[], integer[], integer[],
                            bigint[], bigint[], text[], date[], boolean[]);
DROP FUNCTION stats_lock_orgs(bigint[]);
DROP FUNCTION stats_quorate(bigint, bigint);
ALTER TABLE stats_pending
    DROP CONSTRAINT stats_pending_meetings_check,
    DROP COLUMN mt_id, DROP COLUMN mt_due, DROP COLUMN mt_present,
    DROP COLUMN fi_id, DROP COLUMN fi_org, DROP COLUMN fi_kind, DROP COLUMN fi_month, DROP COLUMN fi_held;

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

CREATE OR REPLACE FUNCTION stats_flush() RETURNS trigger LANGUAGE plpgsql AS $$
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
