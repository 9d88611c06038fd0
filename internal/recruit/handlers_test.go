package recruit_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/recruit"
)

func TestBoardAndOverviewByRole(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary").Get("/recruitment")
	if sec.Status != http.StatusOK {
		t.Fatalf("secretary: %d", sec.Status)
	}
	doc := sec.Doc()
	for _, st := range []string{"applicant", "activist", "target", "probationary"} {
		if doc.Find(`[data-testid="stage-`+st+`"]`).Length() != 1 {
			t.Errorf("no column %s", st)
		}
	}
	branch := app.OrgID(t, "办公室党支部")
	inPipeline := app.Int(t, `SELECT count(*) FROM members WHERE branch_id = $1 AND in_pipeline(category, party_status)`, branch)
	if got := doc.Find(`[data-testid="recruit-card"]`).Length(); int64(got) != inPipeline || got == 0 {
		t.Errorf("cards %d, want %d", got, inPipeline)
	}
	rev := app.Login(t, "reviewer").Get("/recruitment")
	if rev.Status != http.StatusOK || rev.Doc().Find(`[data-testid="count-row"]`).Length() < 6 {
		t.Fatalf("reviewer: %d, %d rows", rev.Status, rev.Doc().Find(`[data-testid="count-row"]`).Length())
	}
	all := app.Int(t, `SELECT count(*) FROM members WHERE in_pipeline(category, party_status)`)
	total := 0
	rev.Doc().Find(`[data-testid^="total-"]`).Each(func(_ int, s *goquery.Selection) {
		n, _ := strconv.Atoi(strings.TrimSpace(s.Text()))
		total += n
	})
	if int64(total) != all {
		t.Errorf("subtree totals %d, want %d", total, all)
	}
	if r := app.Login(t, "member").Get("/recruitment"); r.Status != http.StatusForbidden {
		t.Errorf("member: %d", r.Status)
	}
	if r := app.Login(t, "secretary").Get(fmt.Sprintf("/recruitment?branch=%d", app.OrgID(t, "财务处党支部"))); r.Status != http.StatusNotFound {
		t.Errorf("secretary on another branch: %d", r.Status)
	}
}

