package meeting

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/formtoken"
)

// Setting keys of meeting_settings.
const (
	settingLateEntryDays  = "late_entry_days"
	settingStudyMinMember = "study_min_member"
	settingStudyMinCadre  = "study_min_cadre"
	settingCheckinOpen    = "checkin_open_minutes"
)

// Defaults used when meeting_settings holds no value (党员教育管理工作条例
// Art. 20: 32 hours a year; 56 for secretaries and committee members).
var settingDefaults = map[string]float64{
	settingLateEntryDays:  7,
	settingStudyMinMember: 32,
	settingStudyMinCadre:  56,
	settingCheckinOpen:    30,
}

func setting(ctx context.Context, q db.Querier, key string) (float64, error) {
	var v float64
	err := q.QueryRow(ctx, `SELECT value::float8 FROM meeting_settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return settingDefaults[key], nil
	}
	if err != nil {
		return 0, fmt.Errorf("meeting: setting %s: %w", key, err)
	}
	return v, nil
}

// LateEntryDays is how many days after a meeting ends its entry still
// counts as on time; later entries are marked late (补录).
func LateEntryDays(ctx context.Context, q db.Querier) (int, error) {
	v, err := setting(ctx, q, settingLateEntryDays)
	return int(v), err
}

// cadreSQL: does the member hold a committee post (secretary, committee
// member) in a term that overlaps the year?
// studyMinimumSQL picks the minimum in one statement: the cadre one for
// anyone holding a committee post during the year, else the ordinary one;
// the setting when meeting_settings holds it, else the default.
const studyMinimumSQL = `
WITH c AS (
  SELECT EXISTS (
    SELECT 1 FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id
     WHERE p.member_id = $1
       AND t.elected_on <= make_date($2, 12, 31)
       AND (t.ended_on IS NULL OR t.ended_on >= make_date($2, 1, 1))) AS cadre)
SELECT coalesce(
         (SELECT value::float8 FROM meeting_settings WHERE key = CASE WHEN c.cadre THEN $3 ELSE $4 END),
         CASE WHEN c.cadre THEN $5::float8 ELSE $6::float8 END)
  FROM c`

func studyMinimumArgs(memberID int64, year int) []any {
	return []any{memberID, year, settingStudyMinCadre, settingStudyMinMember,
		settingDefaults[settingStudyMinCadre], settingDefaults[settingStudyMinMember]}
}

// StudyMinimum is the yearly study-hour minimum that applies to a member:
// the higher one for secretaries and committee members (anyone holding a
// committee post during the year), the ordinary one for everyone else.
// Every figure that compares hours with a minimum goes through here (or
// QueueStudyMinimum), so that the agency's rule sets can take over in one
// place.
func StudyMinimum(ctx context.Context, q db.Querier, memberID int64, year int) (float64, error) {
	var v float64
	if err := q.QueryRow(ctx, studyMinimumSQL, studyMinimumArgs(memberID, year)...).Scan(&v); err != nil {
		return 0, fmt.Errorf("meeting: study minimum of %d: %w", memberID, err)
	}
	return v, nil
}

// QueueStudyMinimum adds StudyMinimum's statement to a batch, for pages
// that read many things in one round trip; dst receives the minimum when
// the batch runs.
func QueueStudyMinimum(b *pgx.Batch, memberID int64, year int, dst *float64) {
	b.Queue(studyMinimumSQL, studyMinimumArgs(memberID, year)...).QueryRow(func(row pgx.Row) error {
		if err := row.Scan(dst); err != nil {
			return fmt.Errorf("meeting: study minimum of %d: %w", memberID, err)
		}
		return nil
	})
}

// CreditKinds are the kinds of an individual study record.
var CreditKinds = []string{"online", "self", "central", "lecture", "training"}

// CreditInput is a validated individual study record.
type CreditInput struct {
	MemberID int64
	Hours    float64
	Kind     string
	EarnedOn time.Time
	Evidence string
	// FormToken is the form's one-time token (formtoken); not audited.
	FormToken string `json:"-"`
}

// AddCredit records individual study hours (an online course, a training)
// that no meeting of the branch stands behind.
func (s *Store) AddCredit(ctx context.Context, in CreditInput) (int64, error) {
	var id int64
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		earlier, done, err := formtoken.Claim(ctx, tx, in.FormToken, "study_credit")
		if err != nil || done {
			id = earlier // the same form sent again: the record it created
			return err
		}
		err = tx.QueryRow(ctx, `
INSERT INTO study_credits (member_id, hours, kind, earned_on, evidence, created_by)
VALUES ($1, $2, $3, $4, $5, NULLIF($6, 0)) RETURNING id`,
			in.MemberID, in.Hours, in.Kind, in.EarnedOn, in.Evidence, audit.ActorOf(ctx).ID).Scan(&id)
		if err != nil {
			return fmt.Errorf("meeting: add credit for %d: %w", in.MemberID, err)
		}
		if err := formtoken.Done(ctx, tx, in.FormToken, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "study_credit.create", Entity: "study_credit", EntityID: id, After: in})
	})
	return id, err
}

// MemberBranch returns the branch a member belongs to, for scope checks.
func (s *Store) MemberBranch(ctx context.Context, memberID int64) (int64, error) {
	var branchID int64
	err := s.pool.QueryRow(ctx, `SELECT branch_id FROM members WHERE id = $1`, memberID).Scan(&branchID)
	if errors.Is(err, pgx.ErrNoRows) {
		return 0, fmt.Errorf("meeting: member %d: %w", memberID, apperr.ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("meeting: member %d: %w", memberID, err)
	}
	return branchID, nil
}
