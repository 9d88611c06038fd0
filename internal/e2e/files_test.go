package e2e

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
)

// TestFiles: a branch answers a plan task with a file in the browser and
// the reviewer sees it beside the accept/return form; a case page shows
// its photos. Screenshots in both languages at desktop and phone width.
func TestFiles(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	var answer int64
	if err := app.Pool.QueryRow(ctx, `
WITH t AS (
  INSERT INTO plan_tasks (org_id, year, title, description, due_on, target, done_by)
  SELECT o.parent_id, extract(year FROM current_date)::int, '报送党建工作制度汇编', '将本支部现行制度汇编成册报送。', current_date + 10, 'list', 'document'
    FROM organisations o WHERE o.name = '办公室党支部' RETURNING id)
INSERT INTO plan_answers (task_id, org_id) SELECT t.id, o.id FROM t, organisations o WHERE o.name = '办公室党支部' RETURNING id`).Scan(&answer); err != nil {
		t.Fatal(err)
	}
	path := "/plans/answers/" + strconv.FormatInt(answer, 10)
	pdf := filepath.Join(t.TempDir(), "制度汇编.pdf")
	if err := os.WriteFile(pdf, []byte("%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"), 0o600); err != nil {
		t.Fatal(err)
	}

	sec := newBrowser(t, "zh-CN,zh")
	signIn(sec, app, "secretary")
	sec.Do(chromedp.Navigate(app.URL+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="answer-form"]`)))
	sec.set("f-note", "制度汇编见附件。")
	sec.Do(chromedp.SetUploadFiles(chromedp.ID("f-file"), []string{pdf}))
	sec.submit(`[data-testid="answer-save"]`)
	sec.Do(chromedp.WaitVisible(chromedp.CSS(`[data-testid="answer-file"]`)))

	rev := newBrowser(t, "zh-CN,zh")
	signIn(rev, app, "reviewer")
	rev.Do(chromedp.Navigate(app.URL+path), chromedp.WaitVisible(chromedp.CSS(`[data-testid="review-form"]`)))
	if got := rev.Text(`[data-testid="answer-file"]`); got != "制度汇编.pdf" {
		t.Fatalf("the reviewer sees the file as %q", got)
	}
	rev.ShootBoth("plan-answer-file")

	// The demo's featured case of 办公室 has its photos; they load.
	c := app.Int(t, `SELECT c.id FROM cases c JOIN case_photos p ON p.case_id = c.id JOIN organisations o ON o.id = c.branch_id
 WHERE o.name = '办公室党支部' AND c.featured ORDER BY c.id LIMIT 1`)
	rev.Do(chromedp.Navigate(app.URL+"/cases/"+strconv.FormatInt(c, 10)), chromedp.WaitVisible(chromedp.CSS(`[data-testid="case-photo"] img`)))
	// Wait for the photos to be decoded (the harness's way: poll the page).
	deadline := time.Now().Add(30 * time.Second)
	for {
		loaded, err := chromedp.Run(rev.ctx, chromedp.Evaluate[bool](`(() => {
  const imgs = Array.from(document.querySelectorAll('[data-testid="case-photo"] img'));
  return imgs.length >= 1 && imgs.every(i => i.complete && i.naturalWidth > 0);
})()`))
		if err == nil && loaded {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the case's photos did not load: %v", err)
		}
		time.Sleep(25 * time.Millisecond)
	}
	rev.ShootBoth("case-photos")
}
