package member_test

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"golang.org/x/text/encoding/simplifiedchinese"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/pii"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func count(t *testing.T, app *apptest.App, sql string, args ...any) int {
	t.Helper()
	return int(app.Int(t, sql, args...))
}

func memberIn(t *testing.T, app *apptest.App, branch, category string) int64 {
	t.Helper()
	var id int64
	err := app.Pool.QueryRow(context.Background(), `SELECT m.id FROM members m JOIN organisations o ON o.id = m.branch_id
		WHERE o.name = $1 AND m.category = $2 AND m.party_status = 'normal' ORDER BY m.id LIMIT 1`, branch, category).Scan(&id)
	if err != nil {
		t.Fatalf("member %s %s: %v", branch, category, err)
	}
	return id
}

// seq numbers the forms' identity card numbers (tests run in parallel).
var seq atomic.Int64

func newMemberForm(branchID int64) url.Values {
	n := 500 + int(seq.Add(1))
	birth := time.Date(1991, 3, 9, 0, 0, 0, 0, time.UTC)
	return url.Values{
		"branch_id": {strconv.FormatInt(branchID, 10)}, "name": {"测试人员"}, "gender": {"female"}, "ethnicity": {"汉族"},
		"birth_date": {"1991-03-09"}, "id_number": {pii.MakeIDNumber("110105", birth, n)}, "phone": {"13800138000"},
		"department": {"办公室"}, "category": {"activist"}, "applied_on": {"2024-01-05"}, "activist_on": {"2024-07-01"},
	}
}

func with(v url.Values, kv ...string) url.Values {
	out := url.Values{}
	for k, vs := range v {
		out[k] = vs
	}
	for i := 0; i < len(kv); i += 2 {
		out.Set(kv[i], kv[i+1])
	}
	return out
}

