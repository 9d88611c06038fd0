package notify_test

import (
	"context"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/notify"
)

func TestInboxShowsNoticesAndDecisions(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	member := app.Login(t, "member")
	branch := app.Int(t, `SELECT m.branch_id FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member'`)
	day := time.Now().In(i18n.Shanghai).AddDate(0, 0, 5).Format(time.DateOnly)
	form := url.Values{"org_id": {strconv.FormatInt(branch, 10)}, "kind": {"general"}, "status": {"planned"}, "topic": {"年终党员大会"},
		"date": {day}, "start": {"14:00"}, "end": {"16:00"}, "place": {"报告厅"}, "study_hours": {"0"}, "version": {"0"}}
	if r := sec.PostForm("/meetings/new", form); r.Status != http.StatusSeeOther {
		t.Fatalf("plan a meeting: %d\n%s", r.Status, r.Body)
	}
	before := member.Get("/")
	badge := before.Doc().Find(`a[href="/inbox"] [data-testid="inbox-count"]`).Text()
	if n, _ := strconv.Atoi(badge); n < 1 {
		t.Fatalf("inbox badge %q, want at least 1 unread", badge)
	}
	inbox := member.Get("/inbox")
	if inbox.Status != http.StatusOK || !strings.Contains(inbox.Body, "会议通知：年终党员大会") || !inbox.Has(`[data-testid="mail-off"]`) {
		t.Fatalf("inbox: %d", inbox.Status)
	}
	id := app.Int(t, `SELECT n.id FROM notifications n JOIN accounts a ON a.id = n.account_id WHERE a.username = 'member' AND n.title LIKE '%年终党员大会'`)
	open := member.PostForm("/inbox/"+strconv.FormatInt(id, 10)+"/open", nil)
	if open.Status != http.StatusSeeOther || !strings.HasPrefix(open.Location, "/me/leave/") {
		t.Fatalf("open: %d → %q", open.Status, open.Location)
	}
	if n := app.Int(t, `SELECT count(*) FROM notifications WHERE id = $1 AND read_at IS NOT NULL`, id); n != 1 {
		t.Fatalf("opened note not read")
	}
	// Another's note does not exist for the secretary.
	if r := sec.PostForm("/inbox/"+strconv.FormatInt(id, 10)+"/open", nil); r.Status != http.StatusNotFound {
		t.Fatalf("another's note: %d, want 404", r.Status)
	}
	// A bad address is refused beside the field, what was typed kept.
	r := member.PostForm("/inbox/prefs", url.Values{"email": {"not an address"}, "meeting_notice": {"1"}})
	if r.Status != http.StatusUnprocessableEntity || !strings.Contains(r.Body, "not an address") {
		t.Fatalf("bad address: %d", r.Status)
	}
	if r := member.PostForm("/inbox/prefs", url.Values{"email": {"m@agency.example"}, "digest": {"1"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("save prefs: %d", r.Status)
	}
	if r := member.PostForm("/inbox/read-all", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("read all: %d", r.Status)
	}
	if n := app.Int(t, `SELECT count(*) FROM notifications n JOIN accounts a ON a.id = n.account_id WHERE a.username = 'member' AND n.read_at IS NULL`); n != 0 {
		t.Fatalf("%d unread after read-all", n)
	}
}

func TestFailedJobsVisibleToAdministrator(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	// A mail server that is down: the port is closed.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	ln.Close()
	s := instance(t, app, notify.MailConfig{Host: "127.0.0.1", Port: port, StartTLS: notify.TLSOff, From: "zhibu@agency.example"})
	ctx := context.Background()
	acc := app.Int(t, `SELECT id FROM accounts WHERE username = 'member'`)
	p := notify.DefaultPrefs
	p.Email = "member@agency.example"
	if err := s.SavePrefs(ctx, acc, p); err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
		_, err := s.Send(ctx, tx, notify.Note{AccountID: acc, Kind: notify.KindOverdue, Title: "逾期提醒"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the job to fail", func() bool {
		return app.Int(t, `SELECT count(*) FROM river_job WHERE state IN ('retryable', 'discarded')`) > 0
	})
	page := app.Login(t, "admin").Get("/admin/jobs")
	if page.Status != http.StatusOK || page.Doc().Find(`[data-testid="failed-job"]`).Length() == 0 {
		t.Fatalf("admin jobs page: %d, failed jobs shown: %d", page.Status, page.Doc().Find(`[data-testid="failed-job"]`).Length())
	}
	if !strings.Contains(page.Body, "notify_mail") {
		t.Fatalf("the failed mail job is not listed")
	}
	if r := app.Login(t, "member").Get("/admin/jobs"); r.Status != http.StatusForbidden {
		t.Fatalf("member on /admin/jobs: %d, want 403", r.Status)
	}
}
