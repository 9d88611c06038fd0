package notify_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/meeting"
	"zhibu/internal/notify"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

// smtpServer is a real SMTP server on a free port that keeps what arrives.
type smtpServer struct {
	mu       sync.Mutex
	received []received
	failNext int // refuse this many DATA commands (a server in trouble)
	addr     string
}

type received struct {
	From string
	To   []string
	Data []byte
}

func (s *smtpServer) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: s}, nil }

type session struct {
	s    *smtpServer
	from string
	to   []string
}

func (x *session) Mail(from string, _ *smtp.MailOptions) error { x.from = from; return nil }
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error   { x.to = append(x.to, to); return nil }
func (x *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	x.s.mu.Lock()
	defer x.s.mu.Unlock()
	if x.s.failNext > 0 {
		x.s.failNext--
		return &smtp.SMTPError{Code: 451, Message: "try again later"}
	}
	x.s.received = append(x.s.received, received{From: x.from, To: x.to, Data: b})
	return nil
}
func (x *session) Reset()        { x.from, x.to = "", nil }
func (x *session) Logout() error { return nil }

func startSMTP(t *testing.T) *smtpServer {
	t.Helper()
	s := &smtpServer{}
	srv := smtp.NewServer(s)
	srv.Domain = "localhost"
	srv.AllowInsecureAuth = true
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.addr = ln.Addr().String()
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *smtpServer) to(addr string) []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []received
	for _, r := range s.received {
		for _, to := range r.To {
			if to == addr {
				out = append(out, r)
			}
		}
	}
	return out
}

func (s *smtpServer) config() notify.MailConfig {
	host, port, _ := net.SplitHostPort(s.addr)
	p, _ := strconv.Atoi(port)
	return notify.MailConfig{Host: host, Port: p, StartTLS: notify.TLSOff, From: "支部工作系统 <zhibu@agency.example>", BaseURL: "https://zhibu.agency.example"}
}

// instance starts one app instance's queue on the database.
func instance(t *testing.T, app *apptest.App, cfg notify.MailConfig) *notify.Service {
	t.Helper()
	s, err := notify.New(app.Pool, app.Sealer, notify.Options{Mail: cfg, RetryBase: 200 * time.Millisecond, ScanEvery: time.Hour})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	if err := s.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		sctx, c := context.WithTimeout(context.Background(), 10*time.Second)
		defer c()
		_ = s.Stop(sctx)
		cancel()
	})
	return s
}

func plannedMeeting(t *testing.T, app *apptest.App, topic string, startsAt time.Time) int64 {
	t.Helper()
	return app.Int(t, `
INSERT INTO meetings (org_id, kind, topic, starts_at, ends_at, place, status)
SELECT m.branch_id, 'general', $2, $1::timestamptz, $1::timestamptz + interval '90 minutes', '三楼会议室', 'planned'
  FROM members m JOIN accounts a ON a.member_id = m.id WHERE a.username = 'member'
RETURNING id`, startsAt, topic)
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestMeetingNoticeMailedOnceByTwoInstances(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	srv := startSMTP(t)
	cfg := srv.config()
	a := instance(t, app, cfg)
	_ = instance(t, app, cfg) // a second app instance working the same queue
	ctx := context.Background()
	memberAccount := app.Int(t, `SELECT id FROM accounts WHERE username = 'member'`)
	prefs := notify.DefaultPrefs
	prefs.Email = "member@agency.example"
	if err := a.SavePrefs(ctx, memberAccount, prefs); err != nil {
		t.Fatal(err)
	}
	// The address is sealed, not stored in clear.
	if n := app.Int(t, `SELECT count(*) FROM mail_prefs WHERE position('member@agency.example'::bytea IN email_sealed) > 0`); n != 0 {
		t.Fatalf("the address is stored in clear")
	}
	id := plannedMeeting(t, app, "学习贯彻全会精神专题会", time.Now().Add(72*time.Hour))
	// Queued twice (the hook run twice, as by a retried request): one note,
	// one job, one mail.
	for range 2 {
		if err := pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error { return a.MeetingNotice(ctx, tx, id) }); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, "the notice to be mailed", func() bool {
		return app.Int(t, `SELECT count(*) FROM notifications WHERE meeting_id = $1 AND account_id = $2 AND mailed_at IS NOT NULL`, id, memberAccount) == 1
	})
	time.Sleep(500 * time.Millisecond) // room for a duplicate to show up
	got := srv.to("member@agency.example")
	if len(got) != 1 {
		t.Fatalf("%d mails arrived, want exactly 1", len(got))
	}
	msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
	if err != nil {
		t.Fatal(err)
	}
	rawSubject := msg.Header.Get("Subject")
	if !strings.HasPrefix(rawSubject, "=?UTF-8?") && !strings.HasPrefix(rawSubject, "=?utf-8?") {
		t.Errorf("subject %q is not RFC 2047 encoded", rawSubject)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(rawSubject)
	if err != nil || subject != "会议通知：学习贯彻全会精神专题会" {
		t.Errorf("subject decodes to %q (%v)", subject, err)
	}
	if from, err := msg.Header.AddressList("From"); err != nil || from[0].Address != "zhibu@agency.example" || from[0].Name != "支部工作系统" {
		t.Errorf("From: %v %v", from, err)
	}
	if msg.Header.Get("Message-Id") == "" || msg.Header.Get("Date") == "" {
		t.Errorf("Message-ID or Date missing")
	}
	// A text part with the link, and the .ics invitation.
	_, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	var text, ics string
	for {
		p, err := mr.NextPart()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			body, _ = base64.StdEncoding.DecodeString(strings.Join(strings.Fields(string(body)), ""))
		}
		ct := p.Header.Get("Content-Type")
		switch {
		case strings.HasPrefix(ct, "text/calendar"):
			ics = string(body)
			if !strings.Contains(p.Header.Get("Content-Disposition"), "meeting.ics") {
				t.Errorf("attachment disposition %q", p.Header.Get("Content-Disposition"))
			}
		case strings.HasPrefix(ct, "text/plain"):
			text = string(body)
		}
	}
	if !strings.Contains(ics, "BEGIN:VCALENDAR") || !strings.Contains(ics, "UID:meeting-"+strconv.FormatInt(id, 10)+"@zhibu") || !strings.Contains(ics, "LOCATION:三楼会议室") {
		t.Errorf("ics attachment:\n%s", ics)
	}
	if !strings.Contains(text, "https://zhibu.agency.example/me/leave/"+strconv.FormatInt(id, 10)) {
		t.Errorf("text part lacks the link:\n%s", text)
	}
}

