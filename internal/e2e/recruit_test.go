package e2e

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// recordStep opens the file's form of kind, fills the fields and saves;
// with refused set it expects the form back with the article cited.
func (b *Browser) recordStep(base string, id int64, kind string, fields map[string]string, refused bool) {
	b.t.Helper()
	b.Do(chromedp.Navigate(fmt.Sprintf("%s/recruitment/%d?kind=%s", base, id, kind)), chromedp.WaitVisible(chromedp.ID("f-done_on")))
	for k, v := range fields {
		b.set("f-"+k, v)
	}
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="step-save"]`)))
	if refused {
		b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="refusal-cite"]`)))
		return
	}
	// The flash shows only on the page the save redirects to; a row of
	// the same kind may be there already (a second assessment), and
	// navigating on before the redirect lands would abort it.
	b.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="flash"]`)),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf(`[data-testid="step-row"][data-kind="%s"]`, kind))))
}

// TestRecruitmentJourney: a secretary takes an applicant from the
// application to full membership, recording each step with its past date;
// a development target named a day short of a year is refused with the
// article; the reviewer sees the subtree. Screenshots in both languages at
// desktop and phone width.
func TestRecruitmentJourney(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	branch := app.OrgID(t, "办公室党支部")
	id := app.Int(t, `INSERT INTO members (branch_id, name, gender, birth_date, department, category)
VALUES ($1, '欧阳晓敏', 'female', '1994-03-08', '办公室', 'applicant') RETURNING id`, branch)
	var a, c int64
	if err := app.Pool.QueryRow(ctx, `SELECT min(id), max(id) FROM (SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' ORDER BY id LIMIT 2) x`, branch).Scan(&a, &c); err != nil {
		t.Fatal(err)
	}
	pa, pc := fmt.Sprint(a), fmt.Sprint(c)
	due := fmt.Sprint(app.Int(t, `SELECT count(*) FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' AND converted_on <= '2024-05-20'`, branch))

	b := newBrowser(t, "zh-CN,zh")
	signIn(b, app, "secretary")
	b.Do(chromedp.Navigate(app.URL+"/recruitment"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recruit-board"]`)))
	b.ShootBoth("recruit-board")

	step := func(kind string, f map[string]string) { b.recordStep(app.URL, id, kind, f, false) }
	step("application", map[string]string{"done_on": "2022-09-01"})
	step("talk", map[string]string{"done_on": "2022-09-20", "person_a": pa})
	step("recommendation", map[string]string{"done_on": "2023-02-10", "people": "机关团委推优"})
	step("thought_report", map[string]string{"done_on": "2023-02-20", "details": "学习党章体会"})
	step("activist", map[string]string{"done_on": "2023-03-01", "person_a": pa, "person_b": pc})
	step("activist_filed", map[string]string{"done_on": "2023-03-06"})
	step("assessment", map[string]string{"done_on": "2023-08-30"})
	step("assessment", map[string]string{"done_on": "2024-02-28"})
	// A day short of a year as activist: refused, 第十三条 named.
	// (A refused form is the answer to a POST: the language is switched on
	// the file page and the form sent again for the English photograph.)
	b.recordStep(app.URL, id, "target", map[string]string{"done_on": "2024-02-29"}, true)
	if got := b.Text(`[data-testid="refusal-cite"]`); !strings.Contains(got, "第十三条") {
		t.Fatalf("refusal cites %q", got)
	}
	b.Shoot("recruit-refused-zh")
	file := fmt.Sprintf("%s/recruitment/%d", app.URL, id)
	b.Do(chromedp.Navigate(file), chromedp.WaitVisible(chromedp.CSS(`[data-testid="lang-switch"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] main`)))
	b.recordStep(app.URL, id, "target", map[string]string{"done_on": "2024-02-29"}, true)
	b.Shoot("recruit-refused-en")
	b.Do(chromedp.Navigate(file), chromedp.WaitVisible(chromedp.CSS(`[data-testid="lang-switch"]`)),
		chromedp.Click(chromedp.CSS(`[data-testid="lang-switch"]`)), chromedp.WaitVisible(chromedp.CSS(`html[lang="zh-Hans"] main`)))
	step("target", map[string]string{"done_on": "2024-03-01"})
	step("target_filed", map[string]string{"done_on": "2024-03-05"})
	step("introducers", map[string]string{"done_on": "2024-03-05", "person_a": pa, "person_b": pc})
	step("political_review", map[string]string{"done_on": "2024-04-01", "outcome": "passed"})
	step("training", map[string]string{"done_on": "2024-04-12", "hours": "24", "days": "3", "doc_no": "JG-PX-2404"})
	step("branch_review", map[string]string{"done_on": "2024-04-20"})
	step("pre_review", map[string]string{"done_on": "2024-04-25"})
	step("notice", map[string]string{"done_on": "2024-04-29", "end_on": "2024-05-08", "outcome": "passed"})
	step("form_issued", map[string]string{"done_on": "2024-05-10", "doc_no": "ZY20240510"})
	step("admission_meeting", map[string]string{"done_on": "2024-05-20", "due_count": due, "present": due, "in_favour": due})
	step("higher_talk", map[string]string{"done_on": "2024-06-05", "people": "机关党委组织员 刘明"})
	step("approval", map[string]string{"done_on": "2024-06-20", "outcome": "passed"})
	step("oath", map[string]string{"done_on": "2024-07-01"})
	step("probation_assessment", map[string]string{"done_on": "2024-11-20"})
	step("conversion_application", map[string]string{"done_on": "2025-04-20"})
	step("conversion_meeting", map[string]string{"done_on": "2025-05-20", "outcome": "on_time", "due_count": due, "present": due, "in_favour": due})
	b.ShootBoth("recruit-file")
	step("conversion_approval", map[string]string{"done_on": "2025-06-10", "outcome": "passed"})
	if got := b.Text(`[data-testid="recruit-stage"]`); got != "正式党员" {
		t.Errorf("stage %q", got)
	}
	var cat string
	var converted time.Time
	if err := app.Pool.QueryRow(ctx, `SELECT category, converted_on FROM members WHERE id = $1`, id).Scan(&cat, &converted); err != nil {
		t.Fatal(err)
	}
	if cat != "full" || converted.Format(time.DateOnly) != "2025-05-20" {
		t.Errorf("roster: %s from %s, want full from the end of probation", cat, converted.Format(time.DateOnly))
	}
	b.ShootBoth("recruit-file-full")
	b.Do(chromedp.Click(chromedp.CSS(`[data-testid="recruit-print-link"]`)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recruit-print"]`)))
	b.ShootBoth("recruit-print")

	r := newBrowser(t, "zh-CN,zh")
	signIn(r, app, "reviewer")
	r.Do(chromedp.Navigate(app.URL+"/recruitment"), chromedp.WaitVisible(chromedp.CSS(`[data-testid="recruit-counts"]`)))
	r.ShootBoth("recruit-overview")
}
