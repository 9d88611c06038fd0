package talk_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"zhibu/internal/apptest"
)

// The same talk form sent several times at once records one talk.
func TestSameTalkFormTwiceMakesOneTalk(t *testing.T) {
	app := apptest.New(t)
	branch := app.OrgID(t, "办公室党支部")
	var secID, memberID int64
	if err := app.Pool.QueryRow(t.Context(), `SELECT member_id FROM accounts WHERE username = 'secretary'`).Scan(&secID); err != nil {
		t.Fatal(err)
	}
	if err := app.Pool.QueryRow(t.Context(), `SELECT id FROM members WHERE branch_id = $1 AND category = 'full' AND id <> $2 ORDER BY id DESC LIMIT 1`, branch, secID).Scan(&memberID); err != nil {
		t.Fatal(err)
	}
	sec := app.Login(t, "secretary")
	page := sec.Get(fmt.Sprintf("/talks/new?branch=%d", branch))
	token, ok := page.Doc().Find(`input[name="form_token"]`).Attr("value")
	if page.Status != http.StatusOK || !ok || len(token) != 32 {
		t.Fatalf("the talk form has no one-time token: %d %q", page.Status, token)
	}
	form := url.Values{"branch": {fmt.Sprint(branch)}, "held_on": {time.Now().Format("2006-01-02")}, "a_id": {fmt.Sprint(secID)},
		"b_id": {fmt.Sprint(memberID)}, "topic": {"只谈一次"}, "form_token": {token}}
	statuses := make([]int, 4)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range statuses {
		wg.Go(func() {
			<-start
			statuses[i] = sec.PostForm("/talks", form).Status
		})
	}
	close(start)
	wg.Wait()
	for i, s := range statuses {
		if s != http.StatusSeeOther {
			t.Errorf("post %d: %d, want 303", i+1, s)
		}
	}
	var n int
	if err := app.Pool.QueryRow(t.Context(), `SELECT count(*) FROM talks WHERE topic = '只谈一次'`).Scan(&n); err != nil || n != 1 {
		t.Errorf("%d talks recorded (%v), want 1", n, err)
	}
}
