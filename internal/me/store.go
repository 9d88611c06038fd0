// Package me serves a member's own record: study hours by month against the
// yearly minimum, every activity attended or missed, upcoming meetings,
// appraisals and commendations, a printable transcript, and the secret
// address of the member's calendar feed.
package me

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/dues"
	"zhibu/internal/leadgroup"
	"zhibu/internal/meeting"
	"zhibu/internal/member"
	"zhibu/internal/notify"
	"zhibu/internal/pii"
	"zhibu/internal/recruit"
)

// Store reads one member's record.
type Store struct {
	pool   *pgxpool.Pool
	sealer *pii.Sealer // the data key of phone and e-mail (nil: the contact form is off)
}

// NewStore returns the store.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// Profile names the member and where they belong.
type Profile struct {
	Name       string
	BranchID   int64
	BranchName string
	GroupID    *int64
	GroupName  string
}

const profileSQL = `
SELECT m.name, m.branch_id, b.name AS branch_name, m.group_id, coalesce(g.name, '') AS group_name
  FROM members m
  JOIN organisations b ON b.id = m.branch_id
  LEFT JOIN organisations g ON g.id = m.group_id
 WHERE m.id = $1`

const monthlySQL = `
SELECT extract(month FROM earned_on)::int AS month, sum(hours)::float8 AS hours
  FROM study_credits
 WHERE member_id = $1 AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1)
 GROUP BY 1`

// Activity is a meeting the member was due at or attended.
type Activity struct {
	MeetingID int64
	Kind      string
	Topic     string
	OrgName   string
	StartsAt  time.Time
	Status    string
	Reason    string
	Hours     float64
}

const activitiesSQL = `
SELECT m.id AS meeting_id, m.kind, m.topic, o.name AS org_name, m.starts_at, a.status, a.reason,
       coalesce(c.hours, 0)::float8 AS hours
  FROM attendance a
  JOIN meetings m ON m.id = a.meeting_id
  JOIN organisations o ON o.id = m.org_id
  LEFT JOIN study_credits c ON c.meeting_id = m.id AND c.member_id = a.member_id
 WHERE a.member_id = $1
   AND m.starts_at >= make_timestamptz($2, 1, 1, 0, 0, 0, 'Asia/Shanghai')
   AND m.starts_at < make_timestamptz($2 + 1, 1, 1, 0, 0, 0, 'Asia/Shanghai')
 ORDER BY m.starts_at DESC, m.id DESC`

// Credit is an individual study record (not from a meeting).
type Credit struct {
	Kind     string
	Hours    float64
	EarnedOn time.Time
	Evidence string
}

const creditsSQL = `
SELECT kind, hours::float8 AS hours, earned_on, evidence FROM study_credits
 WHERE member_id = $1 AND meeting_id IS NULL
   AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1)
 ORDER BY earned_on DESC, id DESC`

// Appraisal is the member's result in a yearly democratic appraisal.
type Appraisal struct {
	Year   int
	Result *string
}

const appraisalsSQL = `
SELECT a.year, r.result FROM appraisal_results r JOIN appraisals a ON a.id = r.appraisal_id
 WHERE r.member_id = $1 ORDER BY a.year DESC`

// Commendation is an honour granted to the member.
type Commendation struct {
	Title      string
	Level      string
	GrantedOn  time.Time
	Issuer     string
	DocumentNo string
}

const commendationsSQL = `
SELECT title, level, granted_on, issuer, document_no FROM commendations
 WHERE member_id = $1 AND status = 'granted' ORDER BY granted_on DESC`

const calendarTokenSQL = `SELECT calendar_token FROM accounts WHERE id = $1`

// upcomingShown is how many next meetings /me lists.
const upcomingShown = 20

