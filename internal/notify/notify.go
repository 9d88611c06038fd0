// Package notify tells people what concerns them: an in-app inbox
// (/inbox) with the unread count on the navigation bar, and e-mail through
// the agency's own SMTP server when one is configured — meeting notices
// with an .ics invitation, reminders a set number of days before, leave
// and credit decisions, overdue items, or one daily digest instead.
//
// Mail goes through River's job queue in PostgreSQL: a notification and
// its mail job are written in the transaction that causes them (a meeting
// planned, a request decided), so nothing is sent for a change that rolled
// back; River retries failed sends with back-off and keeps the failed ones
// for the administrator (/admin/jobs). Several app instances may run the
// queue at once: a job is worked by one of them, the mail job is unique per
// notification, and the worker marks the notification mailed under its row
// lock before it commits, so one message is sent once.
package notify

import (
	"context"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"
	"github.com/riverqueue/river/rivertype"

	"zhibu/internal/db"
	"zhibu/internal/pii"
	"zhibu/internal/todo"
)

// Kinds of notification, and the mail preference each one follows.
const (
	KindMeetingNotice  = "meeting_notice"
	KindReminder       = "reminder"
	KindLeaveDecision  = "leave_decision"
	KindCreditDecision = "credit_decision"
	KindOverdue        = "overdue"
)

// Kinds lists every kind of notification.
var Kinds = []string{KindMeetingNotice, KindReminder, KindLeaveDecision, KindCreditDecision, KindOverdue}

// TodoSource lists a branch's to-dos (the secretary's workbench), for the
// overdue notices.
type TodoSource func(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error)

// Service writes notifications, queues their mail and runs the queue.
type Service struct {
	pool   *pgxpool.Pool
	sealer *pii.Sealer
	mail   MailConfig
	logger *slog.Logger
	todos  TodoSource
	now    func() time.Time
	client *river.Client[pgx.Tx]
	unread unreadCache
}

// Options configures the service.
type Options struct {
	Mail   MailConfig
	Logger *slog.Logger
	// Todos, when set, feeds the daily overdue notices to secretaries.
	Todos TodoSource
	// Workers is how many jobs one instance works at once (default 4).
	Workers int
	// ScanEvery is how often the leader looks for reminders, overdue items
	// and digests to queue (default an hour).
	ScanEvery time.Duration
	// RetryBase is the first back-off of a failed send; each retry waits
	// longer (default River's policy: attempt⁴ seconds).
	RetryBase time.Duration
	// QueuePool, when set, is the pool the queue works on: a direct
	// connection to the primary (DATABASE_DIRECT_URL) when the main pool
	// goes through PgBouncer, since River LISTENs for new jobs and
	// leadership changes. Jobs are still inserted in the callers'
	// transactions on the main pool.
	QueuePool *pgxpool.Pool
	// PollOnly: the queue LISTENs for nothing and polls instead (behind
	// PgBouncer in transaction mode without a direct URL); a new job
	// waits up to a second to be picked up.
	PollOnly bool
}

// New returns the service over the pool. The queue works jobs only after
// Start; without it (tests, the CLI) jobs wait in the table.
func New(pool *pgxpool.Pool, sealer *pii.Sealer, o Options) (*Service, error) {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.Workers <= 0 {
		o.Workers = 4
	}
	if o.ScanEvery <= 0 {
		o.ScanEvery = time.Hour
	}
	s := &Service{pool: pool, sealer: sealer, mail: o.Mail, logger: o.Logger, todos: o.Todos, now: time.Now}
	workers := river.NewWorkers()
	river.AddWorker(workers, &mailWorker{s: s})
	river.AddWorker(workers, &digestWorker{s: s})
	river.AddWorker(workers, &scanWorker{s: s})
	cfg := &river.Config{
		Logger:      o.Logger,
		Queues:      map[string]river.QueueConfig{river.QueueDefault: {MaxWorkers: o.Workers}},
		Workers:     workers,
		MaxAttempts: maxAttempts,
		PeriodicJobs: []*river.PeriodicJob{
			river.NewPeriodicJob(river.PeriodicInterval(o.ScanEvery), func() (river.JobArgs, *river.InsertOpts) {
				return ScanArgs{}, nil
			}, &river.PeriodicJobOpts{RunOnStart: true, ID: "notify-scan"}),
		},
	}
	if o.RetryBase > 0 {
		cfg.RetryPolicy = linearRetry{base: o.RetryBase}
	}
	cfg.PollOnly = o.PollOnly
	queuePool := pool
	if o.QueuePool != nil {
		queuePool = o.QueuePool
	}
	c, err := river.NewClient(riverpgxv5.New(queuePool), cfg)
	if err != nil {
		return nil, err
	}
	s.client = c
	return s, nil
}

// maxAttempts is how often a mail is tried before its job is discarded
// and shown to the administrator as failed.
const maxAttempts = 8

// linearRetry waits base × attempt before the next try (tests use a short
// base to see retries happen).
type linearRetry struct{ base time.Duration }

func (p linearRetry) NextRetry(job *rivertype.JobRow) time.Time {
	return time.Now().Add(p.base * time.Duration(job.Attempt))
}

// Start runs the queue in the background until Stop.
func (s *Service) Start(ctx context.Context) error { return s.client.Start(ctx) }

// Stop lets the jobs in hand finish, then stops the queue.
func (s *Service) Stop(ctx context.Context) error { return s.client.Stop(ctx) }

// MailOn reports whether mail is configured.
func (s *Service) MailOn() bool { return s.mail.On() }

// unreadTTL is how long the navigation's unread count may lag behind
// notes written by others (the person's own reads clear it at once).
const unreadTTL = 30 * time.Second

// unreadCache keeps each person's unread count for the badge, so a page
// costs no extra round trip to the database.
type unreadCache struct {
	mu sync.Mutex
	m  map[int64]unreadEntry
}

type unreadEntry struct {
	n  int
	at time.Time
}

func (c *unreadCache) get(account int64, now time.Time) (int, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[account]
	if !ok || now.Sub(e.at) >= unreadTTL {
		return 0, false
	}
	return e.n, true
}

func (c *unreadCache) put(account int64, n int, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[int64]unreadEntry{}
	}
	c.m[account] = unreadEntry{n: n, at: now}
}

func (c *unreadCache) forget(account int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.m, account)
}

func (c *unreadCache) clear() {
	c.mu.Lock()
	defer c.mu.Unlock()
	clear(c.m)
}

// UnreadChannel is the NOTIFY channel on which migration 000341's
// triggers name the account whose notifications were written or read.
const UnreadChannel = "zhibu_unread"

// ListenUnread keeps the unread counts in step with every instance's
// writes over a direct connection to the primary (LISTEN; never through
// a transaction pooler), until ctx ends: an account's count is dropped
// when its notifications change anywhere, and every count when the
// connection is lost or made again (unreadTTL still bounds them).
func (s *Service) ListenUnread(ctx context.Context, url string, logger *slog.Logger) {
	db.Listen(ctx, url, []string{UnreadChannel}, func(_, payload string) {
		if id, err := strconv.ParseInt(payload, 10, 64); err == nil {
			s.unread.forget(id)
		}
	}, s.unread.clear, s.unread.clear, logger)
}
