package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// Note is one notification to write.
type Note struct {
	AccountID int64
	Kind      string
	Title     string
	Body      string
	URL       string
	MeetingID *int64
	// DedupeKey, when set, writes the note once however often it is sent.
	DedupeKey string
}

const insertNoteSQL = `
INSERT INTO notifications (account_id, kind, title, body, url, meeting_id, dedupe_key)
VALUES ($1, $2, left($3, 300), left($4, 4000), $5, $6, NULLIF($7, ''))
ON CONFLICT (dedupe_key) DO NOTHING
RETURNING id`

// Send writes a notification in the caller's transaction and, when mail
// is on, queues its mail in the same transaction. It returns 0 when a
// note with the same dedupe key was written before.
func (s *Service) Send(ctx context.Context, tx pgx.Tx, n Note) (int64, error) {
	var id int64
	err := tx.QueryRow(ctx, insertNoteSQL, n.AccountID, n.Kind, n.Title, n.Body, n.URL, n.MeetingID, n.DedupeKey).Scan(&id)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, nil
	}
	if err != nil {
		return 0, fmt.Errorf("notify: send %s to %d: %w", n.Kind, n.AccountID, err)
	}
	if s.mail.On() {
		if _, err := s.client.InsertTx(ctx, tx, MailArgs{NotificationID: id}, nil); err != nil {
			return 0, fmt.Errorf("notify: queue mail %d: %w", id, err)
		}
	}
	return id, nil
}

type recipient struct {
	AccountID int64
	Lang      i18n.Lang
}

const memberAccountsSQL = `
SELECT id, CASE WHEN language = 'en' THEN 'en' ELSE 'zh' END FROM accounts
 WHERE member_id = ANY($1::bigint[]) AND disabled_at IS NULL ORDER BY id`

func recipients(ctx context.Context, q db.Querier, memberIDs []int64) ([]recipient, error) {
	rows, err := q.Query(ctx, memberAccountsSQL, memberIDs)
	if err != nil {
		return nil, fmt.Errorf("notify: accounts of members: %w", err)
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (recipient, error) {
		var x recipient
		var l string
		err := r.Scan(&x.AccountID, &l)
		x.Lang = i18n.Lang(l)
		return x, err
	})
}

func meetingWhen(l i18n.Lang, m meeting.Meeting) string {
	at := m.StartsAt.In(i18n.Shanghai).Format("2006-01-02 15:04")
	if m.Place != "" {
		return i18n.TL(l, "notify.when_where", at, m.Place)
	}
	return i18n.TL(l, "notify.when", at)
}

// MeetingNotice tells every member due at a planned meeting, in the
// transaction that planned it (meeting.Handler.WithPlannedHook).
func (s *Service) MeetingNotice(ctx context.Context, tx pgx.Tx, meetingID int64) error {
	m, err := meeting.Load(ctx, tx, meetingID)
	if err != nil {
		return err
	}
	due, err := meeting.Due(ctx, tx, m)
	if err != nil {
		return err
	}
	ids := make([]int64, len(due))
	for i, d := range due {
		ids[i] = d.ID
	}
	rs, err := recipients(ctx, tx, ids)
	if err != nil {
		return err
	}
	for _, r := range rs {
		_, err := s.Send(ctx, tx, Note{AccountID: r.AccountID, Kind: KindMeetingNotice, MeetingID: &m.ID,
			Title: i18n.TL(r.Lang, "notify.notice.title", m.Topic), Body: i18n.TL(r.Lang, "notify.notice.body", m.OrgName, m.Topic, meetingWhen(r.Lang, m)),
			URL: "/me/leave/" + strconv.FormatInt(m.ID, 10), DedupeKey: "notice:" + strconv.FormatInt(m.ID, 10) + ":" + strconv.FormatInt(r.AccountID, 10)})
		if err != nil {
			return err
		}
	}
	return nil
}

