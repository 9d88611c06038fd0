-- The dues roll-up's lock per branch (issue 21). Until now every dues
-- commit recomputed its branches' months under one advisory lock
-- (7420380), so the commits of all the agency's branches queued behind
-- each other. Now a refresh takes 7420380 shared and each of its branches'
-- own lock (key 7420381 << 32 | branch id) exclusively, in id order, so
-- two writers of one branch still never recompute from snapshots that
-- miss each other (the later waits, then reads what the earlier
-- committed), while writers of different branches run side by side. The
-- rare refresh that widens the span (a write before it, the hourly scan
-- moving it ahead, the first dues of the database) computes every branch
-- and takes 7420380 exclusively, as before. The flush takes the locks of
-- all its groups at once, so one commit never waits holding part of them.

-- dues_rollup_must_widen: whether a refresh from..to (NULL: the span's end)
-- must widen the span first.
CREATE FUNCTION dues_rollup_must_widen(p_from date, p_to date) RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT coalesce((SELECT (p_from IS NOT NULL AND p_from < s.from_month)
                            OR greatest((date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai') + interval '12 months')::date, p_to) > s.to_month
                       FROM dues_rollup_span s), true)
$$;

-- dues_rollup_lock takes what a refresh of the branches needs: the whole
-- roll-up when it must widen (or has just come to need it), else the
-- roll-up shared and each branch's own lock in id order.
CREATE FUNCTION dues_rollup_lock(p_branches bigint[], p_widen boolean) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p_widen THEN
        PERFORM pg_advisory_xact_lock(7420380);
        RETURN;
    END IF;
    PERFORM pg_advisory_xact_lock_shared(7420380);
    PERFORM pg_advisory_xact_lock((7420381::bigint << 32) | b)
       FROM (SELECT DISTINCT x AS b FROM unnest(p_branches) x WHERE x IS NOT NULL ORDER BY 1) u;
END $$;

-- dues_rollup_refresh_locked: dues_rollup_refresh's work, its locks held.
CREATE FUNCTION dues_rollup_refresh_locked(p_branches bigint[], p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
DECLARE
    v_cur  date := date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date;
    v_want date;
    v_all  bigint[];
    s      dues_rollup_span%ROWTYPE;
BEGIN
    p_branches := ARRAY(SELECT DISTINCT x FROM unnest(p_branches) x WHERE x IS NOT NULL ORDER BY x);
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
    IF (p_from IS NOT NULL AND p_from < s.from_month) OR v_want > s.to_month THEN
        -- Widening computes every branch: only under the exclusive lock.
        -- Taken here when the span came to need it after the shared one
        -- was taken (a rebuild in between); a waiter holding the shared
        -- lock too is then a deadlock PostgreSQL ends, never a wrong sum.
        PERFORM pg_advisory_xact_lock(7420380);
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
    END IF;
    PERFORM dues_rollup_compute(p_branches, greatest(coalesce(p_from, s.from_month), s.from_month), least(coalesce(p_to, s.to_month), s.to_month));
END $$;

-- dues_rollup_refresh recomputes the branches' months from..to (NULL: the
-- span's end) after a write, first widening the span (for every branch)
-- when the write reaches before it or the current month has come within a
-- year of its end.
CREATE OR REPLACE FUNCTION dues_rollup_refresh(p_branches bigint[], p_from date, p_to date) RETURNS void
LANGUAGE plpgsql SET jit = off AS $$
BEGIN
    PERFORM dues_rollup_lock(p_branches, dues_rollup_must_widen(p_from, p_to));
    PERFORM dues_rollup_refresh_locked(p_branches, p_from, p_to);
END $$;

-- dues_rollup_flush: the transaction's queue, each branch from its
-- earliest to its latest month queued, branches with the same range
-- together; the locks of all of them first.
CREATE OR REPLACE FUNCTION dues_rollup_flush() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    v_groups jsonb;
    v_all    bigint[];
    v_widen  boolean;
    g        record;
BEGIN
    WITH gone AS (DELETE FROM dues_rollup_pending WHERE xact = pg_current_xact_id() RETURNING *),
    per AS (SELECT b, min(coalesce(from_month, '0001-01-01')) AS f, max(coalesce(to_month, '9999-12-01')) AS t
              FROM gone, unnest(coalesce(gone.branches, '{}') || dues_member_branches(coalesce(gone.members, '{}'))) AS u(b)
             WHERE b IS NOT NULL GROUP BY b),
    grp AS (SELECT array_agg(b ORDER BY b) AS bs, nullif(f, '0001-01-01') AS f, nullif(t, '9999-12-01') AS t FROM per GROUP BY f, t)
    SELECT jsonb_agg(jsonb_build_object('bs', bs, 'f', f, 't', t)), bool_or(dues_rollup_must_widen(f, t)),
           ARRAY(SELECT DISTINCT x FROM grp, unnest(grp.bs) x ORDER BY 1)
      INTO v_groups, v_widen, v_all FROM grp;
    IF v_groups IS NULL THEN
        RETURN NULL;
    END IF;
    PERFORM dues_rollup_lock(v_all, v_widen);
    FOR g IN SELECT ARRAY(SELECT jsonb_array_elements_text(e->'bs')::bigint) AS bs, (e->>'f')::date AS f, (e->>'t')::date AS t
               FROM jsonb_array_elements(v_groups) e
    LOOP
        PERFORM dues_rollup_refresh_locked(g.bs, g.f, g.t);
    END LOOP;
    RETURN NULL;
END $$;
