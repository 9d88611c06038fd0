package notices_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/notices"
	"zhibu/internal/recruit"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func day(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

// A notice is up from its first day to its last, both included; a public
// notice takes objections only then.
func TestPublishedBoundaries(t *testing.T) {
	t.Parallel()
	n := notices.Notice{Kind: notices.KindPublic, PublishFrom: day(2028, time.February, 29), PublishTo: day(2028, time.March, 31)}
	for _, c := range []struct {
		d    time.Time
		want bool
	}{
		{day(2028, time.February, 28), false},
		{day(2028, time.February, 29), true},
		{day(2028, time.March, 31), true},
		{day(2028, time.April, 1), false},
	} {
		if got := n.TakesObjections(c.d); got != c.want {
			t.Errorf("%s: %v, want %v", c.d.Format(time.DateOnly), got, c.want)
		}
	}
	n.Kind = "dues"
	if n.TakesObjections(day(2028, time.March, 1)) {
		t.Error("a dues notice takes objections")
	}
}

// A public notice runs at least the set number of working days: Monday 2
// June 2025 to Thursday (4) is refused, to Friday (5) accepted; other kinds
// may run a single day.
func TestPublicNoticeWorkdays(t *testing.T) {
	t.Parallel()
	base := notices.Form{Branches: []notices.Branch{{ID: 1}}, BranchID: "1", Kind: notices.KindPublic, Title: "公示", Body: "内容", MinWorkdays: 5}
	for _, c := range []struct {
		kind, from, to, want string
	}{
		{notices.KindPublic, "2025-06-02", "2025-06-05", "notices.error.workdays"},
		{notices.KindPublic, "2025-06-02", "2025-06-06", ""},
		{notices.KindPublic, "2025-06-04", "2025-06-10", ""}, // across a weekend: Wed–Tue
		{notices.KindPublic, "2025-06-05", "2025-06-10", "notices.error.workdays"},
		{"dues", "2025-06-02", "2025-06-02", ""},
		{"dues", "2025-06-02", "2025-06-01", "notices.error.to_before"},
	} {
		f := base
		f.Kind, f.PublishFrom, f.PublishTo = c.kind, c.from, c.to
		f.Validate(recruit.Workdays)
		if f.Errors["publish_to"] != c.want {
			t.Errorf("%s %s–%s: %q, want %q", c.kind, c.from, c.to, f.Errors["publish_to"], c.want)
		}
	}
}

// A member objects to the public notice that is up; the secretary sees it
// on the to-do list and answers; the member reads the answer. An ended
// notice takes no objection.
func TestObjectionAnswered(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	office := app.OrgID(t, "办公室党支部")
	up := app.Int(t, `SELECT id FROM notices WHERE branch_id = $1 AND kind = 'pre_target' AND current_date BETWEEN publish_from AND publish_to`, office)
	ended := app.Int(t, `SELECT id FROM notices WHERE branch_id = $1 AND kind = 'pre_target' AND publish_to < current_date`, office)
	mem := app.Login(t, "member")
	if r := mem.PostForm(fmt.Sprintf("/notices/%d/objections", up), url.Values{"body": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty objection: %d", r.Status)
	}
	// An ended notice is no longer shown to members: no objection.
	if r := mem.PostForm(fmt.Sprintf("/notices/%d/objections", ended), url.Values{"body": {"迟到的意见"}}); r.Status != http.StatusNotFound {
		t.Fatalf("objection to an ended notice: %d", r.Status)
	}
	// The store itself refuses the day after the period, and takes the last day.
	n, err := notices.Get(ctx, app.Pool, notices.Reader{Roots: []int64{office}}, up, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	memberID := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'member'`)
	store := notices.NewStore(app.Pool)
	if _, err := store.Object(ctx, n, memberID, "迟到的意见", n.PublishTo.AddDate(0, 0, 1)); err != notices.ErrClosed {
		t.Fatalf("a day over: %v", err)
	}
	if _, err := store.Object(ctx, n, memberID, "最后一天的意见", n.PublishTo); err != nil {
		t.Fatalf("on the last day: %v", err)
	}
	other := app.Int(t, `SELECT id FROM members WHERE branch_id <> $1 LIMIT 1`, office)
	if _, err := store.Object(ctx, n, other, "外支部意见", n.PublishTo); err != notices.ErrClosed {
		t.Fatalf("a member of another branch: %v", err)
	}
	if r := mem.PostForm(fmt.Sprintf("/notices/%d/objections", up), url.Values{"body": {"请核实考察材料"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("objection: %d", r.Status)
	}
	oid := app.Int(t, `SELECT id FROM notice_objections WHERE body = '请核实考察材料'`)
	items, err := notices.Todos(ctx, app.Pool, []int64{office}, time.Now())
	if err != nil || len(items) < 2 {
		t.Fatalf("to-dos %d (%v), want the demo's and the new objection", len(items), err)
	}
	sec := app.Login(t, "secretary")
	if r := sec.Get("/"); !r.Has(fmt.Sprintf(`a[href="/notices/%d"]`, up)) {
		t.Fatal("the secretary's to-do list lacks the objection")
	}
	path := fmt.Sprintf("/notices/%d/objections/%d/answer", up, oid)
	if r := sec.PostForm(path, url.Values{"answer": {""}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("empty answer: %d", r.Status)
	}
	if r := mem.PostForm(path, url.Values{"answer": {"自答"}}); r.Status != http.StatusForbidden {
		t.Fatalf("a member answers: %d", r.Status)
	}
	if r := sec.PostForm(path, url.Values{"answer": {"已核实，材料齐全。"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("answer: %d", r.Status)
	}
	if r := sec.PostForm(path, url.Values{"answer": {"再答"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("second answer: %d", r.Status)
	}
	r := mem.Get(fmt.Sprintf("/notices/%d", up))
	if r.TestID("notices-answer") == "" {
		t.Fatal("the member does not see the answer")
	}
	if n := len(r.Doc().Find(`[data-testid="notices-objection"]`).Nodes); n != 2 {
		t.Fatalf("the member sees %d objections, want only their own two", n)
	}
}

// A member sees only the published notices of their branch; a notice of
// another branch does not exist for them.
func TestMemberReadsPublishedOnly(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	mem := app.Login(t, "member")
	up := app.Int(t, `SELECT count(*) FROM notices WHERE branch_id = $1 AND current_date BETWEEN publish_from AND publish_to`, office)
	r := mem.Get("/notices")
	if n := int64(len(r.Doc().Find(`[data-testid="notices-row"]`).Nodes)); n != up {
		t.Fatalf("member lists %d notices, want %d", n, up)
	}
	other := app.Int(t, `SELECT n.id FROM notices n JOIN organisations o ON o.id = n.branch_id WHERE o.name = '财务处党支部' LIMIT 1`)
	if r := mem.Get(fmt.Sprintf("/notices/%d", other)); r.Status != http.StatusNotFound {
		t.Fatalf("another branch's notice: %d", r.Status)
	}
	if r := mem.Get("/notices?q=" + url.QueryEscape("李静")); len(r.Doc().Find(`[data-testid="notices-row"]`).Nodes) != 1 {
		t.Fatal("search by a word in the text")
	}
}
