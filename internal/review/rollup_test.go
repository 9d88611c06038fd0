package review_test

import (
	"context"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
)

// rollupDrift counts rows where the trigger-maintained rollups differ from
// a recount of the record tables.
const rollupDrift = `
WITH exp_b AS (
  SELECT CASE WHEN o.kind = 'group' THEN o.parent_id ELSE o.id END AS branch_id,
         date_trunc('month', mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date AS month, mt.kind,
         count(*)::int AS held,
         count(*) FILTER (WHERE a.due > 0 AND a.present * 2 > a.due)::int AS quorate,
         sum(a.due)::int AS due, sum(a.present)::int AS present
    FROM meetings mt JOIN organisations o ON o.id = mt.org_id
    CROSS JOIN LATERAL (SELECT count(*) FILTER (WHERE status <> 'observer') AS due,
                               count(*) FILTER (WHERE status = 'present') AS present
                          FROM attendance WHERE meeting_id = mt.id) a
   WHERE mt.status <> 'planned'
   GROUP BY 1, 2, 3),
got_b AS (SELECT branch_id, month, kind, held, quorate, due, present FROM branch_month_stats),
exp_m AS (
  SELECT member_id, month, sum(hours)::numeric(8,1) AS hours, max(lp) AS last_present FROM (
    SELECT member_id, date_trunc('month', earned_on)::date AS month, hours, NULL::date AS lp FROM study_credits
    UNION ALL
    SELECT a.member_id, date_trunc('month', mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date, 0, (mt.starts_at AT TIME ZONE 'Asia/Shanghai')::date
      FROM attendance a JOIN meetings mt ON mt.id = a.meeting_id WHERE a.status = 'present' AND mt.status <> 'planned') x
  GROUP BY 1, 2),
got_m AS (SELECT member_id, month, hours, last_present FROM member_month_stats)
SELECT (SELECT count(*) FROM (SELECT * FROM exp_b EXCEPT SELECT * FROM got_b) d) +
       (SELECT count(*) FROM (SELECT * FROM got_b EXCEPT SELECT * FROM exp_b) d),
       (SELECT count(*) FROM (SELECT * FROM exp_m EXCEPT SELECT * FROM got_m) d) +
       (SELECT count(*) FROM (SELECT * FROM got_m EXCEPT SELECT * FROM exp_m) d),
       (SELECT count(*) FROM got_b), (SELECT count(*) FROM got_m)`

func checkRollups(t *testing.T, app *apptest.App, step string) {
	t.Helper()
	var db, dm, nb, nm int
	if err := app.Pool.QueryRow(context.Background(), rollupDrift).Scan(&db, &dm, &nb, &nm); err != nil {
		t.Fatalf("%s: %v", step, err)
	}
	if db != 0 || dm != 0 {
		t.Errorf("%s: rollups drift from the records: %d branch rows, %d member rows", step, db, dm)
	}
	if nb == 0 || nm == 0 {
		t.Errorf("%s: rollups empty (%d, %d)", step, nb, nm)
	}
}

func TestRollupsFollowTheRecords(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	checkRollups(t, app, "after the demo load")

	var branch, group, m1, m2 int64
	if err := app.Pool.QueryRow(ctx, `SELECT o.id, g.id FROM organisations o JOIN organisations g ON g.parent_id = o.id AND g.kind = 'group' WHERE o.name = '办公室党支部' LIMIT 1`).Scan(&branch, &group); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT min(id), max(id) FROM members WHERE branch_id = $1`, branch).Scan(&m1, &m2); err != nil {
		t.Fatal(err)
	}
	// Late on the last day of a month, China time: it belongs to that month.
	at := time.Date(2026, 3, 31, 23, 30, 0, 0, i18n.Shanghai)
	exec := func(step, sql string, args ...any) {
		t.Helper()
		if _, err := app.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkRollups(t, app, step)
	}
	var mid int64
	if err := app.Pool.QueryRow(ctx, `INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, status) VALUES ($1, 'committee', '测试', $2, $3, 'draft') RETURNING id`, branch, at, at.Add(time.Hour)).Scan(&mid); err != nil {
		t.Fatal(err)
	}
	checkRollups(t, app, "insert meeting")
	var held int
	if err := app.Pool.QueryRow(ctx, `SELECT held FROM branch_month_stats WHERE branch_id = $1 AND month = '2026-03-01' AND kind = 'committee'`, branch).Scan(&held); err != nil || held < 1 {
		t.Errorf("meeting at 23:30 on 31 March not counted in March: %d %v", held, err)
	}
	exec("insert attendance", `INSERT INTO attendance (meeting_id, member_id, status) VALUES ($1, $2, 'present'), ($1, $3, 'absent')`, mid, m1, m2)
	exec("update attendance", `UPDATE attendance SET status = 'present' WHERE meeting_id = $1 AND member_id = $2`, mid, m2)
	exec("insert credits", `INSERT INTO study_credits (member_id, meeting_id, hours, kind, earned_on) VALUES ($1, $2, 2, 'meeting', '2026-03-31'), ($3, NULL, 3, 'online', '2026-04-02')`, m1, mid, m2)
	exec("update credits", `UPDATE study_credits SET hours = 5, earned_on = '2026-05-01' WHERE member_id = $1 AND meeting_id IS NULL AND earned_on = '2026-04-02'`, m2)
	exec("meeting back to planned", `UPDATE meetings SET status = 'planned' WHERE id = $1`, mid)
	exec("meeting recorded again", `UPDATE meetings SET status = 'draft' WHERE id = $1`, mid)
	exec("meeting moved a month", `UPDATE meetings SET starts_at = starts_at + interval '1 hour', ends_at = ends_at + interval '1 hour' WHERE id = $1`, mid)
	exec("meeting moved to a group", `UPDATE meetings SET org_id = $2 WHERE id = $1`, mid, group)
	exec("delete attendance", `DELETE FROM attendance WHERE meeting_id = $1 AND member_id = $2`, mid, m2)
	exec("delete credits", `DELETE FROM study_credits WHERE member_id = $1 AND meeting_id IS NULL`, m2)
	exec("delete meeting (cascade)", `DELETE FROM meetings WHERE id = $1`, mid)
	exec("bulk update", `UPDATE attendance SET status = 'leave', reason = '出差' WHERE member_id = $1`, m1)
}
