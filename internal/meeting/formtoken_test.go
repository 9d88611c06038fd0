package meeting_test

import (
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"testing"

	"zhibu/internal/apptest"
)

// postTogether posts form n times at once and returns the responses.
func postTogether(c *apptest.Client, path string, form url.Values, n int) []*apptest.Response {
	out := make([]*apptest.Response, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			out[i] = c.PostForm(path, form)
		})
	}
	close(start)
	wg.Wait()
	return out
}

// The same meeting form sent several times at once (a double click, a
// resend) records one meeting, and every post is sent to it.
func TestSameCreateFormTwiceMakesOneMeeting(t *testing.T) {
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	page := sec.Get("/meetings/new")
	token, ok := page.Doc().Find(`[data-testid="meeting-form"] input[name="form_token"]`).Attr("value")
	if page.Status != http.StatusOK || !ok || len(token) != 32 {
		t.Fatalf("the new-meeting form has no one-time token: %d %q", page.Status, token)
	}
	f := meetingForm(app.OrgID(t, "办公室党支部"), "general", daysAgo(1))
	f.Set("topic", "只应记录一次的会议")
	f.Set("form_token", token)
	rs := postTogether(sec, "/meetings/new", f, 4)
	rs = append(rs, sec.PostForm("/meetings/new", f)) // and once more, later
	for i, r := range rs {
		if r.Status != http.StatusSeeOther || r.Location != rs[0].Location {
			t.Errorf("post %d: %d to %q, want 303 to %q", i+1, r.Status, r.Location, rs[0].Location)
		}
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM meetings WHERE topic = '只应记录一次的会议'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d meetings recorded (%v), want 1", n, err)
	}
	// A fresh form makes a second meeting; the first form sent again from
	// a new session of the same account still finds its meeting.
	fresh, _ := sec.Get("/meetings/new").Doc().Find(`input[name="form_token"]`).Attr("value")
	if fresh == token {
		t.Fatal("two forms got the same token")
	}
	f.Set("form_token", fresh)
	if r := sec.PostForm("/meetings/new", f); r.Status != http.StatusSeeOther || r.Location == rs[0].Location {
		t.Errorf("a second form: %d to %q", r.Status, r.Location)
	}
	f.Set("form_token", token)
	if r := app.Login(t, "secretary").PostForm("/meetings/new", f); r.Status != http.StatusSeeOther || r.Location != rs[0].Location {
		t.Errorf("the first form from a new session: %d to %q", r.Status, r.Location)
	}
}

// The individual study record form too: sent twice at once, one record.
func TestSameCreditFormTwiceMakesOneRecord(t *testing.T) {
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	var memberID int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	token, ok := sec.Get("/meetings/credits/new").Doc().Find(`[data-testid="credit-form"] input[name="form_token"]`).Attr("value")
	if !ok || len(token) != 32 {
		t.Fatalf("the credit form has no one-time token: %q", token)
	}
	f := url.Values{"member_id": {strconv.FormatInt(memberID, 10)}, "kind": {"online"}, "hours": {"2"}, "earned_on": {daysAgo(2)},
		"evidence": {"只记一次的证书"}, "form_token": {token}}
	for i, r := range postTogether(sec, "/meetings/credits/new", f, 4) {
		if r.Status != http.StatusSeeOther {
			t.Errorf("post %d: %d", i+1, r.Status)
		}
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM study_credits WHERE evidence = '只记一次的证书'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d records (%v), want 1", n, err)
	}
}