// Decided tells a member of the decision on their leave or credit
// request, in the deciding transaction (meeting.Handler.WithDecisionHook).
func (s *Service) Decided(ctx context.Context, tx pgx.Tx, kind string, d meeting.Decided) error {
	rs, err := recipients(ctx, tx, []int64{d.MemberID})
	if err != nil {
		return err
	}
	nk := KindLeaveDecision
	if kind == "credit" {
		nk = KindCreditDecision
	}
	for _, r := range rs {
		body := i18n.TL(r.Lang, "notify."+kind+"."+d.Status, d.Subject)
		if d.Note != "" {
			body += "\n" + i18n.TL(r.Lang, "notify.note", d.Note)
		}
		if _, err := s.Send(ctx, tx, Note{AccountID: r.AccountID, Kind: nk, Title: i18n.TL(r.Lang, "notify."+kind+".title."+d.Status, d.Subject),
			Body: body, URL: "/me/requests"}); err != nil {
			return err
		}
	}
	return nil
}

// Item is one notification in the inbox.
type Item struct {
	ID        int64
	Kind      string
	Title     string
	Body      string
	URL       string
	CreatedAt time.Time
	ReadAt    *time.Time
}

// InboxPageSize is the length of one page of the inbox.
const InboxPageSize = 30

// Inbox lists an account's notifications, newest first, a page at a time,
// with the total.
func (s *Service) Inbox(ctx context.Context, accountID int64, offset int) ([]Item, int, error) {
	items, err := db.Rows[Item](ctx, s.pool, `
SELECT id, kind, title, body, url, created_at, read_at FROM notifications
 WHERE account_id = $1 ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3`, accountID, InboxPageSize, offset)
	if err != nil {
		return nil, 0, fmt.Errorf("notify: inbox of %d: %w", accountID, err)
	}
	var total int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE account_id = $1`, accountID).Scan(&total); err != nil {
		return nil, 0, fmt.Errorf("notify: inbox of %d: %w", accountID, err)
	}
	return items, total, nil
}

// Unread counts an account's unread notifications.
func (s *Service) Unread(ctx context.Context, accountID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM notifications WHERE account_id = $1 AND read_at IS NULL`, accountID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("notify: unread of %d: %w", accountID, err)
	}
	s.unread.put(accountID, n, s.now())
	return n, nil
}

// UnreadCached is the unread count from a cache no older than unreadTTL.
func (s *Service) UnreadCached(ctx context.Context, accountID int64) (int, error) {
	if n, ok := s.unread.get(accountID, s.now()); ok {
		return n, nil
	}
	return s.Unread(ctx, accountID)
}

// MarkRead marks one of the account's notifications read and returns its
// link; ErrNotFound for another's.
func (s *Service) MarkRead(ctx context.Context, accountID, id int64) (string, error) {
	defer s.unread.forget(accountID)
	var url string
	err := s.pool.QueryRow(ctx, `
UPDATE notifications SET read_at = coalesce(read_at, now()) WHERE id = $1 AND account_id = $2 RETURNING url`, id, accountID).Scan(&url)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", fmt.Errorf("notify: notification %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return "", fmt.Errorf("notify: read %d: %w", id, err)
	}
	return url, nil
}

// MarkAllRead marks every notification of the account read.
func (s *Service) MarkAllRead(ctx context.Context, accountID int64) error {
	defer s.unread.forget(accountID)
	if _, err := s.pool.Exec(ctx, `UPDATE notifications SET read_at = now() WHERE account_id = $1 AND read_at IS NULL`, accountID); err != nil {
		return fmt.Errorf("notify: read all of %d: %w", accountID, err)
	}
	return nil
}

// Prefs are a person's mail preferences and address.
type Prefs struct {
	Email         string
	MeetingNotice bool
	Reminder      bool
	Decision      bool
	Overdue       bool
	Digest        bool
}

// DefaultPrefs are the preferences of someone who never chose: every
// kind, one mail each.
var DefaultPrefs = Prefs{MeetingNotice: true, Reminder: true, Decision: true, Overdue: true}

// Wants reports whether the preferences ask for mail of a kind.
func (p Prefs) Wants(kind string) bool {
	switch kind {
	case KindMeetingNotice:
		return p.MeetingNotice
	case KindReminder:
		return p.Reminder
	case KindLeaveDecision, KindCreditDecision:
		return p.Decision
	case KindOverdue:
		return p.Overdue
	}
	return false
}

