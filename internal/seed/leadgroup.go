package seed

import (
	"context"
	"fmt"
	"time"
)

// leadershipGroup creates the agency's Party group (党组) whose yearly
// democratic-life meeting lifeMeetings records: the leaders, each still a
// member of their own branch (双重组织生活), the first as secretary and the
// second (the demo reviewer) as deputy; a former member who left before
// last year's meeting, and one who joined after it. It returns the group.
func (g *gen) leadershipGroup(ctx context.Context, leaders []*member, held time.Time) (int64, error) {
	var id int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO leadership_groups (committee_id, kind, name) VALUES ($1, 'party_group', '示范机关党组') RETURNING id`,
		g.committeeID).Scan(&id); err != nil {
		return 0, fmt.Errorf("leadership group: %w", err)
	}
	since := time.Date(held.Year()-3, 3, 1, 0, 0, 0, 0, time.UTC)
	add := func(m *member, role string, from time.Time, to *time.Time) error {
		_, err := g.tx.Exec(ctx, `INSERT INTO leadership_group_members (group_id, member_id, role, from_on, to_on) VALUES ($1, $2, $3, $4, $5)`,
			id, m.id, role, from, to)
		return err
	}
	for i, m := range leaders {
		role := "member"
		switch i {
		case 0:
			role = "secretary"
		case 1:
			role = "deputy"
		}
		if err := add(m, role, since, nil); err != nil {
			return 0, fmt.Errorf("leadership group member: %w", err)
		}
	}
	left := held.AddDate(0, -2, 0)
	if err := add(g.branches[4].members[1], "member", since, &left); err != nil {
		return 0, fmt.Errorf("leadership group former member: %w", err)
	}
	if err := add(g.branches[0].members[8], "member", held.AddDate(0, 3, 0), nil); err != nil {
		return 0, fmt.Errorf("leadership group new member: %w", err)
	}
	return id, nil
}

// leadGroups sets up this year's democratic-life meeting of the Party
// group and leaves it in preparation, not held, near the year's end: the
// bad state the group's page and list show (last year's was held).
func (g *gen) leadGroups(ctx context.Context) error {
	var groupID int64
	if err := g.tx.QueryRow(ctx, `SELECT id FROM leadership_groups WHERE committee_id = $1 ORDER BY id LIMIT 1`, g.committeeID).Scan(&groupID); err != nil {
		return fmt.Errorf("leadership group: %w", err)
	}
	var lifeID int64
	if err := g.tx.QueryRow(ctx, `INSERT INTO life_meetings (org_id, group_id, kind, year, theme) VALUES ($1, $2, 'democratic_life', $3, $4) RETURNING id`,
		g.committeeID, groupID, g.today.Year(), "以学铸魂、以学增智，对照检查班子和个人存在的问题").Scan(&lifeID); err != nil {
		return fmt.Errorf("this year's democratic-life meeting: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO life_participants (life_id, member_id)
SELECT $1, member_id FROM leadership_group_members WHERE group_id = $2 AND from_on <= $3::date AND (to_on IS NULL OR to_on >= $3::date)`,
		lifeID, groupID, g.today); err != nil {
		return fmt.Errorf("this year's participants: %w", err)
	}
	_, err := g.tx.Exec(ctx, `INSERT INTO life_steps (life_id, kind, done_on, evidence) VALUES ($1, 'study', $2, '班子集中学习两次')`, lifeID, g.today.AddDate(0, -1, 0))
	return err
}
