package notify

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"

	"zhibu/internal/dues"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// MailArgs is the job that mails one notification.
type MailArgs struct {
	NotificationID int64 `json:"notification_id"`
}

// Kind names the job.
func (MailArgs) Kind() string { return "notify_mail" }

// InsertOpts makes the job unique per notification: queued twice, it is
// one job.
func (MailArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type mailWorker struct {
	river.WorkerDefaults[MailArgs]
	s *Service
}

const lockNoteSQL = `
SELECT n.account_id, n.kind, n.title, n.body, n.url, n.meeting_id, n.mailed_at,
       CASE WHEN a.language = 'en' THEN 'en' ELSE 'zh' END
  FROM notifications n JOIN accounts a ON a.id = n.account_id
 WHERE n.id = $1 FOR UPDATE OF n`

// Work mails the notification unless it was mailed already, the person
// has no address or does not want this kind, or takes a daily digest.
// The row lock is held over the send and mailed_at set before the commit:
// a second worker waits, then finds it mailed.
func (w *mailWorker) Work(ctx context.Context, job *river.Job[MailArgs]) error {
	s := w.s
	if !s.mail.On() {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var accountID int64
		var kind, title, body, url, lang string
		var meetingID *int64
		var mailedAt *time.Time
		err := tx.QueryRow(ctx, lockNoteSQL, job.Args.NotificationID).Scan(&accountID, &kind, &title, &body, &url, &meetingID, &mailedAt, &lang)
		if errors.Is(err, pgx.ErrNoRows) || (err == nil && mailedAt != nil) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("notify: mail %d: %w", job.Args.NotificationID, err)
		}
		p, err := s.prefs(ctx, tx, accountID)
		if err != nil {
			return err
		}
		if p.Email == "" || !p.Wants(kind) || p.Digest {
			return nil
		}
		m := Mail{To: p.Email, Subject: title, Body: s.mailBody(i18n.Lang(lang), body, url)}
		if meetingID != nil && (kind == KindMeetingNotice || kind == KindReminder) {
			mt, err := meeting.Load(ctx, tx, *meetingID)
			if err != nil {
				return err
			}
			m.ICS = []byte(meeting.ICalendar(i18n.Lang(lang), mt.OrgName, []meeting.CalendarItem{{ID: mt.ID, OrgName: mt.OrgName, Kind: mt.Kind,
				Topic: mt.Topic, Place: mt.Place, StartsAt: mt.StartsAt, EndsAt: mt.EndsAt, Status: mt.Status}}, s.now()))
		}
		if err := s.mail.send(ctx, m); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET mailed_at = now() WHERE id = $1`, job.Args.NotificationID)
		return err
	})
}

func (s *Service) mailBody(l i18n.Lang, body, url string) string {
	var b strings.Builder
	b.WriteString(body)
	if url != "" {
		b.WriteString("\n\n")
		b.WriteString(i18n.TL(l, "notify.mail.link", strings.TrimRight(s.mail.BaseURL, "/")+url))
	}
	b.WriteString("\n\n")
	b.WriteString(i18n.TL(l, "notify.mail.footer"))
	return b.String()
}

// DigestArgs is the job that mails one person's daily digest.
type DigestArgs struct {
	AccountID int64  `json:"account_id"`
	Day       string `json:"day"`
}

// Kind names the job.
func (DigestArgs) Kind() string { return "notify_digest" }

// InsertOpts makes the digest unique per person and day.
func (DigestArgs) InsertOpts() river.InsertOpts {
	return river.InsertOpts{UniqueOpts: river.UniqueOpts{ByArgs: true}}
}

type digestWorker struct {
	river.WorkerDefaults[DigestArgs]
	s *Service
}

const digestNotesSQL = `
SELECT n.id, n.kind, n.title FROM notifications n
 WHERE n.account_id = $1 AND n.mailed_at IS NULL AND n.created_at > now() - interval '2 days'
 ORDER BY n.created_at, n.id FOR UPDATE`

// Work mails, in one message, the person's notifications not mailed yet.
func (w *digestWorker) Work(ctx context.Context, job *river.Job[DigestArgs]) error {
	s := w.s
	if !s.mail.On() {
		return nil
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		p, err := s.prefs(ctx, tx, job.Args.AccountID)
		if err != nil || !p.Digest || p.Email == "" {
			return err
		}
		var lang string
		if err := tx.QueryRow(ctx, `SELECT CASE WHEN language = 'en' THEN 'en' ELSE 'zh' END FROM accounts WHERE id = $1`, job.Args.AccountID).Scan(&lang); err != nil {
			return fmt.Errorf("notify: digest %d: %w", job.Args.AccountID, err)
		}
		rows, err := tx.Query(ctx, digestNotesSQL, job.Args.AccountID)
		if err != nil {
			return fmt.Errorf("notify: digest %d: %w", job.Args.AccountID, err)
		}
		var ids []int64
		var lines []string
		for rows.Next() {
			var id int64
			var kind, title string
			if err := rows.Scan(&id, &kind, &title); err != nil {
				rows.Close()
				return err
			}
			if p.Wants(kind) {
				ids = append(ids, id)
				lines = append(lines, "· "+title)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil || len(ids) == 0 {
			return err
		}
		l := i18n.Lang(lang)
		m := Mail{To: p.Email, Subject: i18n.TL(l, "notify.digest.title", len(ids)),
			Body: s.mailBody(l, strings.Join(lines, "\n"), "/inbox")}
		if err := s.mail.send(ctx, m); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE notifications SET mailed_at = now() WHERE id = ANY($1)`, ids)
		return err
	})
}

// ScanArgs is the periodic job that queues reminders, overdue notices and
// digests. River runs periodic jobs on the leader instance only; the
// dedupe keys and unique jobs keep a second run harmless.
type ScanArgs struct{}

