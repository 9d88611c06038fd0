-- Back to one rollup refresh per statement (the trigger functions of 000040).
-- Anything still queued belongs to no open transaction once this runs.
DROP TRIGGER stats_pending_flush ON stats_pending;
DROP FUNCTION stats_flush();
DROP FUNCTION stats_queue(bigint[], date[], bigint[], bigint[], date[], numeric[], date[], date[]);
DROP FUNCTION stats_apply_member_deltas(bigint[], date[], numeric[], date[], date[]);
DROP FUNCTION stats_recount_branch_months(bigint[], date[]);
DROP FUNCTION stats_recount_members(bigint[]);
DROP TABLE stats_pending;

CREATE OR REPLACE FUNCTION stats_meetings_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION stats_attendance_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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

CREATE OR REPLACE FUNCTION stats_credits_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
