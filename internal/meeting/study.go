package meeting

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/formtoken"
	"zhibu/internal/i18n"
	"zhibu/internal/rules"
)

// Setting keys of meeting_settings.
const (
	settingLateEntryDays = "late_entry_days"
	settingCheckinOpen   = "checkin_open_minutes"
)

// Defaults used when meeting_settings holds no value.
var settingDefaults = map[string]float64{
	settingLateEntryDays: 7,
	settingCheckinOpen:   30,
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

// StudyTerms is how a member's study hours of a year are measured: the
// minimum that applies (pro rata for a member who arrived during the year)
// and which hours count toward it.
type StudyTerms struct {
	// Full is the yearly minimum of the study-hours rule in force: the
	// committee one (56) for anyone holding a committee post during the
	// year, the members' one (32) for everyone else.
	Full float64
	// Months is how many months of the year the member belonged to the
	// branch (12: all of it; fewer after admission or a transfer in during
	// the year, the month of arrival included).
	Months int
	// Minimum is Full × Months / 12, to a tenth of an hour (rules.ProRate).
	Minimum float64
	// SelfCounts: the agency counts self-study toward the minimum
	// (review_settings; by default it does not).
	SelfCounts bool
	// Self is the year's self-study hours.
	Self float64
}

// ProRata reports whether the minimum is less than the full year's.
func (t StudyTerms) ProRata() bool { return t.Months < 12 }

// Counted is the part of a year's hours that counts toward the minimum.
func (t StudyTerms) Counted(hours float64) float64 {
	if t.SelfCounts {
		return hours
	}
	return max(0, hours-t.Self)
}

// studyTermsSQL reads the terms in one statement. The rule is the version
// of the study-hours rule in force on $3 (the year's last day, or today
// while the year runs), the same rule the committee's compliance view
// applies (internal/rules), the deepest override of the member's branch's
// subtrees first (rules.Resolver). The arrival day is the admission or the latest
// transfer in, whichever is later (rules.StudyMonths).
const studyTermsSQL = `
WITH c AS (
  SELECT EXISTS (
    SELECT 1 FROM committee_posts p JOIN committee_terms t ON t.id = p.term_id
     WHERE p.member_id = $1
       AND t.elected_on <= make_date($2, 12, 31)
       AND (t.ended_on IS NULL OR t.ended_on >= make_date($2, 1, 1))) AS cadre,
  coalesce((SELECT o.path FROM members m JOIN organisations o ON o.id = m.branch_id WHERE m.id = $1), '{}') AS path)
SELECT coalesce((SELECT CASE WHEN r.enabled THEN r.minimum::float8 ELSE 0 END FROM rules r
                  WHERE r.kind = 'study_hours'
                    AND r.applies_to = CASE WHEN c.cadre THEN 'committee' ELSE 'member' END
                    AND r.effective_from <= $3 AND (r.effective_to IS NULL OR r.effective_to > $3)
                    AND (r.org_id IS NULL OR r.org_id = ANY (c.path))
                  ORDER BY array_position(c.path, r.org_id) DESC NULLS LAST, r.effective_from DESC LIMIT 1), 0),
       (SELECT greatest(m.admitted_on,
                        (SELECT max(e.occurred_on) FROM member_events e
                          WHERE e.member_id = m.id AND e.kind = 'transferred_in'
                            AND e.occurred_on <= make_date($2, 12, 31)))
          FROM members m WHERE m.id = $1),
       (SELECT self_study_counts FROM review_settings WHERE id = 1),
       (SELECT coalesce(sum(hours), 0)::float8 FROM study_credits
         WHERE member_id = $1 AND kind = 'self'
           AND earned_on >= make_date($2, 1, 1) AND earned_on < make_date($2 + 1, 1, 1))
  FROM c`

// asOfDay is the day whose rule version applies to a year: its last day,
// or today (China time) while it runs.
func asOfDay(year int, now time.Time) time.Time {
	now = now.In(i18n.Shanghai)
	last := time.Date(year, 12, 31, 0, 0, 0, 0, time.UTC)
	today := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, time.UTC)
	first := time.Date(year, 1, 1, 0, 0, 0, 0, time.UTC)
	switch {
	case today.Before(first):
		return first
	case today.Before(last):
		return today
	}
	return last
}

func scanStudyTerms(row pgx.Row, memberID int64, year int, dst *StudyTerms) error {
	var selfCounts *bool
	var since *time.Time
	if err := row.Scan(&dst.Full, &since, &selfCounts, &dst.Self); err != nil {
		return fmt.Errorf("meeting: study terms of %d: %w", memberID, err)
	}
	dst.SelfCounts = selfCounts != nil && *selfCounts
	var from time.Time
	if since != nil {
		from = *since
	}
	dst.Months = rules.StudyMonths(from, year)
	dst.Minimum = rules.ProRate(dst.Full, dst.Months)
	return nil
}

// StudyTermsOf reads how a member's study hours of a year are measured.
// Every figure that compares hours with a minimum goes through here (or
// QueueStudyTerms), so the rule, the pro rata months and the self-study
// setting are applied in one place.
func StudyTermsOf(ctx context.Context, q db.Querier, memberID int64, year int) (StudyTerms, error) {
	var t StudyTerms
	err := scanStudyTerms(q.QueryRow(ctx, studyTermsSQL, memberID, year, asOfDay(year, time.Now())), memberID, year, &t)
	return t, err
}

// QueueStudyTerms adds StudyTermsOf's statement to a batch, for pages
// that read many things in one round trip; dst receives the terms when
// the batch runs.
func QueueStudyTerms(b *pgx.Batch, memberID int64, year int, dst *StudyTerms) {
	b.Queue(studyTermsSQL, memberID, year, asOfDay(year, time.Now())).QueryRow(func(row pgx.Row) error {
		return scanStudyTerms(row, memberID, year, dst)
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

// Notes explain the terms on a page, in the request's language: the pro
// rata minimum, and self-study left out of the count.
func (t StudyTerms) Notes(ctx context.Context) []string {
	var out []string
	if t.ProRata() {
		out = append(out, i18n.T(ctx, "study.note.prorata", t.Months, strconv.FormatFloat(t.Full, 'f', -1, 64)))
	}
	if !t.SelfCounts && t.Self > 0 {
		out = append(out, i18n.T(ctx, "study.note.self_excluded", strconv.FormatFloat(t.Self, 'f', -1, 64)))
	}
	return out
}