func TestCreateMemberForm(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.OrgID(t, "办公室党支部")
	other := app.OrgID(t, "人事处党支部")
	otherGroup := app.OrgID(t, "法规党小组")
	existingID := func() string {
		var enc []byte
		if err := app.Pool.QueryRow(context.Background(), `SELECT id_number_enc FROM members WHERE branch_id = $1 LIMIT 1`, other).Scan(&enc); err != nil {
			t.Fatal(err)
		}
		s, _ := app.Sealer.Open(enc)
		return s
	}()
	if r := sec.Get("/members/new"); r.Status != http.StatusOK || !r.Has(`[data-testid="member-form"]`) {
		t.Fatalf("new form: %d", r.Status)
	}
	cases := []struct {
		name  string
		form  url.Values
		field string // "" = success
		key   string
	}{
		{"good", newMemberForm(branch), "", ""},
		{"missing name", with(newMemberForm(branch), "name", ""), "name", "此项必填。"},
		{"bad check digit", with(newMemberForm(branch), "id_number", "110105199103095011"), "id_number", "身份证号校验位不正确，请核对。"},
		{"birth mismatch", with(newMemberForm(branch), "birth_date", "1991-03-10"), "id_number", "身份证号中的出生日期与出生日期不一致。"},
		{"duplicate ID in agency", with(newMemberForm(branch), "id_number", existingID, "birth_date", ""), "id_number", ""},
		{"stage order", with(newMemberForm(branch), "activist_on", "2023-01-01"), "activist_on", "各阶段日期须依次排列，不能早于上一阶段。"},
		{"phone", with(newMemberForm(branch), "phone", "1380013"), "phone", "请填写 11 位手机号或带区号的固定电话。"},
		{"branch outside scope", with(newMemberForm(branch), "branch_id", strconv.FormatInt(other, 10)), "branch_id", "此项的值无效。"},
		{"group of another branch", with(newMemberForm(branch), "group_id", strconv.FormatInt(otherGroup, 10)), "group_id", "此党小组不属于所选支部。"},
		{"arrival without letter", with(newMemberForm(branch), "arrival_from", "某部机关党委"), "arrival_letter", "此项必填。"},
		{"arrival by transfer", with(newMemberForm(branch), "arrival_from", "某部机关党委", "arrival_letter", "组转字〔2026〕7号"), "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if c.name == "duplicate ID in agency" {
				// Fill in the birth date the existing number encodes.
				b, _ := pii.CheckIDNumber(existingID)
				c.form.Set("birth_date", b.Format("2006-01-02"))
				c.key = "本机关已有党员使用此身份证号。"
			}
			before := count(t, app, `SELECT count(*) FROM members`)
			r := sec.PostForm("/members/new", c.form)
			if c.field == "" {
				if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/members/") {
					t.Fatalf("status %d %q: %s", r.Status, r.Location, r.TestID("form-errors"))
				}
				id := strings.TrimPrefix(r.Location, "/members/")
				var enc []byte
				var tail string
				if err := app.Pool.QueryRow(context.Background(), `SELECT id_number_enc, id_number_tail FROM members WHERE id = $1`, id).Scan(&enc, &tail); err != nil {
					t.Fatal(err)
				}
				if got, _ := app.Sealer.Open(enc); got != c.form.Get("id_number") || tail != c.form.Get("id_number")[14:] {
					t.Errorf("stored id %q tail %q", got, tail)
				}
				kind := "created"
				if c.form.Get("arrival_from") != "" {
					kind = "transferred_in"
				}
				if n := count(t, app, `SELECT count(*) FROM member_events WHERE member_id = $1 AND kind = $2 AND actor_id IS NOT NULL AND letter_no = $3`, id, kind, c.form.Get("arrival_letter")); n != 1 {
					t.Errorf("%s events %d", kind, n)
				}
				if n := count(t, app, `SELECT count(*) FROM audit_events WHERE action = 'member.create' AND entity_id = $1 AND after->>'id_number' LIKE '110%***%'`, id); n != 1 {
					t.Errorf("masked audit rows %d", n)
				}
				return
			}
			if r.Status != http.StatusUnprocessableEntity {
				t.Fatalf("status %d, want 422", r.Status)
			}
			if got := r.TestID("error-" + c.field); got != c.key {
				t.Errorf("message beside %s: %q, want %q", c.field, got, c.key)
			}
			if got := r.Doc().Find(`input[name="name"]`).AttrOr("value", ""); got != c.form.Get("name") {
				t.Errorf("typed name not kept: %q", got)
			}
			if count(t, app, `SELECT count(*) FROM members`) != before {
				t.Error("a bad form wrote a member")
			}
		})
	}
}

func TestAccessByRole(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	rev := app.Login(t, "reviewer")
	adm := app.Login(t, "admin")
	mine := memberIn(t, app, "办公室党支部", "full")
	theirs := memberIn(t, app, "人事处党支部", "full")

	if r := sec.Get("/members/" + strconv.FormatInt(theirs, 10)); r.Status != http.StatusNotFound {
		t.Errorf("secretary reads another branch's member: %d, want 404", r.Status)
	}
	if r := sec.PostForm("/members/"+strconv.FormatInt(theirs, 10)+"/edit", url.Values{}); r.Status != http.StatusNotFound {
		t.Errorf("secretary edits another branch's member: %d, want 404", r.Status)
	}
	if r := rev.Get("/members/" + strconv.FormatInt(theirs, 10)); r.Status != http.StatusOK {
		t.Errorf("reviewer reads a member: %d", r.Status)
	}
	if r := rev.Get("/members/" + strconv.FormatInt(mine, 10) + "/edit"); r.Status != http.StatusForbidden {
		t.Errorf("reviewer opens the edit form: %d, want 403", r.Status)
	}
	if r := rev.PostForm("/members/"+strconv.FormatInt(mine, 10)+"/reveal", nil); r.Status != http.StatusForbidden {
		t.Errorf("reviewer reveals numbers: %d, want 403", r.Status)
	}
	if r := adm.Get("/members"); r.Status != http.StatusForbidden {
		t.Errorf("system administrator reads the roster: %d, want 403", r.Status)
	}

	// Rosters: the secretary's is the branch; the reviewer's the whole agency.
	total := func(c *apptest.Client, path string) string { return c.Get(path).TestID("roster-total") }
	if got := total(sec, "/members"); got != "共 40 人" {
		t.Errorf("secretary roster: %q", got)
	}
	if got := total(rev, "/members"); got != "共 160 人" {
		t.Errorf("reviewer roster: %q", got)
	}
	gb := app.OrgID(t, "第二党总支")
	if got := total(rev, "/members?org="+strconv.FormatInt(gb, 10)); got != "共 80 人" {
		t.Errorf("reviewer roster of a general branch: %q", got)
	}
	if r := sec.Get("/members?org=" + strconv.FormatInt(gb, 10)); r.Status != http.StatusNotFound {
		t.Errorf("secretary roster of another subtree: %d", r.Status)
	}
}

