-- Branch months kept by deltas, with no per-branch lock: the design and why it equals a full recount are in docs/rollups.md.

-- The queue's new columns: per meeting, the statement's change of due and
-- present (mt_*), and first images (fi_*: organisation, kind, month, and
-- whether it counted; a new meeting's first image does not count).
ALTER TABLE stats_pending
    ADD COLUMN mt_id bigint[],
    ADD COLUMN mt_due integer[],
    ADD COLUMN mt_present integer[],
    ADD COLUMN fi_id bigint[],
    ADD COLUMN fi_org bigint[],
    ADD COLUMN fi_kind text[],
    ADD COLUMN fi_month date[],
    ADD COLUMN fi_held boolean[],
    ADD CONSTRAINT stats_pending_meetings_check CHECK (
        coalesce(array_length(mt_id, 1), 0) = coalesce(array_length(mt_due, 1), 0)
        AND coalesce(array_length(mt_id, 1), 0) = coalesce(array_length(mt_present, 1), 0)
        AND coalesce(array_length(fi_id, 1), 0) = coalesce(array_length(fi_org, 1), 0)
        AND coalesce(array_length(fi_id, 1), 0) = coalesce(array_length(fi_kind, 1), 0)
        AND coalesce(array_length(fi_id, 1), 0) = coalesce(array_length(fi_month, 1), 0)
        AND coalesce(array_length(fi_id, 1), 0) = coalesce(array_length(fi_held, 1), 0));

-- stats_quorate: whether a meeting with these counts was quorate (1 or 0).
CREATE FUNCTION stats_quorate(due bigint, present bigint) RETURNS integer LANGUAGE sql IMMUTABLE AS $$
    SELECT (due > 0 AND present * 2 > due)::integer
$$;

-- stats_lock_orgs takes the shared bucket locks of the organisations whose
-- branch the flush is about to read.
CREATE FUNCTION stats_lock_orgs(p_orgs bigint[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock_shared(7420003, b)
       FROM (SELECT DISTINCT (x % 1024)::int AS b FROM unnest(p_orgs) AS u(x) WHERE x IS NOT NULL ORDER BY 1) k;
END $$;

-- stats_enqueue adds a statement's changes to the transaction's queue:
-- stats_queue's, the meetings' count changes and first images.
CREATE FUNCTION stats_enqueue(p_whole bigint[],
                              d_members bigint[], d_months date[], d_hours numeric[], d_added date[], d_removed date[],
                              m_id bigint[], m_due integer[], m_present integer[],
                              f_id bigint[], f_org bigint[], f_kind text[], f_month date[], f_held boolean[]) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF coalesce(array_length(d_members, 1), 0) > 0
       AND (SELECT count(DISTINCT x) FROM unnest(d_members) AS u(x)) > 500 THEN
        p_whole := coalesce(p_whole, '{}') || ARRAY(SELECT DISTINCT x FROM unnest(d_members) AS u(x));
        d_members := NULL; d_months := NULL; d_hours := NULL; d_added := NULL; d_removed := NULL;
    END IF;
    IF p_whole IS NULL AND d_members IS NULL AND m_id IS NULL AND f_id IS NULL THEN
        RETURN;
    END IF;
    INSERT INTO stats_pending (whole, members, member_months, hours, added, removed,
                               mt_id, mt_due, mt_present, fi_id, fi_org, fi_kind, fi_month, fi_held)
    VALUES (p_whole, d_members, d_months, d_hours, d_added, d_removed,
            m_id, m_due, m_present, f_id, f_org, f_kind, f_month, f_held);
END $$;

-- stats_apply_branch_deltas adds deltas to branch_month_stats, key by key
-- in the order given (the caller sorts them, so flushes take the rows'
-- locks in one order and cannot deadlock on them): an update of the row,
-- or an insert when there is none (one that another transaction inserted
-- meanwhile is updated instead); a row left with held = 0 is deleted. A
-- row written once per transaction also spares the foreign key check that
-- a second update of a row the transaction wrote would run. A loss always
-- finds its row (it takes away a contribution that is there), so an
-- insert holds gains only.
CREATE FUNCTION stats_apply_branch_deltas(p_b bigint[], p_m date[], p_k text[],
                                          p_h integer[], p_q integer[], p_d integer[], p_p integer[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    v_held integer;
BEGIN
    FOR i IN 1 .. coalesce(array_length(p_b, 1), 0) LOOP
        UPDATE branch_month_stats
           SET held = held + p_h[i], quorate = quorate + p_q[i], due = due + p_d[i], present = present + p_p[i]
         WHERE branch_id = p_b[i] AND month = p_m[i] AND kind = p_k[i]
        RETURNING held INTO v_held;
        IF NOT FOUND THEN
            INSERT INTO branch_month_stats AS t (branch_id, month, kind, held, quorate, due, present)
            VALUES (p_b[i], p_m[i], p_k[i], p_h[i], p_q[i], p_d[i], p_p[i])
            ON CONFLICT (branch_id, month, kind) DO UPDATE
               SET held = t.held + EXCLUDED.held, quorate = t.quorate + EXCLUDED.quorate,
                   due = t.due + EXCLUDED.due, present = t.present + EXCLUDED.present
            RETURNING held INTO v_held;
        END IF;
        IF v_held = 0 THEN
            DELETE FROM branch_month_stats WHERE branch_id = p_b[i] AND month = p_m[i] AND kind = p_k[i];
        END IF;
    END LOOP;
END $$;

-- stats_flush applies everything the transaction queued, once: the
-- meetings' rows and organisations' shared locks, the branch months
-- (contributions and corrections, in key order), the members' months
-- under their bucket locks (ascending), then marks the branches stale.
CREATE OR REPLACE FUNCTION stats_flush() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
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
    v_ids bigint[];
    v_cid bigint[];
    v_due integer[];
    v_pre integer[];
    v_fid bigint[];
    v_forg bigint[];
    v_fkind text[];
    v_fmonth date[];
    v_fheld boolean[];
    v_kb bigint[];
    v_km date[];
    v_kk text[];
    v_kh integer[];
    v_kq integer[];
    v_kd integer[];
    v_kp integer[];
    v_keyed bigint[];
    v_touched bigint[];
BEGIN
    WITH gone AS (DELETE FROM stats_pending WHERE xact = pg_current_xact_id() RETURNING *),
    pairs AS (SELECT DISTINCT b, m FROM gone g, unnest(g.branches, g.months) AS u(b, m) WHERE b IS NOT NULL),
    wholes AS (SELECT DISTINCT x FROM gone g, unnest(g.whole) AS u(x) WHERE x IS NOT NULL),
    deltas AS (
        SELECT u.mem, u.mon, coalesce(sum(u.h), 0) AS h, max(u.a) AS a, max(u.r) AS r
          FROM gone g, unnest(g.members, g.member_months, g.hours, g.added, g.removed) AS u(mem, mon, h, a, r)
         WHERE u.mem IS NOT NULL AND u.mem NOT IN (SELECT x FROM wholes)
         GROUP BY u.mem, u.mon),
    mts AS (
        SELECT u.id, sum(u.d)::int AS d, sum(u.p)::int AS p
          FROM gone g, unnest(g.mt_id, g.mt_due, g.mt_present) AS u(id, d, p)
         WHERE u.id IS NOT NULL GROUP BY u.id),
    -- One first image per meeting (the triggers queue one per transaction).
    fis AS (
        SELECT DISTINCT ON (u.id) u.id, u.org, u.kind, u.month, u.held
          FROM gone g, unnest(g.fi_id, g.fi_org, g.fi_kind, g.fi_month, g.fi_held) AS u(id, org, kind, month, held)
         WHERE u.id IS NOT NULL ORDER BY u.id)
    SELECT (SELECT count(*) FROM gone),
           (SELECT array_agg(b ORDER BY b, m) FROM pairs), (SELECT array_agg(m ORDER BY b, m) FROM pairs),
           (SELECT array_agg(x ORDER BY x) FROM wholes),
           d.mem, d.mon, d.h, d.a, d.r,
           (SELECT array_agg(id ORDER BY id) FROM (SELECT id FROM mts UNION SELECT id FROM fis) x),
           (SELECT array_agg(id ORDER BY id) FROM mts), (SELECT array_agg(d ORDER BY id) FROM mts), (SELECT array_agg(p ORDER BY id) FROM mts),
           f.id, f.org, f.kind, f.month, f.held
      FROM (SELECT array_agg(mem ORDER BY mem, mon) AS mem, array_agg(mon ORDER BY mem, mon) AS mon,
                   array_agg(h ORDER BY mem, mon) AS h, array_agg(a ORDER BY mem, mon) AS a,
                   array_agg(r ORDER BY mem, mon) AS r FROM deltas) d,
           (SELECT array_agg(id) AS id, array_agg(org) AS org, array_agg(kind) AS kind,
                   array_agg(month) AS month, array_agg(held) AS held FROM fis) f
      INTO v_n, v_bs, v_ms, v_whole, v_mem, v_mon, v_hrs, v_ad, v_rm,
           v_ids, v_cid, v_due, v_pre, v_fid, v_forg, v_fkind, v_fmonth, v_fheld;
    IF v_n = 0 THEN
        RETURN NULL; -- an earlier row's flush took this transaction's queue
    END IF;
    IF v_ids IS NOT NULL THEN
        PERFORM 1 FROM meetings WHERE id = ANY (v_ids) ORDER BY id FOR NO KEY UPDATE;
        PERFORM stats_lock_orgs(ARRAY(SELECT org_id FROM meetings WHERE id = ANY (v_ids)) || v_forg);
        -- Each meeting's contribution now (none once deleted), minus its
        -- contribution before: counts now minus the queued changes, at its
        -- first image's key (or its key now). Not in the recounted months;
        -- zero rows keep the keys' branches to mark stale.
        WITH ch AS (SELECT * FROM unnest(v_cid, v_due, v_pre) AS u(id, d, p)),
        fi AS (SELECT * FROM unnest(v_fid, v_forg, v_fkind, v_fmonth, v_fheld) AS u(id, org, kind, month, held)),
        cur AS (SELECT stats_branch_of(mt.org_id) AS b, stats_month(mt.starts_at) AS m, mt.kind AS k,
                       coalesce(mt.status IN ('draft', 'submitted'), false) AS held,
                       coalesce(a.due, 0) AS due, coalesce(a.present, 0) AS present,
                       coalesce(ch.d, 0) AS dd, coalesce(ch.p, 0) AS dp,
                       fi.id IS NOT NULL AS imaged, stats_branch_of(fi.org) AS fb, fi.month AS fm, fi.kind AS fk, fi.held AS fh
                  FROM unnest(v_ids) AS i(id)
                  LEFT JOIN meetings mt ON mt.id = i.id
                  LEFT JOIN ch ON ch.id = i.id
                  LEFT JOIN fi ON fi.id = i.id
                  LEFT JOIN LATERAL (
                        SELECT count(*) FILTER (WHERE at.status <> 'observer') AS due,
                               count(*) FILTER (WHERE at.status = 'present') AS present
                          FROM attendance at WHERE at.meeting_id = mt.id) a ON true),
        terms AS (
            SELECT b, m, k, held::int AS h, held::int * stats_quorate(due, present) AS q,
                   held::int * due AS d, held::int * present AS p
              FROM cur WHERE b IS NOT NULL
            UNION ALL
            SELECT x.b, x.m, x.k, -x.h, -x.h * stats_quorate(cur.due - cur.dd, cur.present - cur.dp),
                   -x.h * (cur.due - cur.dd), -x.h * (cur.present - cur.dp)
              FROM cur CROSS JOIN LATERAL (
                    SELECT CASE WHEN cur.imaged THEN cur.fb ELSE cur.b END AS b,
                           CASE WHEN cur.imaged THEN cur.fm ELSE cur.m END AS m,
                           CASE WHEN cur.imaged THEN cur.fk ELSE cur.k END AS k,
                           (CASE WHEN cur.imaged THEN cur.fh ELSE cur.held END)::int AS h) x),
        sums AS (
            SELECT b, m, k, sum(h)::int AS h, sum(q)::int AS q, sum(d)::int AS d, sum(p)::int AS p
              FROM terms
             WHERE b IS NOT NULL AND NOT EXISTS (SELECT 1 FROM unnest(v_bs, v_ms) AS r(b, m) WHERE r.b = terms.b AND r.m = terms.m)
             GROUP BY b, m, k)
        SELECT (SELECT array_agg(DISTINCT b) FROM sums), y.b, y.m, y.k, y.h, y.q, y.d, y.p
          INTO v_keyed, v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp
          FROM (SELECT array_agg(b) AS b, array_agg(m) AS m, array_agg(k) AS k, array_agg(h) AS h,
                       array_agg(q) AS q, array_agg(d) AS d, array_agg(p) AS p
                  FROM sums WHERE h <> 0 OR q <> 0 OR d <> 0 OR p <> 0) y;
    END IF;
    IF v_bs IS NOT NULL THEN
        -- Corrections E - V of the recounted months, in one snapshot,
        -- with the deltas (other months: the keys are distinct).
        WITH k AS (SELECT DISTINCT u.b, u.m, o.id AS org,
                          u.m::timestamp AT TIME ZONE 'Asia/Shanghai' AS lo,
                          (u.m + interval '1 month') AT TIME ZONE 'Asia/Shanghai' AS hi
                     FROM unnest(v_bs, v_ms) AS u(b, m)
                     JOIN organisations o ON o.id = u.b OR (o.parent_id = u.b AND o.kind = 'group')),
        e AS (SELECT k.b, k.m, mt.kind AS k, count(*) AS h,
                     count(*) FILTER (WHERE a.due > 0 AND a.present * 2 > a.due) AS q,
                     coalesce(sum(a.due), 0) AS d, coalesce(sum(a.present), 0) AS p
                FROM k
                JOIN meetings mt ON mt.org_id = k.org AND mt.starts_at >= k.lo AND mt.starts_at < k.hi
                                AND mt.status IN ('draft', 'submitted')
                CROSS JOIN LATERAL (
                      SELECT count(*) FILTER (WHERE at.status <> 'observer') AS due,
                             count(*) FILTER (WHERE at.status = 'present') AS present
                        FROM attendance at WHERE at.meeting_id = mt.id) a
               GROUP BY k.b, k.m, mt.kind),
        v AS (SELECT s.branch_id AS b, s.month AS m, s.kind AS k, s.held AS h, s.quorate AS q, s.due AS d, s.present AS p
                FROM branch_month_stats s JOIN unnest(v_bs, v_ms) AS u(b, m) ON s.branch_id = u.b AND s.month = u.m),
        c AS (SELECT coalesce(e.b, v.b) AS b, coalesce(e.m, v.m) AS m, coalesce(e.k, v.k) AS k,
                     (coalesce(e.h, 0) - coalesce(v.h, 0))::int AS h, (coalesce(e.q, 0) - coalesce(v.q, 0))::int AS q,
                     (coalesce(e.d, 0) - coalesce(v.d, 0))::int AS d, (coalesce(e.p, 0) - coalesce(v.p, 0))::int AS p
                FROM e FULL JOIN v ON v.b = e.b AND v.m = e.m AND v.k = e.k),
        x AS (SELECT * FROM c WHERE h <> 0 OR q <> 0 OR d <> 0 OR p <> 0
              UNION ALL
              SELECT * FROM unnest(v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp) AS u(b, m, k, h, q, d, p))
        SELECT array_agg(b ORDER BY b, m, k), array_agg(m ORDER BY b, m, k), array_agg(k ORDER BY b, m, k),
               array_agg(h ORDER BY b, m, k), array_agg(q ORDER BY b, m, k), array_agg(d ORDER BY b, m, k),
               array_agg(p ORDER BY b, m, k)
          INTO v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp FROM x;
    ELSIF v_kb IS NOT NULL THEN
        SELECT array_agg(b ORDER BY b, m, k), array_agg(m ORDER BY b, m, k), array_agg(k ORDER BY b, m, k),
               array_agg(h ORDER BY b, m, k), array_agg(q ORDER BY b, m, k), array_agg(d ORDER BY b, m, k),
               array_agg(p ORDER BY b, m, k)
          INTO v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp
          FROM unnest(v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp) AS u(b, m, k, h, q, d, p);
    END IF;
    IF v_kb IS NOT NULL THEN
        PERFORM stats_apply_branch_deltas(v_kb, v_km, v_kk, v_kh, v_kq, v_kd, v_kp);
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
        SELECT unnest(v_keyed)
        UNION ALL
        SELECT branch_id FROM members WHERE id = ANY (coalesce(v_whole, '{}') || coalesce(v_mem, '{}'))) t;
    IF v_touched IS NOT NULL THEN
        PERFORM branch_status_touch(v_touched);
    END IF;
    RETURN NULL;
END $$;

-- The recount of 000080 is replaced by the corrections in stats_flush.
DROP FUNCTION stats_recount_branch_months(bigint[], date[]);

-- stats_first_images: the meetings among p_ids that have no first image
-- queued in this transaction yet.
CREATE FUNCTION stats_first_images(p_ids bigint[]) RETURNS bigint[] LANGUAGE sql STABLE AS $$
    SELECT array_agg(x) FROM unnest(p_ids) AS u(x)
     WHERE NOT EXISTS (SELECT 1 FROM stats_pending p
                        WHERE p.xact = pg_current_xact_id() AND p.fi_id IS NOT NULL AND u.x = ANY (p.fi_id))
$$;

CREATE OR REPLACE FUNCTION stats_meetings_changed() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    dm bigint[];
    dmon date[];
    dh numeric[];
    da date[];
    dr date[];
    fresh bigint[];
    fid bigint[];
    forg bigint[];
    fkind text[];
    fmonth date[];
    fheld boolean[];
BEGIN
    IF TG_OP = 'INSERT' THEN
        -- A new meeting's first image counts for nothing.
        WITH d AS (SELECT at.member_id, stats_month(n.starts_at) AS mon, max((n.starts_at AT TIME ZONE 'Asia/Shanghai')::date) AS a
                     FROM new_rows n JOIN attendance at ON at.meeting_id = n.id
                    WHERE at.status = 'present' AND n.status IN ('draft', 'submitted') GROUP BY 1, 2)
        SELECT (SELECT array_agg(member_id) FROM d), (SELECT array_agg(mon) FROM d),
               (SELECT array_agg(0::numeric) FROM d), (SELECT array_agg(a) FROM d), (SELECT array_agg(NULL::date) FROM d),
               f.id, f.org, f.kind, f.month, f.held
          INTO dm, dmon, dh, da, dr, fid, forg, fkind, fmonth, fheld
          FROM (SELECT array_agg(id) AS id, array_agg(org_id) AS org, array_agg(kind) AS kind,
                       array_agg(stats_month(starts_at)) AS month, array_agg(false) AS held FROM new_rows) f;
    ELSIF TG_OP = 'UPDATE' THEN
        -- Meetings whose counted fields changed, seen for the first time in
        -- this transaction: their first image (an image already queued holds
        -- the key their contribution is at).
        WITH moved_new AS (SELECT id, org_id, kind, starts_at, status FROM new_rows EXCEPT SELECT id, org_id, kind, starts_at, status FROM old_rows),
        moved_old AS (SELECT id, org_id, kind, starts_at, status FROM old_rows EXCEPT SELECT id, org_id, kind, starts_at, status FROM new_rows),
        ch AS (SELECT at.member_id, stats_month(x.starts_at) AS mon, (x.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS day, x.added
                 FROM (SELECT *, true AS added FROM moved_new UNION ALL SELECT *, false FROM moved_old) x
                 JOIN attendance at ON at.meeting_id = x.id
                WHERE at.status = 'present' AND x.status IN ('draft', 'submitted')),
        d AS (SELECT member_id, mon, max(day) FILTER (WHERE added) AS a, max(day) FILTER (WHERE NOT added) AS r FROM ch GROUP BY 1, 2)
        SELECT (SELECT array_agg(member_id) FROM d), (SELECT array_agg(mon) FROM d),
               (SELECT array_agg(0::numeric) FROM d), (SELECT array_agg(a) FROM d), (SELECT array_agg(r) FROM d),
               (SELECT array_agg(id) FROM moved_old)
          INTO dm, dmon, dh, da, dr, fresh;
        IF fresh IS NOT NULL THEN
            fresh := stats_first_images(fresh);
            SELECT array_agg(id), array_agg(org_id), array_agg(kind), array_agg(stats_month(starts_at)),
                   array_agg(status IN ('draft', 'submitted'))
              INTO fid, forg, fkind, fmonth, fheld FROM old_rows WHERE id = ANY (fresh);
        END IF;
    ELSE
        -- Their attendance goes by cascade (its trigger queues the counts
        -- removed and recounts the members): the flush takes their
        -- contribution away from their first image's key.
        fresh := stats_first_images(ARRAY(SELECT id FROM old_rows));
        SELECT array_agg(id), array_agg(org_id), array_agg(kind), array_agg(stats_month(starts_at)),
               array_agg(status IN ('draft', 'submitted'))
          INTO fid, forg, fkind, fmonth, fheld FROM old_rows WHERE id = ANY (fresh);
    END IF;
    PERFORM stats_enqueue(NULL, dm, dmon, dh, da, dr, NULL, NULL, NULL, fid, forg, fkind, fmonth, fheld);
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION stats_attendance_changed() RETURNS trigger LANGUAGE plpgsql
    SET plan_cache_mode = force_generic_plan AS $$
DECLARE
    ids bigint[];
    mem bigint[];
    dm bigint[];
    dmon date[];
    dh numeric[];
    da date[];
    dr date[];
    cm bigint[];
    cd integer[];
    cp integer[];
BEGIN
    -- The statement's change of each meeting's counts (rows in minus rows
    -- out); the flush turns them into the branch months' deltas.
    IF TG_OP = 'INSERT' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM new_rows;
        SELECT array_agg(meeting_id), array_agg(d), array_agg(p) INTO cm, cd, cp
          FROM (SELECT meeting_id, count(*) FILTER (WHERE status <> 'observer')::int AS d,
                       count(*) FILTER (WHERE status = 'present')::int AS p FROM new_rows GROUP BY 1) x;
    ELSIF TG_OP = 'UPDATE' THEN
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem
          FROM (SELECT meeting_id, member_id FROM new_rows UNION ALL SELECT meeting_id, member_id FROM old_rows) x;
        SELECT array_agg(meeting_id), array_agg(d), array_agg(p) INTO cm, cd, cp
          FROM (SELECT meeting_id, sum(d)::int AS d, sum(p)::int AS p
                  FROM (SELECT meeting_id, (status <> 'observer')::int AS d, (status = 'present')::int AS p FROM new_rows
                        UNION ALL
                        SELECT meeting_id, -(status <> 'observer')::int, -(status = 'present')::int FROM old_rows) y
                 GROUP BY 1) x;
    ELSE
        SELECT array_agg(DISTINCT meeting_id), array_agg(DISTINCT member_id) INTO ids, mem FROM old_rows;
        SELECT array_agg(meeting_id), array_agg(d), array_agg(p) INTO cm, cd, cp
          FROM (SELECT meeting_id, -count(*) FILTER (WHERE status <> 'observer')::int AS d,
                       -count(*) FILTER (WHERE status = 'present')::int AS p FROM old_rows GROUP BY 1) x;
    END IF;
    IF ids IS NULL THEN
        RETURN NULL;
    END IF;
    -- The members, as in 000080. A bulk change, or meetings deleted in the
    -- same statement (cascade): whole histories.
    IF array_length(mem, 1) > 500
       OR EXISTS (SELECT 1 FROM unnest(ids) AS u(i) WHERE NOT EXISTS (SELECT 1 FROM meetings WHERE id = u.i)) THEN
        PERFORM stats_enqueue(mem, NULL, NULL, NULL, NULL, NULL, cm, cd, cp, NULL, NULL, NULL, NULL, NULL);
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
    PERFORM stats_enqueue(NULL, dm, dmon, dh, da, dr, cm, cd, cp, NULL, NULL, NULL, NULL, NULL);
    RETURN NULL;
END $$;

-- Organisations: a group moved to another branch (or an organisation that
-- becomes or stops being a group) moves its meetings' contributions: their
-- months are recounted in both branches. A row trigger takes the
-- exclusive bucket lock before the update goes on (so before the
-- branch_status rows are marked, which a flush holding the shared lock
-- may be waiting for), held to the commit: it waits for the flushes that
-- read the old branch and holds off those that would.
CREATE FUNCTION stats_org_lock() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7420003, (NEW.id % 1024)::int);
    RETURN NEW;
END $$;
CREATE TRIGGER stats_orgs_lock BEFORE UPDATE ON organisations FOR EACH ROW
    WHEN ((CASE WHEN NEW.kind = 'group' THEN NEW.parent_id ELSE NEW.id END)
          IS DISTINCT FROM (CASE WHEN OLD.kind = 'group' THEN OLD.parent_id ELSE OLD.id END))
    EXECUTE FUNCTION stats_org_lock();

CREATE FUNCTION stats_orgs_changed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    moved bigint[];
    bs bigint[];
    ms date[];
BEGIN
    SELECT array_agg(n.id) INTO moved
      FROM new_rows n JOIN old_rows o ON o.id = n.id
     WHERE CASE WHEN n.kind = 'group' THEN n.parent_id ELSE n.id END
           IS DISTINCT FROM CASE WHEN o.kind = 'group' THEN o.parent_id ELSE o.id END;
    IF moved IS NULL THEN
        RETURN NULL;
    END IF;
    WITH br AS (SELECT n.id, CASE WHEN n.kind = 'group' THEN n.parent_id ELSE n.id END AS b FROM new_rows n WHERE n.id = ANY (moved)
                UNION
                SELECT o.id, CASE WHEN o.kind = 'group' THEN o.parent_id ELSE o.id END FROM old_rows o WHERE o.id = ANY (moved)),
    keys AS (SELECT DISTINCT br.b, stats_month(mt.starts_at) AS m
               FROM br JOIN meetings mt ON mt.org_id = br.id WHERE br.b IS NOT NULL)
    SELECT array_agg(b ORDER BY b, m), array_agg(m ORDER BY b, m) INTO bs, ms FROM keys;
    PERFORM stats_queue(bs, ms, NULL, NULL, NULL, NULL, NULL, NULL);
    RETURN NULL;
END $$;
CREATE TRIGGER stats_orgs_upd AFTER UPDATE ON organisations REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION stats_orgs_changed();
