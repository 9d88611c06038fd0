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
	"zhibu/internal/meeting"
)

// Store reads one member's record.
type Store struct {
	pool *pgxpool.Pool
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

// Profile returns the member's name, branch and group.
func (s *Store) Profile(ctx context.Context, memberID int64) (Profile, error) {
	rows, err := s.pool.Query(ctx, profileSQL, memberID)
	if err != nil {
		return Profile{}, fmt.Errorf("me: profile %d: %w", memberID, err)
	}
	p, err := pgx.CollectExactlyOneRow(rows, pgx.RowToStructByName[Profile])
	if errors.Is(err, pgx.ErrNoRows) {
		return Profile{}, fmt.Errorf("me: profile %d: %w", memberID, apperr.ErrNotFound)
	}
	if err != nil {
		return Profile{}, fmt.Errorf("me: profile %d: %w", memberID, err)
	}
	return p, nil
}

const monthlySQL = `
SELECT extract(month FROM earned_on)::int AS month, sum(hours)::float8 AS hours
  FROM study_credits
 WHERE member_id = $1 AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1)
 GROUP BY 1`

// Monthly returns the member's study hours in each month of the year
// (index 0 is January), summed from the study credits.
func (s *Store) Monthly(ctx context.Context, memberID int64, year int) ([12]float64, error) {
	var out [12]float64
	rows, err := s.pool.Query(ctx, monthlySQL, memberID, year)
	if err != nil {
		return out, fmt.Errorf("me: monthly hours of %d: %w", memberID, err)
	}
	var month int
	var hours float64
	_, err = pgx.ForEachRow(rows, []any{&month, &hours}, func() error {
		if month >= 1 && month <= 12 {
			out[month-1] = hours
		}
		return nil
	})
	if err != nil {
		return out, fmt.Errorf("me: monthly hours of %d: %w", memberID, err)
	}
	return out, nil
}

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

// Activities lists the year's meetings with the member's attendance.
func (s *Store) Activities(ctx context.Context, memberID int64, year int) ([]Activity, error) {
	rows, err := s.pool.Query(ctx, activitiesSQL, memberID, year)
	if err != nil {
		return nil, fmt.Errorf("me: activities of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Activity])
	if err != nil {
		return nil, fmt.Errorf("me: activities of %d: %w", memberID, err)
	}
	return out, nil
}

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

// Credits lists the year's individual study records.
func (s *Store) Credits(ctx context.Context, memberID int64, year int) ([]Credit, error) {
	rows, err := s.pool.Query(ctx, creditsSQL, memberID, year)
	if err != nil {
		return nil, fmt.Errorf("me: credits of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Credit])
	if err != nil {
		return nil, fmt.Errorf("me: credits of %d: %w", memberID, err)
	}
	return out, nil
}

const upcomingSQL = `
SELECT m.id, o.name AS org_name, m.kind, m.topic, m.place, m.starts_at, m.ends_at, m.status
  FROM meetings m
  JOIN organisations o ON o.id = m.org_id
  JOIN members me ON me.id = $1
 WHERE m.status = 'planned' AND m.starts_at >= $2
   AND m.org_id IN (me.branch_id, me.group_id)
   AND (m.kind <> 'committee' OR EXISTS (
        SELECT 1 FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id
         WHERE p.member_id = me.id AND t.org_id = m.org_id AND t.ended_on IS NULL))
 ORDER BY m.starts_at, m.id
 LIMIT 20`

// Upcoming lists the planned meetings of the member's branch and group
// (committee meetings only for committee members).
func (s *Store) Upcoming(ctx context.Context, memberID int64, now time.Time) ([]meeting.CalendarItem, error) {
	rows, err := s.pool.Query(ctx, upcomingSQL, memberID, now)
	if err != nil {
		return nil, fmt.Errorf("me: upcoming of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[meeting.CalendarItem])
	if err != nil {
		return nil, fmt.Errorf("me: upcoming of %d: %w", memberID, err)
	}
	return out, nil
}

// Appraisal is the member's result in a yearly democratic appraisal.
type Appraisal struct {
	Year   int
	Result *string
}

const appraisalsSQL = `
SELECT a.year, r.result FROM appraisal_results r JOIN appraisals a ON a.id = r.appraisal_id
 WHERE r.member_id = $1 ORDER BY a.year DESC`

// Appraisals lists the member's appraisal results, newest first.
func (s *Store) Appraisals(ctx context.Context, memberID int64) ([]Appraisal, error) {
	rows, err := s.pool.Query(ctx, appraisalsSQL, memberID)
	if err != nil {
		return nil, fmt.Errorf("me: appraisals of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Appraisal])
	if err != nil {
		return nil, fmt.Errorf("me: appraisals of %d: %w", memberID, err)
	}
	return out, nil
}

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

// Commendations lists the member's commendations, newest first.
func (s *Store) Commendations(ctx context.Context, memberID int64) ([]Commendation, error) {
	rows, err := s.pool.Query(ctx, commendationsSQL, memberID)
	if err != nil {
		return nil, fmt.Errorf("me: commendations of %d: %w", memberID, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByName[Commendation])
	if err != nil {
		return nil, fmt.Errorf("me: commendations of %d: %w", memberID, err)
	}
	return out, nil
}

// CalendarToken returns the account's calendar secret, "" when none is set.
func (s *Store) CalendarToken(ctx context.Context, accountID int64) (string, error) {
	var token *string
	if err := s.pool.QueryRow(ctx, `SELECT calendar_token FROM accounts WHERE id = $1`, accountID).Scan(&token); err != nil {
		return "", fmt.Errorf("me: calendar token of %d: %w", accountID, err)
	}
	if token == nil {
		return "", nil
	}
	return *token, nil
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
		if _, err := tx.Exec(ctx, `UPDATE accounts SET calendar_token = $2 WHERE id = $1`, accountID, token); err != nil {
			return fmt.Errorf("me: reset calendar token of %d: %w", accountID, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.calendar_token_reset", Entity: "account", EntityID: accountID})
	})
	return token, err
}