func TestFailedSendIsRetriedAndDecisionsMailed(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	srv := startSMTP(t)
	srv.failNext = 1 // the first try is refused with a 451
	s := instance(t, app, srv.config())
	ctx := context.Background()
	memberAccount := app.Int(t, `SELECT id FROM accounts WHERE username = 'member'`)
	memberID := app.Int(t, `SELECT member_id FROM accounts WHERE username = 'member'`)
	p := notify.DefaultPrefs
	p.Email = "member@agency.example"
	if err := s.SavePrefs(ctx, memberAccount, p); err != nil {
		t.Fatal(err)
	}
	unreadBefore, err := s.Unread(ctx, memberAccount)
	if err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
		return s.Decided(ctx, tx, "leave", meeting.Decided{MemberID: memberID, Status: meeting.RequestApproved, Subject: "党员大会", Note: "同意"})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the retried mail", func() bool { return len(srv.to("member@agency.example")) == 1 })
	waitFor(t, "the mail job to complete on its second attempt", func() bool {
		return app.Int(t, `SELECT count(*) FROM river_job WHERE kind = 'notify_mail' AND state = 'completed' AND attempt = 2`) == 1
	})
	// A person who does not want decisions by mail gets none, but the
	// note is in the inbox.
	p.Decision = false
	if err := s.SavePrefs(ctx, memberAccount, p); err != nil {
		t.Fatal(err)
	}
	err = pgx.BeginFunc(ctx, app.Pool, func(tx pgx.Tx) error {
		return s.Decided(ctx, tx, "credit", meeting.Decided{MemberID: memberID, Status: meeting.RequestRefused, Subject: "网络培训"})
	})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the second job", func() bool {
		return app.Int(t, `SELECT count(*) FROM river_job WHERE kind = 'notify_mail' AND state = 'completed'`) == 2
	})
	if n := len(srv.to("member@agency.example")); n != 1 {
		t.Fatalf("%d mails, want 1 (decisions turned off)", n)
	}
	if n, _ := s.Unread(ctx, memberAccount); n != unreadBefore+2 {
		t.Fatalf("unread %d, want %d", n, unreadBefore+2)
	}
}

func TestMailConfigFromEnv(t *testing.T) {
	env := func(m map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
	}
	if c, err := notify.MailFromEnv(env(nil)); err != nil || c.On() {
		t.Fatalf("no host: mail should be off (%v)", err)
	}
	c, err := notify.MailFromEnv(env(map[string]string{"ZHIBU_SMTP_HOST": "smtp.agency", "ZHIBU_SMTP_FROM": "a@agency", "ZHIBU_SMTP_PORT": "2525", "ZHIBU_SMTP_STARTTLS": "off"}))
	if err != nil || !c.On() || c.Port != 2525 || c.StartTLS != notify.TLSOff {
		t.Fatalf("config %+v %v", c, err)
	}
	for _, bad := range []map[string]string{
		{"ZHIBU_SMTP_HOST": "h"}, // no From
		{"ZHIBU_SMTP_HOST": "h", "ZHIBU_SMTP_FROM": "a@b", "ZHIBU_SMTP_PORT": "x"},
		{"ZHIBU_SMTP_HOST": "h", "ZHIBU_SMTP_FROM": "a@b", "ZHIBU_SMTP_STARTTLS": "maybe"},
	} {
		if _, err := notify.MailFromEnv(env(bad)); err == nil {
			t.Errorf("%v: accepted", bad)
		}
	}
}