// Kind names the job.
func (ScanArgs) Kind() string { return "notify_scan" }

type scanWorker struct {
	river.WorkerDefaults[ScanArgs]
	s *Service
}

// Work runs the scan as of now.
func (w *scanWorker) Work(ctx context.Context, _ *river.Job[ScanArgs]) error {
	return w.s.Scan(ctx, w.s.now())
}

// digestHour is when, China time, the daily digest goes out.
const digestHour = 18

// Scan queues what is due as of now: reminders of meetings the set number
// of days ahead, each secretary's overdue notice once a day, and the day's
// digests; and it keeps the dues roll-up a month ahead of the writes.
func (s *Service) Scan(ctx context.Context, now time.Time) error {
	if err := s.reminders(ctx, now); err != nil {
		return err
	}
	if err := s.overdue(ctx, now); err != nil {
		return err
	}
	if err := dues.KeepRollupAhead(ctx, s.pool, now); err != nil {
		return err
	}
	return s.digests(ctx, now)
}

func chinaDay(t time.Time) time.Time {
	t = t.In(i18n.Shanghai)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, i18n.Shanghai)
}

func (s *Service) reminders(ctx context.Context, now time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		days, err := ReminderDays(ctx, tx)
		if err != nil {
			return err
		}
		from := chinaDay(now).AddDate(0, 0, days)
		rows, err := tx.Query(ctx, `SELECT id FROM meetings WHERE status = 'planned' AND starts_at >= $1 AND starts_at < $2 ORDER BY id`, from, from.AddDate(0, 0, 1))
		if err != nil {
			return fmt.Errorf("notify: reminders: %w", err)
		}
		ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
		if err != nil {
			return fmt.Errorf("notify: reminders: %w", err)
		}
		for _, id := range ids {
			m, err := meeting.Load(ctx, tx, id)
			if err != nil {
				return err
			}
			due, err := meeting.Due(ctx, tx, m)
			if err != nil {
				return err
			}
			memberIDs := make([]int64, len(due))
			for i, d := range due {
				memberIDs[i] = d.ID
			}
			rs, err := recipients(ctx, tx, memberIDs)
			if err != nil {
				return err
			}
			for _, r := range rs {
				if _, err := s.Send(ctx, tx, Note{AccountID: r.AccountID, Kind: KindReminder, MeetingID: &m.ID,
					Title: i18n.TL(r.Lang, "notify.reminder.title", days, m.Topic), Body: i18n.TL(r.Lang, "notify.notice.body", m.OrgName, m.Topic, meetingWhen(r.Lang, m)),
					URL: "/me/leave/" + strconv.FormatInt(m.ID, 10), DedupeKey: "reminder:" + strconv.FormatInt(m.ID, 10) + ":" + strconv.FormatInt(r.AccountID, 10)}); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

const secretariesSQL = `
SELECT a.id, r.org_id, CASE WHEN a.language = 'en' THEN 'en' ELSE 'zh' END
  FROM account_roles r JOIN accounts a ON a.id = r.account_id
 WHERE r.role = 'secretary' AND a.disabled_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM notifications n WHERE n.dedupe_key = 'overdue:' || a.id || ':' || $1::text)
 ORDER BY a.id`

// overdue tells each secretary, once a day, how many of the branch's
// to-dos are overdue.
func (s *Service) overdue(ctx context.Context, now time.Time) error {
	if s.todos == nil {
		return nil
	}
	day := chinaDay(now)
	key := day.Format(time.DateOnly)
	rows, err := s.pool.Query(ctx, secretariesSQL, key)
	if err != nil {
		return fmt.Errorf("notify: secretaries: %w", err)
	}
	type sec struct {
		account, org int64
		lang         string
	}
	var secs []sec
	for rows.Next() {
		var x sec
		if err := rows.Scan(&x.account, &x.org, &x.lang); err != nil {
			rows.Close()
			return err
		}
		secs = append(secs, x)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	today := time.Date(day.Year(), day.Month(), day.Day(), 0, 0, 0, 0, time.UTC)
	for _, x := range secs {
		l := i18n.Lang(x.lang)
		lctx := i18n.WithLang(ctx, l)
		items, err := s.todos(lctx, s.pool, []int64{x.org}, today)
		if err != nil {
			return err
		}
		var titles []string
		for _, it := range items {
			if it.Overdue {
				titles = append(titles, "· "+it.Title)
			}
		}
		if len(titles) == 0 {
			continue
		}
		err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			_, err := s.Send(ctx, tx, Note{AccountID: x.account, Kind: KindOverdue, Title: i18n.TL(l, "notify.overdue.title", len(titles)),
				Body: strings.Join(titles, "\n"), URL: "/", DedupeKey: "overdue:" + strconv.FormatInt(x.account, 10) + ":" + key})
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// digests queues today's digest of everyone who takes one, at 18:00
// China time (at once when that is past).
func (s *Service) digests(ctx context.Context, now time.Time) error {
	if !s.mail.On() {
		return nil
	}
	rows, err := s.pool.Query(ctx, `SELECT account_id FROM mail_prefs WHERE digest ORDER BY account_id`)
	if err != nil {
		return fmt.Errorf("notify: digests: %w", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return fmt.Errorf("notify: digests: %w", err)
	}
	day := chinaDay(now)
	at := day.Add(digestHour * time.Hour)
	for _, id := range ids {
		if _, err := s.client.Insert(ctx, DigestArgs{AccountID: id, Day: day.Format(time.DateOnly)}, &river.InsertOpts{ScheduledAt: at}); err != nil {
			return fmt.Errorf("notify: queue digest %d: %w", id, err)
		}
	}
	return nil
}
