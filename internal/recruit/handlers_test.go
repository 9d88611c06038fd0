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
	converted := app.Int(t, `SELECT count(*) FROM recruit_steps WHERE kind = 'conversion_approval' AND outcome = 'passed' AND extract(year FROM done_on) = extract(year FROM current_date)`)
	if !strings.Contains(rev.Find(`[data-testid="recruit-intake"]`).Text(), fmt.Sprintf("转正 %d 名", converted)) {
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

func TestLettersOutAndReceipts(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	sec := app.Login(t, "secretary")
	path := fmt.Sprintf("/recruitment/transfers?branch=%d", branch)
	if r := sec.Get(path); r.Status != http.StatusOK || r.TestID("empty") == "" {
		t.Fatalf("no letters yet: %d", r.Status)
	}
	// A letter issued a hundred days ago: valid 30 days, its receipt due
	// 30 days later (the settings), now late.
	early := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' ORDER BY id LIMIT 1 OFFSET 5`, branch)
	issued := time.Now().UTC().Truncate(24*time.Hour).AddDate(0, 0, -100)
	if _, err := recruit.NewStore(app.Pool).Issue(t.Context(), recruit.Letter{MemberID: early, BranchID: branch, LetterNo: "机组转字第007号",
		IssuedOn: issued, ValidUntil: issued.AddDate(0, 0, 30), Destination: "中共某市发展和改革委员会机关委员会"}); err != nil {
		t.Fatal(err)
	}
	page := sec.Get(path)
	if page.Status != http.StatusOK || page.Doc().Find(`[data-testid="receipt-late"]`).Length() != 1 {
		t.Fatalf("letters: %d, %d late", page.Status, page.Doc().Find(`[data-testid="receipt-late"]`).Length())
	}
	leaver := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' ORDER BY id DESC LIMIT 1`, branch)
	form := url.Values{"branch": {fmt.Sprint(branch)}, "member_id": {fmt.Sprint(leaver)}, "letter_no": {"机组转字第100号"},
		"destination": {"中共某区委组织部"}, "issued_on": {"2026-01-05"}, "valid_until": {"2026-01-04"}}
	if r := sec.PostForm("/recruitment/transfers", form); r.Status != http.StatusUnprocessableEntity || r.Doc().Find(`#f-valid_until-error`).Length() == 0 {
		t.Fatalf("validity before issue: %d", r.Status)
	}
	form.Set("valid_until", "2026-02-04")
	if r := sec.PostForm("/recruitment/transfers", form); r.Status != http.StatusSeeOther {
		t.Fatalf("issue: %d %s", r.Status, r.Body)
	}
	var status string
	if err := app.Pool.QueryRow(t.Context(), `SELECT party_status FROM members WHERE id = $1`, leaver).Scan(&status); err != nil || status != "transferred_out" {
		t.Fatalf("roster status %q %v", status, err)
	}
	if n := app.Int(t, `SELECT count(*) FROM member_events WHERE member_id = $1 AND kind = 'transferred_out' AND letter_no = '机组转字第100号'`, leaver); n != 1 {
		t.Errorf("member events %d", n)
	}
	// The same number again is refused beside the field.
	other := app.Int(t, `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND party_status = 'normal' ORDER BY id DESC LIMIT 1`, branch)
	form.Set("member_id", fmt.Sprint(other))
	if r := sec.PostForm("/recruitment/transfers", form); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("duplicate number: %d", r.Status)
	}
	letter := app.Int(t, `SELECT id FROM transfer_letters WHERE letter_no = '机组转字第100号'`)
	pr := sec.Get(fmt.Sprintf("/recruitment/transfers/%d/print", letter))
	if pr.Status != http.StatusOK || !strings.Contains(pr.Doc().Find(`[data-testid="letter-number"]`).Text(), "机组转字第100号") {
		t.Errorf("print: %d", pr.Status)
	}
	receipt := fmt.Sprintf("/recruitment/transfers/%d/receipt", letter)
	if r := app.Login(t, "reviewer").PostForm(receipt, url.Values{"receipt_on": {"2026-01-20"}}); r.Status != http.StatusForbidden {
		t.Errorf("reviewer receipt: %d", r.Status)
	}
	if r := sec.PostForm(receipt, url.Values{"receipt_on": {"2026-01-04"}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("receipt before issue: %d", r.Status)
	}
	if r := sec.PostForm(receipt, url.Values{"receipt_on": {"2026-01-20"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("receipt: %d", r.Status)
	}
	if r := sec.PostForm(receipt, url.Values{"receipt_on": {"2026-01-21"}}); r.Status != http.StatusConflict {
		t.Errorf("second receipt: %d", r.Status)
	}
	items, err := recruit.Todos(t.Context(), app.Pool, []int64{branch}, time.Now().UTC().Truncate(24*time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	late := 0
	for _, it := range items {
		if strings.Contains(it.Title, "回执") && it.Overdue {
			late++
		}
	}
	if late != 1 {
		t.Errorf("late receipts on the workbench: %d", late)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action IN ('recruit.letter_issue', 'recruit.letter_receipt') AND entity_id = $1`, letter); n != 2 {
		t.Errorf("audit rows %d", n)
	}
}

func TestChangeARuleFromADay(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	adm := app.Login(t, "admin")
	if r := adm.Get("/admin/recruit-rules"); r.Status != http.StatusOK || r.Doc().Find(`[data-testid="rule-row"]`).Length() != 18 {
		t.Fatalf("rules page: %d, %d rows", r.Status, r.Doc().Find(`[data-testid="rule-row"]`).Length())
	}
	today := time.Now().UTC().Truncate(24 * time.Hour)
	if r := adm.PostForm("/admin/recruit-rules", url.Values{"code": {"notice_workdays"}, "amount": {"7"}, "from": {today.AddDate(0, 0, -1).Format(time.DateOnly)}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("back-dated: %d", r.Status)
	}
	from := today.AddDate(0, 0, 10)
	if r := adm.PostForm("/admin/recruit-rules", url.Values{"code": {"notice_workdays"}, "amount": {"7"}, "from": {from.Format(time.DateOnly)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("change: %d %s", r.Status, r.Body)
	}
	for _, c := range []struct {
		on   time.Time
		want int
	}{{from.AddDate(0, 0, -1), 5}, {from, 7}} {
		r, err := recruit.LoadRules(t.Context(), app.Pool, c.on)
		if err != nil || r.N("notice_workdays") != c.want || r.N("talk_months") != 1 {
			t.Errorf("%v: %d (%s) %v", c.on, r.N("notice_workdays"), r.Set, err)
		}
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'recruit.rule_change'`); n != 1 {
		t.Errorf("audit %d", n)
	}
}

func TestRosterDatesBreakingARuleAreFlagged(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	id := app.Int(t, `INSERT INTO members (branch_id, name, gender, birth_date, category, applied_on, activist_on, target_on)
VALUES ($1, '名册导入', 'male', '1992-04-01', 'target', '2023-01-10', '2023-03-31', '2024-03-30') RETURNING id`, branch)
	sec := app.Login(t, "secretary")
	file := sec.Get(fmt.Sprintf("/recruitment/%d", id))
	if file.Status != http.StatusOK || file.Doc().Find(`[data-testid="roster-flag"]`).Length() != 1 {
		t.Fatalf("file: %d, %d flags", file.Status, file.Doc().Find(`[data-testid="roster-flag"]`).Length())
	}
	board := sec.Get("/recruitment").Doc()
	flagged := board.Find(`[data-testid="recruit-card"]`).FilterFunction(func(_ int, s *goquery.Selection) bool {
		return s.Find("strong").Text() == "名册导入" && s.Find(`[data-testid="card-flagged"]`).Length() == 1
	})
	if flagged.Length() != 1 {
		t.Error("the board does not flag the roster's early target date")
	}
}
