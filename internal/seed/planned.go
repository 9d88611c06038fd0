package seed

import (
	"context"
	"fmt"
	"time"

	"zhibu/internal/i18n"
)

// plannedMeetings schedules the coming weeks' meetings of the diligent
// branches, so that members see upcoming meetings and the calendar feed
// has something in it.
func (g *gen) plannedMeetings(ctx context.Context) error {
	plans := []struct {
		kind, topic, place string
		days, hour         int
		hours              float64
	}{
		{"committee", "研究下月支部工作安排", "第一会议室", 5, 9, 0},
		{"party_day", "主题党日：走进革命纪念馆", "革命纪念馆", 12, 14, 2},
		{"study", "集中学习：党的创新理论", "党员活动室", 19, 15, 2},
	}
	for _, b := range g.branches {
		if b.diligence < 0.9 {
			continue
		}
		var host *int64
		if len(b.committee) > 0 {
			host = &b.committee[0].id
		}
		for _, p := range plans {
			day := g.today.AddDate(0, 0, p.days)
			start := time.Date(day.Year(), day.Month(), day.Day(), p.hour, 0, 0, 0, i18n.Shanghai)
			var form *string
			if p.kind == "study" {
				f := "central"
				form = &f
			}
			_, err := g.tx.Exec(ctx, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, host_id, agenda, study_form, study_hours, status, entered_at)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'planned', $11)`,
				b.id, p.kind, p.topic, start, start.Add(90*time.Minute), p.place, host, "1. "+p.topic, form, p.hours, g.today.AddDate(0, 0, -2))
			if err != nil {
				return fmt.Errorf("planned meeting: %w", err)
			}
		}
	}
	return nil
}
