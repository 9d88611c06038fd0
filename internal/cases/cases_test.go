package cases_test

import (
	"fmt"
	"net/http"
	"net/url"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
	"zhibu/internal/cases"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestParseTags(t *testing.T) {
	t.Parallel()
	got, ok := cases.ParseTags("服务中心，先锋岗、 服务中心 融合")
	if !ok || len(got) != 3 || got[0] != "服务中心" || got[2] != "融合" {
		t.Fatalf("%v %v", got, ok)
	}
	if _, ok := cases.ParseTags("1 2 3 4 5 6 7 8 9 10 11"); ok {
		t.Error("11 tags accepted")
	}
	if _, ok := cases.ParseTags("一二三四五六七八九十一二三四五六七八九十一"); ok {
		t.Error("a 21-character tag accepted")
	}
}

// A post may end on the day it was set up, not the day before.
func TestPostDates(t *testing.T) {
	t.Parallel()
	base := cases.PostForm{Branches: []cases.Branch{{ID: 1}}, BranchID: "1", Kind: "task_force", Name: "突击队", Task: "任务", StartedOn: "2028-02-29"}
	for ends, want := range map[string]string{"2028-02-28": "cases.error.ends_before", "2028-02-29": "", "2028-03-01": "", "": ""} {
		f := base
		f.EndedOn = ends
		f.Validate()
		if f.Errors["ended_on"] != want {
			t.Errorf("ends %q: %q, want %q", ends, f.Errors["ended_on"], want)
		}
	}
}

// Every member finds an approved case by a word of its text; a case
// awaiting review is not in their library; the committee approves it,
// features it, and it shows on the dashboard; a returned case goes back
// to its branch.
func TestLibraryAndReview(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	mem := app.Login(t, "member")
	r := mem.Get("/cases?q=" + url.QueryEscape("容缺受理"))
	if n := len(r.Doc().Find(`[data-testid="cases-row"]`).Nodes); n != 1 {
		t.Fatalf("search by a word of the text found %d cases", n)
	}
	if r := mem.Get("/cases?q=" + url.QueryEscape("100%_")); len(r.Doc().Find(`[data-testid="cases-row"]`).Nodes) != 0 {
		t.Fatal("LIKE wildcards typed are not literal")
	}
	pending := app.Int(t, `SELECT id FROM cases WHERE status = 'submitted'`)
	if r := mem.Get(fmt.Sprintf("/cases/%d", pending)); r.Status != http.StatusNotFound {
		t.Fatalf("a member reads a case awaiting review: %d", r.Status)
	}
	rev := app.Login(t, "reviewer")
	v := app.Int(t, `SELECT version FROM cases WHERE id = $1`, pending)
	path := fmt.Sprintf("/cases/%d/decide", pending)
	if r := rev.PostForm(path, url.Values{"decision": {"return"}, "version": {fmt.Sprint(v)}}); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("return without a note: %d", r.Status)
	}
	if r := rev.PostForm(path, url.Values{"decision": {"approve"}, "tags": {"突击队，预算"}, "featured": {"1"}, "version": {fmt.Sprint(v)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("approve: %d", r.Status)
	}
	if r := mem.Get(fmt.Sprintf("/cases?tag=%s", url.QueryEscape("预算"))); len(r.Doc().Find(`[data-testid="cases-row"]`).Nodes) != 1 {
		t.Fatal("the approved case is not in the library under its tag")
	}
	dash := rev.Get("/review")
	if !dash.Has(fmt.Sprintf(`[data-testid="featured-cases"] a[href="/cases/%d"]`, pending)) {
		t.Fatal("the dashboard does not show the featured case")
	}
	// Each featured case with photos shows its first one, described by its
	// caption; one without photos shows none.
	photo := app.Int(t, `SELECT min(id) FROM case_photos WHERE case_id = $1`, pending)
	thumb := dash.Doc().Find(fmt.Sprintf(`[data-testid="featured-thumb"][src="%s"]`, cases.PhotoURL(pending, photo)))
	if alt, _ := thumb.Attr("alt"); thumb.Length() != 1 || alt != "预算编制攻坚现场" {
		t.Errorf("the featured case's thumbnail: %d, alt %q", thumb.Length(), alt)
	}
	withPhotos := app.Int(t, `SELECT count(DISTINCT c.id) FROM cases c JOIN case_photos p ON p.case_id = c.id WHERE c.featured AND c.status = 'approved'`)
	if n, all := dash.Doc().Find(`[data-testid="featured-thumb"]`).Length(), dash.Doc().Find(`[data-testid="featured-case"]`).Length(); int64(n) != withPhotos || n >= all {
		t.Errorf("%d thumbnails of %d featured cases, %d with photos", n, all, withPhotos)
	}
	if r := rev.Get(cases.PhotoURL(pending, photo)); r.Status != http.StatusOK {
		t.Errorf("the reviewer cannot open the thumbnail: %d", r.Status)
	}
	if r := rev.PostForm(path, url.Values{"decision": {"approve"}, "version": {fmt.Sprint(v)}}); r.Status != http.StatusSeeOther {
		t.Fatalf("a stale decision: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM cases WHERE id = $1 AND featured`, pending); n != 1 {
		t.Fatal("a stale decision changed the case")
	}
}

// The secretary submits a case from a vanguard post resting on a meeting
// of the branch; a meeting of another branch is refused.
func TestSubmitFromPost(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	post := app.Int(t, `SELECT id FROM vanguard_posts WHERE branch_id = $1`, office)
	sec := app.Login(t, "secretary")
	r := sec.Get(fmt.Sprintf("/cases/new?post=%d", post))
	if r.Status != http.StatusOK || !r.Has(`[data-testid="cases-from-post"]`) {
		t.Fatalf("prefill: %d", r.Status)
	}
	own := app.Int(t, `SELECT id FROM meetings WHERE org_id = $1 AND status = 'submitted' ORDER BY starts_at DESC LIMIT 1`, office)
	other := app.Int(t, `SELECT id FROM meetings WHERE org_id <> $1 AND status = 'submitted' LIMIT 1`, office)
	form := url.Values{"branch": {fmt.Sprint(office)}, "post": {fmt.Sprint(post)}, "title": {"新案例"}, "body": {"做法"}, "meeting": {fmt.Sprint(other)}}
	if r := sec.PostForm("/cases", form); r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("another branch's meeting: %d", r.Status)
	}
	form.Set("meeting", fmt.Sprint(own))
	if r := sec.PostForm("/cases", form); r.Status != http.StatusSeeOther {
		t.Fatalf("submit: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM cases c JOIN case_meetings m ON m.case_id = c.id WHERE c.title = '新案例' AND c.post_id = $1`, post); n != 1 {
		t.Fatalf("%d", n)
	}
	// The committee sees the posts across its branches; the secretary only
	// the branch's own.
	branchesOn := func(c *apptest.Client) map[string]bool {
		out := map[string]bool{}
		c.Get("/vanguard").Doc().Find(`[data-testid="vanguard-row"] td:nth-child(3)`).Each(func(_ int, s *goquery.Selection) { out[s.Text()] = true })
		return out
	}
	if got := branchesOn(app.Login(t, "reviewer")); len(got) < 2 {
		t.Errorf("the committee sees the posts of %v", got)
	}
	if got := branchesOn(sec); len(got) != 1 || !got["办公室党支部"] {
		t.Errorf("the secretary sees the posts of %v", got)
	}
}