func TestRosterSearchFilterSortMask(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	rev := app.Login(t, "reviewer")
	id := memberIn(t, app, "信息中心党支部", "probationary")
	var name, tail string
	var enc []byte
	if err := app.Pool.QueryRow(context.Background(), `SELECT name, id_number_tail, id_number_enc FROM members WHERE id = $1`, id).Scan(&name, &tail, &enc); err != nil {
		t.Fatal(err)
	}
	full, _ := app.Sealer.Open(enc)

	r := rev.Get("/members?q=" + url.QueryEscape(tail))
	found := false
	r.Doc().Find(`[data-testid="roster-row"]`).Each(func(_ int, s *goquery.Selection) {
		if s.Find(`[data-testid="roster-id"]`).Text() == pii.MaskIDNumber(full) {
			found = true
		}
	})
	if !found {
		t.Errorf("ID suffix %s did not find the member", tail)
	}
	if strings.Contains(r.Body, full) {
		t.Error("a full ID number is on the roster")
	}
	r = rev.Get("/members?category=probationary&sort=name&dir=desc")
	cats := r.Doc().Find(`[data-testid="roster-row"] td:nth-child(5)`)
	if cats.Length() == 0 {
		t.Fatal("no probationary members")
	}
	cats.Each(func(_ int, s *goquery.Selection) {
		if !strings.Contains(s.Text(), "预备党员") {
			t.Errorf("category filter let through %q", s.Text())
		}
	})
	var names []string
	r.Doc().Find(`[data-testid="roster-name"]`).Each(func(_ int, s *goquery.Selection) { names = append(names, s.Text()) })
	gb := func(s string) string {
		b, _ := simplifiedchinese.GB18030.NewEncoder().String(s)
		return b
	}
	for i := 1; i < len(names); i++ {
		if gb(names[i-1]) < gb(names[i]) {
			t.Errorf("not sorted by pinyin descending: %q before %q", names[i-1], names[i])
		}
	}
	if r.TestID("conversion-state") == "" {
		t.Error("no conversion due/overdue shown for probationary members")
	}
	// 160 people (the recruitment demo adds 10 to the secretary's branch): four pages of 50.
	p3 := rev.Get("/members?page=3")
	if p3.Doc().Find(`[data-testid="roster-row"]`).Length() != 50 || p3.TestID("page-of") != "第 3 / 4 页，共 160 条" {
		t.Errorf("page 3: %d rows, %q", p3.Doc().Find(`[data-testid="roster-row"]`).Length(), p3.TestID("page-of"))
	}
	if r := rev.Get("/members?q=nobody-here"); r.TestID("empty") == "" {
		t.Error("no empty state")
	}
}