func TestRecordStepsThroughTheForm(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	id := newApplicant(t, app, branch, "表单申请人")
	sec := app.Login(t, "secretary")
	path := fmt.Sprintf("/recruitment/%d", id)
	page := sec.Get(path)
	if page.Status != http.StatusOK || page.Doc().Find(`[data-testid="form-kind"]`).Text() != "递交入党申请" {
		t.Fatalf("file: %d %q", page.Status, page.Doc().Find(`[data-testid="form-kind"]`).Text())
	}
	post := func(v url.Values) *apptest.Response { return sec.PostForm(path+"/steps", v) }
	if r := post(url.Values{"kind": {"application"}, "done_on": {"2023-01-05"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("application: %d", r.Status)
	}
	contact := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' ORDER BY id LIMIT 1`, branch)
	if r := post(url.Values{"kind": {"activist"}, "done_on": {"2023-03-01"}, "person_a": {strconv.FormatInt(contact, 10)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("activist: %d %s", r.Status, r.Body)
	}
	// Named a development target a day short of a year: refused, the
	// article cited, the input kept.
	r := post(url.Values{"kind": {"target"}, "done_on": {"2024-02-29"}, "details": {"支委会研究"}})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("early target: %d", r.Status)
	}
	if cite := r.Doc().Find(`[data-testid="refusal-cite"]`).Text(); !strings.Contains(cite, "第十三条") {
		t.Errorf("citation: %q", cite)
	}
	if v, _ := r.Doc().Find(`input[name="done_on"]`).Attr("value"); v != "2024-02-29" {
		t.Errorf("date not kept: %q", v)
	}
	if !strings.Contains(r.Doc().Find(`textarea[name="details"]`).Text(), "支委会研究") {
		t.Error("details not kept")
	}
	if r := post(url.Values{"kind": {"target"}, "done_on": {"2024-03-01"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("target: %d", r.Status)
	}
	// Bad input: a 422, never a 500.
	for _, v := range []url.Values{{"kind": {"nonsense"}}, {"kind": {"training"}, "done_on": {"yesterday"}}, {"kind": {"training"}, "done_on": {"2024-04-01"}, "hours": {"-3"}}} {
		if r := post(v); r.Status != http.StatusUnprocessableEntity {
			t.Errorf("%v: %d", v, r.Status)
		}
	}
	// A talk a month and a day after the application is kept, marked late.
	if r := post(url.Values{"kind": {"talk"}, "done_on": {"2023-02-06"}, "person_a": {strconv.FormatInt(contact, 10)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("talk: %d %s", r.Status, r.Body)
	}
	file := sec.Get(path)
	if file.Doc().Find(`[data-testid="step-late"]`).Length() != 1 || file.Doc().Find(`[data-testid="step-row"]`).Length() != 4 {
		t.Errorf("late marks %d, rows %d", file.Doc().Find(`[data-testid="step-late"]`).Length(), file.Doc().Find(`[data-testid="step-row"]`).Length())
	}
	if got := file.Doc().Find(`[data-testid="recruit-stage"]`).Text(); got != "发展对象" {
		t.Errorf("stage %q", got)
	}
	pr := sec.Get(path + "/print")
	if pr.Status != http.StatusOK || pr.Doc().Find(`[data-testid="print-step"]`).Length() != 4 || pr.Doc().Find(`[data-testid="doc-missing"]`).Length() == 0 {
		t.Errorf("print: %d, %d steps", pr.Status, pr.Doc().Find(`[data-testid="print-step"]`).Length())
	}
	// The reviewer reads but does not write.
	rev := app.Login(t, "reviewer")
	if r := rev.Get(path); r.Status != http.StatusOK || r.Doc().Find(`[data-testid="step-form"]`).Length() != 0 {
		t.Errorf("reviewer file: %d", r.Status)
	}
	if r := rev.PostForm(path+"/steps", url.Values{"kind": {"training"}, "done_on": {"2024-04-01"}, "hours": {"24"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer post: %d", r.Status)
	}
}

func TestDemoShowsEveryState(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	doc := app.Login(t, "secretary").Get("/recruitment").Doc()
	card := func(name string) *goquery.Selection {
		return doc.Find(`[data-testid="recruit-card"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
			return s.Find("strong").Text() == name
		})
	}
	for _, c := range []struct {
		name, stage, mark string
	}{
		{"孙晓", "applicant", "due-soon"},
		{"周宁", "applicant", "overdue"},
		{"王悦", "target", "card-flagged"},
		{"陈诺", "target", "overdue"},
		{"褚航", "probationary", "due-soon"},
		{"卫岚", "probationary", "card-late"},
	} {
		s := card(c.name)
		if s.Length() != 1 {
			t.Errorf("%s: %d cards", c.name, s.Length())
			continue
		}
		if s.Closest(`[data-testid="stage-`+c.stage+`"]`).Length() != 1 {
			t.Errorf("%s not under %s", c.name, c.stage)
		}
		if s.Find(`[data-testid="`+c.mark+`"]`).Length() == 0 {
			t.Errorf("%s: no %s mark", c.name, c.mark)
		}
	}
	if card("蒋涛").Length() != 0 {
		t.Error("a full member is still on the board")
	}
	rev := app.Login(t, "reviewer").Get("/recruitment").Doc()
	if rev.Find(`[data-testid="waiting-row"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return strings.Contains(s.Text(), "陈诺") && s.Find(`[data-testid="overdue"]`).Length() == 1
	}).Length() != 1 {
		t.Error("the overdue approval is not waiting for the committee")
	}
	if !strings.Contains(rev.Find(`[data-testid="recruit-intake"]`).Text(), "转正 1 名") {
		t.Errorf("intake: %q", rev.Find(`[data-testid="recruit-intake"]`).Text())
	}
}

func TestTodosForTheWorkbench(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	items, err := recruit.Todos(t.Context(), app.Pool, []int64{branch}, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	var overdue, soon int
	for _, it := range items {
		if it.Area != "recruit" || it.URL == "" || it.Due.IsZero() {
			t.Errorf("item %+v", it)
		}
		if it.Overdue {
			overdue++
		} else {
			soon++
		}
	}
	if overdue < 2 || soon < 2 || !items[0].Overdue {
		t.Errorf("%d overdue, %d soon: %+v", overdue, soon, items)
	}
	if none, err := recruit.Todos(t.Context(), app.Pool, nil, time.Now()); err != nil || len(none) != 0 {
		t.Errorf("no branches: %v %v", none, err)
	}
}
