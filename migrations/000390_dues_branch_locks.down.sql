-- Back to one advisory lock (7420380) for every dues commit.
CREATE OR REPLACE FUNCTION dues_rollup_flush() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION dues_rollup_refresh(p_branches bigint[], p_from date, p_to date) RETURNS void
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

DROP FUNCTION IF EXISTS dues_rollup_refresh_locked(bigint[], date, date);
DROP FUNCTION IF EXISTS dues_rollup_lock(bigint[], boolean);
DROP FUNCTION IF EXISTS dues_rollup_must_widen(date, date);