func TestRevealIsAudited(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	id := strconv.FormatInt(memberIn(t, app, "办公室党支部", "full"), 10)
	page := sec.Get("/members/" + id)
	shown := page.TestID("member-id-number")
	if !strings.Contains(shown, "*") || len(shown) != 18 {
		t.Fatalf("default display not masked: %q", shown)
	}
	r := sec.PostForm("/members/"+id+"/reveal", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("reveal: %d", r.Status)
	}
	full := r.TestID("member-id-number")
	if _, p := pii.CheckIDNumber(full); p != "" {
		t.Errorf("revealed %q is not a full ID number", full)
	}
	if n := count(t, app, `SELECT count(*) FROM audit_events WHERE action = 'member.reveal' AND entity_id = $1`, id); n != 1 {
		t.Errorf("reveal audit rows %d", n)
	}
	// The reviewer sees the member masked, with no way to reveal.
	rp := app.Login(t, "reviewer").Get("/members/" + id)
	if got := rp.TestID("member-id-number"); got != pii.MaskIDNumber(full) || rp.Has(`[data-testid="reveal"]`) || strings.Contains(rp.Body, full) {
		t.Errorf("reviewer's view: %q, reveal button %v", got, rp.Has(`[data-testid="reveal"]`))
	}
}

func TestConcurrentEditGets409(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	a := app.Login(t, "secretary")
	b := app.Login(t, "secretary")
	id := strconv.FormatInt(memberIn(t, app, "办公室党支部", "full"), 10)
	formOf := func(c *apptest.Client) url.Values {
		doc := c.Get("/members/" + id + "/edit").Doc()
		v := url.Values{}
		doc.Find(`form[data-testid="member-form"] input, form[data-testid="member-form"] textarea`).Each(func(_ int, s *goquery.Selection) {
			n, _ := s.Attr("name")
			if s.Is("textarea") {
				v.Set(n, s.Text())
			} else {
				v.Set(n, s.AttrOr("value", ""))
			}
		})
		doc.Find(`form[data-testid="member-form"] select`).Each(func(_ int, s *goquery.Selection) {
			n, _ := s.Attr("name")
			v.Set(n, s.Find("option[selected]").AttrOr("value", ""))
		})
		return v
	}
	fa, fb := formOf(a), formOf(b)
	fa.Set("job_title", "甲写的职务")
	fb.Set("job_title", "乙写的职务")
	// Both save at the same moment; exactly one wins.
	var wg sync.WaitGroup
	res := make([]*apptest.Response, 2)
	for i, c := range []struct {
		cl *apptest.Client
		f  url.Values
	}{{a, fa}, {b, fb}} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res[i] = c.cl.PostForm("/members/"+id+"/edit", c.f)
		}()
	}
	wg.Wait()
	var won, lost *apptest.Response
	var lostTyped string
	for i, r := range res {
		switch r.Status {
		case http.StatusSeeOther:
			won = r
		case http.StatusConflict:
			lost = r
			lostTyped = []string{"甲写的职务", "乙写的职务"}[i]
		}
	}
	if won == nil || lost == nil {
		t.Fatalf("statuses %d and %d, want one 303 and one 409", res[0].Status, res[1].Status)
	}
	if got := lost.Doc().Find(`input[name="job_title"]`).AttrOr("value", ""); got != lostTyped {
		t.Errorf("409 page lost the typed value: %q, want %q", got, lostTyped)
	}
	winner := "甲写的职务"
	if lostTyped == winner {
		winner = "乙写的职务"
	}
	if !strings.Contains(lost.TestID("conflict-saved"), winner) {
		t.Errorf("409 page does not show the newer saved value %q: %q", winner, lost.TestID("conflict-saved"))
	}
	// Saving again from the 409 page (it carries the new version) succeeds.
	again := url.Values{}
	lost.Doc().Find(`form[data-testid="member-form"] input`).Each(func(_ int, s *goquery.Selection) {
		again.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
	})
	lost.Doc().Find(`form[data-testid="member-form"] select`).Each(func(_ int, s *goquery.Selection) {
		again.Set(s.AttrOr("name", ""), s.Find("option[selected]").AttrOr("value", ""))
	})
	if r := (a).PostForm("/members/"+id+"/edit", again); r.Status != http.StatusSeeOther {
		t.Errorf("resubmitting after the conflict: %d", r.Status)
	}
}
