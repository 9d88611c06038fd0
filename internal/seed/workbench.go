package seed

import (
	"context"
	"fmt"
)

// workbench loads the states of the members' own requests and of the
// notifications: leave requests pending, approved and refused; study-hour
// claims pending, approved and refused; unread and read messages in the
// inbox; and a mail job that failed for good, for the administrator.
func (g *gen) workbench(ctx context.Context) error {
	var memberID, memberAcc, secAcc, branchID int64
	err := g.tx.QueryRow(ctx, `
SELECT m.id, a.id, m.branch_id, (SELECT account_id FROM account_roles WHERE role = 'secretary' AND org_id = m.branch_id LIMIT 1)
  FROM accounts a JOIN members m ON m.id = a.member_id WHERE a.username = 'member'`).Scan(&memberID, &memberAcc, &branchID, &secAcc)
	if err != nil {
		return fmt.Errorf("workbench: demo member: %w", err)
	}
	rows, err := g.tx.Query(ctx, `SELECT id FROM meetings WHERE org_id = $1 AND status = 'planned' AND kind <> 'committee' ORDER BY starts_at LIMIT 2`, branchID)
	if err != nil {
		return err
	}
	var planned []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		planned = append(planned, id)
	}
	rows.Close()
	if len(planned) < 2 {
		return fmt.Errorf("workbench: the demo branch has %d planned meetings, want 2", len(planned))
	}
	rows, err = g.tx.Query(ctx, `
SELECT m.id FROM members m WHERE m.branch_id = $1 AND m.id <> $2 AND in_good_standing(m.category, m.party_status)
 ORDER BY m.id LIMIT 4`, branchID, memberID)
	if err != nil {
		return err
	}
	var others []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		others = append(others, id)
	}
	rows.Close()
	if len(others) < 4 {
		return fmt.Errorf("workbench: too few members in the demo branch")
	}
	// Leave: the demo member's pending request; another's approved (an
	// excused absence already in attendance); a third's refused.
	stmts := []struct {
		sql  string
		args []any
	}{
		{`INSERT INTO leave_requests (meeting_id, member_id, reason) VALUES ($1, $2, '赴外地参加业务培训')`, []any{planned[0], memberID}},
		{`INSERT INTO leave_requests (meeting_id, member_id, reason, status, decided_at, decided_by, note)
		  VALUES ($1, $2, '家中老人住院陪护', 'approved', now(), $3, '同意，请会后阅读会议纪要')`, []any{planned[0], others[0], secAcc}},
		{`INSERT INTO attendance (meeting_id, member_id, status, reason) VALUES ($1, $2, 'leave', '家中老人住院陪护')`, []any{planned[0], others[0]}},
		{`INSERT INTO leave_requests (meeting_id, member_id, reason, status, decided_at, decided_by, note)
		  VALUES ($1, $2, '手头工作较多', 'refused', now(), $3, '工作可以调整，请按时参加')`, []any{planned[1], others[1], secAcc}},
		// Credits: the demo member's pending claim; another's approved (its
		// study credit added); a third's refused.
		{`INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, certificate_no)
		  VALUES ($1, '网络学院：学习贯彻党的二十届三中全会精神专题', 'online', 6, $2, 'WLXY-2026-08815')`, []any{memberID, g.today.AddDate(0, 0, -6)}},
		{`WITH c AS (INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence, created_by)
		  VALUES ($1, 8, 'training', $2, '处级干部专题培训班 · PX-2026-0412', $3) RETURNING id)
		  INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, certificate_no, status, decided_at, decided_by, credit_id)
		  SELECT $1, '处级干部专题培训班', 'training', 8, $2, 'PX-2026-0412', 'approved', now(), $3, id FROM c`, []any{others[2], g.today.AddDate(0, 0, -20), secAcc}},
		{`INSERT INTO credit_requests (member_id, title, kind, hours, earned_on, certificate_no, status, decided_at, decided_by, note)
		  VALUES ($1, '业余读书会', 'self', 10, $2, '无', 'refused', now(), $3, '自学需有学习记录，读书会不计学时')`, []any{others[3], g.today.AddDate(0, 0, -15), secAcc}},
		// The inbox: the demo member's unread notice and an older read
		// reminder; the secretary's unread overdue notice.
		{`INSERT INTO notifications (account_id, kind, title, body, url, meeting_id, dedupe_key, created_at)
		  SELECT $1::bigint, 'meeting_notice', '会议通知：' || topic, o.name || ' 将召开“' || topic || '”。如不能参加，请在会前提出请假申请。', '/me/leave/' || m.id, m.id,
		         'notice:' || m.id || ':' || $1::bigint, now() - interval '2 days'
		    FROM meetings m JOIN organisations o ON o.id = m.org_id WHERE m.id = $2`, []any{memberAcc, planned[1]}},
		{`INSERT INTO notifications (account_id, kind, title, body, url, created_at, read_at)
		  VALUES ($1, 'reminder', '会前提醒：集中学习', '明天下午三点集中学习，请准时参加。', '/', now() - interval '20 days', now() - interval '19 days')`, []any{memberAcc}},
		{`INSERT INTO notifications (account_id, kind, title, body, url, created_at)
		  VALUES ($1, 'overdue', '支部有待办已逾期', '请打开工作台查看逾期事项。', '/', now() - interval '3 hours')`, []any{secAcc}},
		// A mail that failed for good (the mail server refused it eight
		// times), for the administrator's page of failed jobs.
		{`WITH n AS (INSERT INTO notifications (account_id, kind, title, body, url, created_at)
		  VALUES ($1, 'leave_decision', '请假未批准：研究下月支部工作安排', '工作可以调整，请按时参加', '/me/requests', now() - interval '1 day') RETURNING id)
		  INSERT INTO river_job (args, kind, max_attempts, queue, state, attempt, attempted_at, finalized_at, scheduled_at, created_at, errors)
		  SELECT jsonb_build_object('notification_id', n.id), 'notify_mail', 8, 'default', 'discarded', 8,
		         now() - interval '2 hours', now() - interval '2 hours', now() - interval '2 hours', now() - interval '1 day',
		         ARRAY[jsonb_build_object('at', now() - interval '2 hours', 'attempt', 8, 'error', 'notify: send: dial tcp 10.0.8.25:25: connect: connection refused')]
		    FROM n`, []any{secAcc}},
	}
	for _, s := range stmts {
		if _, err := g.tx.Exec(ctx, s.sql, s.args...); err != nil {
			return fmt.Errorf("workbench: %w", err)
		}
	}
	return nil
}
