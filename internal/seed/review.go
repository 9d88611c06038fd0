package seed

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// reviews adds what the committee's review shows: an overdue
// rectification item in a struggling branch, and last year's ratings with
// one branch's answer.
func (g *gen) reviews(ctx context.Context) error {
	finance := g.branches[2]
	if _, err := g.tx.Exec(ctx, `
INSERT INTO rectification_items (org_id, problem, measure, owner_id, deadline, status)
VALUES ($1, '支委会会议记录不完整', '补齐会议记录，建立会议记录审核制度', $2, $3, 'open')`,
		finance.id, finance.members[0].id, g.today.AddDate(0, 0, -15)); err != nil {
		return fmt.Errorf("overdue item: %w", err)
	}
	var reviewer, secretary int64
	if err := g.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'reviewer'`).Scan(&reviewer); err != nil {
		return fmt.Errorf("reviewer account: %w", err)
	}
	if err := g.tx.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'secretary'`).Scan(&secretary); err != nil {
		return fmt.Errorf("secretary account: %w", err)
	}
	period := strconv.Itoa(g.today.Year() - 1)
	at := time.Date(g.today.Year(), 1, 20, 10, 0, 0, 0, time.UTC)
	rows := []struct {
		b                     *branch
		rating, comments, fix string
		response              string
	}{
		{g.branches[0], "advanced", "“三会一课”制度落实到位，会议记录规范完整。", "", "感谢党委肯定，支部将继续保持。"},
		{g.branches[3], "good", "组织生活正常开展，学习形式较丰富。", "进一步提高党小组会质量。", ""},
		{g.branches[2], "lagging", "支委会、党员大会召开不经常，存在党员长期不参加组织生活的情况。", "一季度内补齐会议记录，对长期不参加组织生活的党员开展谈心谈话。", ""},
		{g.branches[4], "fair", "主题党日开展不够经常。", "按月开展主题党日。", ""},
	}
	for _, r := range rows {
		var respondedAt *time.Time
		var responder *int64
		if r.response != "" {
			t := at.AddDate(0, 0, 6)
			respondedAt, responder = &t, &secretary
		}
		if _, err := g.tx.Exec(ctx, `
INSERT INTO branch_reviews (branch_id, period, rating, comments, corrections, reviewer_id, reviewed_at, response, responder_id, responded_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			r.b.id, period, r.rating, r.comments, r.fix, reviewer, at, r.response, responder, respondedAt); err != nil {
			return fmt.Errorf("review %s: %w", r.b.name, err)
		}
	}
	return nil
}
