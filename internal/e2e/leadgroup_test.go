package e2e

import (
	"fmt"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestLeadershipGroupJourney (issue 18): the reviewer sees the demo's
// Party group whose democratic-life meeting of this year is not held,
// creates a standing committee, adds its secretary and a member (both
// keep their branches), and sets up and opens its democratic-life
// meeting, whose participants are the two members.
func TestLeadershipGroupJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "reviewer")
	b.Do(chromedp.Navigate(app.URL+"/leadership-groups"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="leadgroup-not-held"]`)))
	b.ShootBoth("leadgroup-list")

	b.Do(chromedp.Navigate(app.URL+"/leadership-groups/new"), chromedp.WaitVisible(chromedp.ID("f-name")))
	b.set("f-name", "浏览器测试党委常委会")
	b.set("f-kind", "standing_committee")
	b.clickThen(`[data-testid="leadgroup-save"]`, `[data-testid="leadgroup-add-form"]`)
	group := app.Int(t, `SELECT id FROM leadership_groups WHERE name = '浏览器测试党委常委会'`)
	people := []int64{
		app.Int(t, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name = '办公室党支部' AND m.category = 'full' ORDER BY m.id LIMIT 1`),
		app.Int(t, `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.name = '财务处党支部' AND m.category = 'full' ORDER BY m.id LIMIT 1`),
	}
	for i, p := range people {
		role := "member"
		if i == 0 {
			role = "secretary"
		}
		b.set("f-member_id", strconv.FormatInt(p, 10))
		b.set("f-role", role)
		b.set("f-from_on", "2024-01-01")
		b.clickThen(`[data-testid="leadgroup-add"]`, fmt.Sprintf(`[data-testid="leadgroup-members"] tr:nth-child(%d)`, i+1))
	}
	b.ShootBoth("leadgroup-show")

	b.clickThen(`[data-testid="leadgroup-new-life"]`, `#f-theme`)
	b.set("f-theme", "以学铸魂、以学增智")
	b.clickThen(`[data-testid="life-create"]`, `[data-testid="life-group-link"]`)
	b.ShootBoth("leadgroup-life")
	lifeID := app.Int(t, `SELECT id FROM life_meetings WHERE group_id = $1`, group)
	if n := app.Int(t, `SELECT count(*) FROM life_participants WHERE life_id = $1 AND member_id = ANY($2)`, lifeID, people); n != 2 {
		t.Errorf("participants: %d of the group's 2 members", n)
	}
	if !strings.Contains(b.Location(), fmt.Sprintf("/life/%d", lifeID)) {
		t.Errorf("after set-up at %s", b.Location())
	}
}