func (s *Service) prefs(ctx context.Context, q db.Querier, accountID int64) (Prefs, error) {
	p := DefaultPrefs
	var sealed []byte
	err := q.QueryRow(ctx, `SELECT email_sealed, meeting_notice, reminder, decision, overdue, digest FROM mail_prefs WHERE account_id = $1`, accountID).
		Scan(&sealed, &p.MeetingNotice, &p.Reminder, &p.Decision, &p.Overdue, &p.Digest)
	if errors.Is(err, pgx.ErrNoRows) {
		return DefaultPrefs, nil
	}
	if err != nil {
		return p, fmt.Errorf("notify: prefs of %d: %w", accountID, err)
	}
	if len(sealed) > 0 && s.sealer != nil {
		if p.Email, err = s.sealer.Open(sealed); err != nil {
			return p, fmt.Errorf("notify: prefs of %d: %w", accountID, err)
		}
	}
	return p, nil
}

// Prefs reads an account's mail preferences.
func (s *Service) Prefs(ctx context.Context, accountID int64) (Prefs, error) {
	return s.prefs(ctx, s.pool, accountID)
}

// SavePrefs stores an account's mail preferences and address (sealed),
// with an audit row that names the change but not the address.
func (s *Service) SavePrefs(ctx context.Context, accountID int64, p Prefs) error {
	var sealed []byte
	if p.Email != "" {
		if s.sealer == nil {
			return fmt.Errorf("notify: no data key to seal the address: %w", apperr.ErrInvalid)
		}
		sealed = s.sealer.Seal(p.Email)
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
INSERT INTO mail_prefs (account_id, email_sealed, meeting_notice, reminder, decision, overdue, digest)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (account_id) DO UPDATE SET email_sealed = EXCLUDED.email_sealed, meeting_notice = EXCLUDED.meeting_notice,
   reminder = EXCLUDED.reminder, decision = EXCLUDED.decision, overdue = EXCLUDED.overdue, digest = EXCLUDED.digest, updated_at = now()`,
			accountID, sealed, p.MeetingNotice, p.Reminder, p.Decision, p.Overdue, p.Digest)
		if err != nil {
			return fmt.Errorf("notify: save prefs of %d: %w", accountID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "mail_prefs.update", Entity: "account", EntityID: accountID,
			After: map[string]any{"email_set": p.Email != "", "meeting_notice": p.MeetingNotice, "reminder": p.Reminder,
				"decision": p.Decision, "overdue": p.Overdue, "digest": p.Digest}})
	})
}

// ReminderDays is how many days before a meeting its reminder goes out
// (notify_settings).
func ReminderDays(ctx context.Context, q db.Querier) (int, error) {
	var n int
	err := q.QueryRow(ctx, `SELECT value FROM notify_settings WHERE key = 'reminder_days'`).Scan(&n)
	if errors.Is(err, pgx.ErrNoRows) {
		return 1, nil
	}
	if err != nil {
		return 0, fmt.Errorf("notify: reminder days: %w", err)
	}
	return n, nil
}

// FailedJob is a queued job that failed at least once.
type FailedJob struct {
	ID          int64
	Kind        string
	State       string
	Attempt     int
	MaxAttempts int
	LastError   string
	CreatedAt   time.Time
	AttemptedAt *time.Time
	ScheduledAt time.Time
}

// FailedJobs lists the jobs waiting for a retry or given up, newest first.
func (s *Service) FailedJobs(ctx context.Context) ([]FailedJob, error) {
	out, err := db.Rows[FailedJob](ctx, s.pool, `
SELECT id, kind, state::text AS state, attempt, max_attempts,
       coalesce(errors[array_upper(errors, 1)]->>'error', '') AS last_error,
       created_at, attempted_at, scheduled_at
  FROM river_job WHERE state IN ('retryable', 'discarded')
 ORDER BY id DESC LIMIT 200`)
	if err != nil {
		return nil, fmt.Errorf("notify: failed jobs: %w", err)
	}
	return out, nil
}

// Retry puts a failed job back in the queue at once.
func (s *Service) Retry(ctx context.Context, id int64) error {
	if _, err := s.client.JobRetry(ctx, id); err != nil {
		if errors.Is(err, river.ErrNotFound) {
			return fmt.Errorf("notify: job %d: %w", id, apperr.ErrNotFound)
		}
		return fmt.Errorf("notify: retry %d: %w", id, err)
	}
	return audit.Record(ctx, s.pool, audit.Event{Action: "job.retry", Entity: "river_job", EntityID: id})
}