// Record is what /me shows of one member for one year.
type Record struct {
	Profile Profile
	Months  [12]float64
	Minimum float64
	// Study says how the hours are measured against the minimum (pro rata
	// months, self-study).
	Study         meeting.StudyTerms
	Activities    []Activity
	Credits       []Credit
	Upcoming      []meeting.Upcoming
	Appraisals    []Appraisal
	Commendations []Commendation
	// CalendarToken is the account's calendar secret, "" when none is set.
	CalendarToken string
	// Dues is the member's own dues this year (issue 21).
	Dues dues.Mine
	// Groups are the leadership groups the member belongs to today, beside
	// their branch (双重组织生活, issue 18).
	Groups []leadgroup.Mine
	// PhoneSealed and EmailSealed are the member's contact details as
	// stored, opened by the handler for the contact card.
	PhoneSealed, EmailSealed []byte
	// RecruitFile: the member has a recruitment file of their own to read
	// (issue 20: someone in the pipeline, or whose file was kept).
	RecruitFile bool
}

// Record reads the member's record for the year in one round trip: the
// statements are pipelined in a batch (each is small and indexed by the
// member), so the page costs one wait on the database instead of ten.
func (s *Store) Record(ctx context.Context, memberID, accountID int64, year int, now time.Time) (Record, error) {
	var r Record
	found := false
	b := &pgx.Batch{}
	b.Queue(profileSQL, memberID).Query(func(rows pgx.Rows) error {
		p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Profile])
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		r.Profile, found = p, err == nil
		return err
	})
	b.Queue(monthlySQL, memberID, year).Query(func(rows pgx.Rows) error {
		var month int
		var hours float64
		_, err := pgx.ForEachRow(rows, []any{&month, &hours}, func() error {
			if month >= 1 && month <= 12 {
				r.Months[month-1] = hours
			}
			return nil
		})
		return err
	})
	meeting.QueueStudyTerms(b, memberID, year, &r.Study)
	dues.QueueMine(b, memberID, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), &r.Dues)
	leadgroup.QueueMine(b, memberID, time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC), &r.Groups)
	queueRows(b, &r.Activities, activitiesSQL, memberID, year)
	queueRows(b, &r.Credits, creditsSQL, memberID, year)
	meeting.QueueUpcomingFor(b, &r.Upcoming, memberID, now, upcomingShown)
	queueRows(b, &r.Appraisals, appraisalsSQL, memberID)
	queueRows(b, &r.Commendations, commendationsSQL, memberID)
	b.Queue(calendarTokenSQL, accountID).QueryRow(func(row pgx.Row) error {
		var token *string
		if err := row.Scan(&token); err != nil {
			return err
		}
		if token != nil {
			r.CalendarToken = *token
		}
		return nil
	})
	member.QueuePhone(b, memberID, &r.PhoneSealed)
	notify.QueueEmail(b, accountID, &r.EmailSealed)
	recruit.QueueOwnFile(b, memberID, &r.RecruitFile)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return r, fmt.Errorf("me: record of %d: %w", memberID, err)
	}
	if !found {
		return r, fmt.Errorf("me: profile %d: %w", memberID, apperr.ErrNotFound)
	}
	r.Minimum = r.Study.Minimum
	return r, nil
}

// queueRows adds a query to the batch whose rows, scanned by name, land
// in dst when the batch runs.
func queueRows[T any](b *pgx.Batch, dst *[]T, sql string, args ...any) {
	b.Queue(sql, args...).Query(func(rows pgx.Rows) error {
		out, err := pgx.CollectRows(rows, pgx.RowToStructByName[T])
		*dst = out
		return err
	})
}

// ResetCalendarToken gives the account a new calendar secret; the old
// address stops working.
func (s *Store) ResetCalendarToken(ctx context.Context, accountID int64) (string, error) {
	b := make([]byte, 20)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("me: calendar token: %w", err)
	}
	token := hex.EncodeToString(b)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := auth.SetCalendarToken(ctx, tx, accountID, token); err != nil {
			return fmt.Errorf("me: reset calendar token: %w", err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.calendar_token_reset", Entity: "account", EntityID: accountID})
	})
	return token, err
}
