package member

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/dates"
)

// Actions are the lifecycle steps a secretary records on a member.
var Actions = []string{"admit", "convert", "extend", "transfer_out", "transfer_in", "move", "status"}

// ActionForm is what a lifecycle action's form holds, as typed.
type ActionForm struct {
	Version  int
	Date     string // the day it happened
	Until    string // extend: the new end of probation
	Place    string // transfer: destination or origin
	LetterNo string // transfer: the letter's number
	ToBranch string // move: the branch
	Status   string // status: the new Party status
	Details  string // reason or note
}

// Action is a validated lifecycle action.
type Action struct {
	Kind     string
	Date     time.Time
	Until    time.Time
	Place    string
	LetterNo string
	ToBranch int64
	Status   string
	Details  string
}

// ChangeableStatuses are the statuses the status action may set; transfers
// have their own actions.
var ChangeableStatuses = []string{"normal", "suspended", "struck_off", "expelled", "deceased"}

// Validate checks the fields the action needs, independent of the member.
func (f *ActionForm) Validate(kind string, today time.Time) (Action, map[string]string) {
	errs := map[string]string{}
	add := func(field, key string) {
		if _, ok := errs[field]; !ok {
			errs[field] = key
		}
	}
	a := Action{Kind: kind}
	f.Date, f.Until, f.Place, f.LetterNo, f.ToBranch, f.Status = strings.TrimSpace(f.Date), strings.TrimSpace(f.Until),
		strings.TrimSpace(f.Place), strings.TrimSpace(f.LetterNo), strings.TrimSpace(f.ToBranch), strings.TrimSpace(f.Status)
	f.Details = strings.TrimSpace(f.Details)
	if f.Date == "" {
		add("date", "form.required")
	} else if d, err := time.Parse(dateLayout, f.Date); err != nil {
		add("date", "form.bad_date")
	} else if d.After(today) {
		add("date", "member.stage.future")
	} else {
		a.Date = d
	}
	if utf8.RuneCountInString(f.Details) > 1000 {
		add("details", "form.too_long")
	}
	a.Details = f.Details
	switch kind {
	case "extend":
		if f.Until == "" {
			add("until", "form.required")
		} else if d, err := time.Parse(dateLayout, f.Until); err != nil {
			add("until", "form.bad_date")
		} else {
			a.Until = d
		}
	case "transfer_out", "transfer_in":
		if f.Place == "" {
			add("place", "form.required")
		} else if utf8.RuneCountInString(f.Place) > 200 {
			add("place", "form.too_long")
		}
		if f.LetterNo == "" {
			add("letter_no", "form.required")
		} else if utf8.RuneCountInString(f.LetterNo) > 50 {
			add("letter_no", "form.too_long")
		}
		a.Place, a.LetterNo = f.Place, f.LetterNo
	case "move":
		if id, err := strconv.ParseInt(f.ToBranch, 10, 64); err != nil || id <= 0 {
			add("to_branch", "form.required")
		} else {
			a.ToBranch = id
		}
	case "status":
		if !slices.Contains(ChangeableStatuses, f.Status) {
			add("status", "form.required")
		}
		a.Status = f.Status
		if a.Details == "" {
			add("details", "form.required")
		}
	}
	return a, errs
}

// ActionError is a rule the member's record breaks for the action, as a
// message key shown beside the field it concerns.
type ActionError struct {
	Field string
	Key   string
}

func (e *ActionError) Error() string { return "member: action refused: " + e.Key }

// Check tells whether the action may be applied to m; nil when it may.
func (a Action) Check(m *Member) *ActionError {
	switch a.Kind {
	case "admit":
		if m.Category != "target" {
			return &ActionError{"date", "member.action.not_target"}
		}
		if m.TargetOn != nil && a.Date.Before(*m.TargetOn) {
			return &ActionError{"date", "member.stage.order"}
		}
	case "convert":
		if m.Category != "probationary" || m.AdmittedOn == nil {
			return &ActionError{"date", "member.action.not_probationary"}
		}
		if a.Date.Before(*m.ConversionDue()) {
			return &ActionError{"date", "member.action.convert_early"}
		}
	case "extend":
		if m.Category != "probationary" || m.AdmittedOn == nil {
			return &ActionError{"date", "member.action.not_probationary"}
		}
		if m.ProbationExtendedTo != nil {
			return &ActionError{"until", "member.action.extended_once"}
		}
		if !a.Until.After(dates.AddYears(*m.AdmittedOn, 1)) || a.Until.After(dates.AddYears(*m.AdmittedOn, 2)) {
			return &ActionError{"until", "member.action.extend_range"}
		}
		if a.Date.Before(*m.AdmittedOn) {
			return &ActionError{"date", "member.stage.order"}
		}
	case "transfer_out":
		if m.PartyStatus != "normal" && m.PartyStatus != "suspended" {
			return &ActionError{"date", "member.action.not_present"}
		}
	case "transfer_in":
		if m.PartyStatus != "transferred_out" {
			return &ActionError{"date", "member.action.not_transferred_out"}
		}
	case "move":
		if a.ToBranch == m.BranchID {
			return &ActionError{"to_branch", "member.action.same_branch"}
		}
	case "status":
		if a.Status == m.PartyStatus {
			return &ActionError{"status", "member.action.same_status"}
		}
	}
	return nil
}

const (
	admitSQL       = `UPDATE members SET category = 'probationary', admitted_on = $2, version = version + 1, updated_at = now() WHERE id = $1`
	convertSQL     = `UPDATE members SET category = 'full', converted_on = $2, version = version + 1, updated_at = now() WHERE id = $1`
	extendSQL      = `UPDATE members SET probation_extended_to = $2, version = version + 1, updated_at = now() WHERE id = $1`
	setStatusSQL   = `UPDATE members SET party_status = $2, version = version + 1, updated_at = now() WHERE id = $1`
	moveSQL        = `UPDATE members SET branch_id = $2, group_id = NULL, version = version + 1, updated_at = now() WHERE id = $1`
	moveTargetSQL  = `SELECT count(*) FROM organisations o, organisations src WHERE src.id = $1 AND o.id = $2 AND o.kind = 'branch' AND o.dissolved_on IS NULL AND o.path[1] = src.path[1]`
	actionAuditKey = "member."
)

// actionAudit is what the audit trail keeps of a lifecycle action.
type actionAudit struct {
	Kind     string `json:"kind"`
	Date     string `json:"date"`
	Until    string `json:"until,omitempty"`
	Place    string `json:"place,omitempty"`
	LetterNo string `json:"letter_no,omitempty"`
	ToBranch int64  `json:"to_branch,omitempty"`
	Status   string `json:"status,omitempty"`
	Details  string `json:"details,omitempty"`
}

// Apply records the action on member id if nobody changed the member since
// version was read: the member's new state, the dated event with who did
// it, and the audit row, in one transaction. It returns *ActionError when
// the member's record does not allow the action, ErrConflict when stale.
func (s *Store) Apply(ctx context.Context, id int64, version int, a Action) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		m, err := s.get(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if m.Version != version {
			return apperr.ErrConflict
		}
		if e := a.Check(m); e != nil {
			return e
		}
		var from, to *int64
		branch := m.BranchID
		var kind string
		details := a.Details
		switch a.Kind {
		case "admit":
			kind = "admitted"
			to = &branch
			_, err = tx.Exec(ctx, admitSQL, id, a.Date)
		case "convert":
			// a.Date is the day of the 支部大会 that voted (the event's
			// date); full membership dates from the day probation ends
			// (细则 第三十四条, 党章 第七条), whenever the meeting was held.
			kind = "converted"
			to = &branch
			_, err = tx.Exec(ctx, convertSQL, id, *m.ConversionDue())
		case "extend":
			kind = "probation_extended"
			details = strings.TrimSpace(a.Until.Format(dateLayout) + " " + a.Details)
			_, err = tx.Exec(ctx, extendSQL, id, a.Until)
		case "transfer_out":
			kind = "transferred_out"
			from = &branch
			_, err = tx.Exec(ctx, setStatusSQL, id, "transferred_out")
		case "transfer_in":
			kind = "transferred_in"
			to = &branch
			_, err = tx.Exec(ctx, setStatusSQL, id, "normal")
		case "move":
			var n int
			if err := tx.QueryRow(ctx, moveTargetSQL, m.BranchID, a.ToBranch).Scan(&n); err != nil {
				return err
			}
			if n == 0 {
				return &ActionError{"to_branch", "form.invalid"}
			}
			kind = "moved"
			from, to = &branch, &a.ToBranch
			_, err = tx.Exec(ctx, moveSQL, id, a.ToBranch)
		case "status":
			kind = "status_changed"
			details = strings.TrimSpace(m.PartyStatus + " → " + a.Status + " " + a.Details)
			_, err = tx.Exec(ctx, setStatusSQL, id, a.Status)
		default:
			return fmt.Errorf("unknown action %q: %w", a.Kind, apperr.ErrNotFound)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, insertEventSQL, id, kind, a.Date, from, to, details, a.Place, a.LetterNo, audit.ActorOf(ctx).ID); err != nil {
			return err
		}
		rec := actionAudit{Kind: a.Kind, Date: a.Date.Format(dateLayout), Place: a.Place, LetterNo: a.LetterNo,
			ToBranch: a.ToBranch, Status: a.Status, Details: a.Details}
		if !a.Until.IsZero() {
			rec.Until = a.Until.Format(dateLayout)
		}
		return audit.Record(ctx, tx, audit.Event{Action: actionAuditKey + a.Kind, Entity: "member", EntityID: id, Before: s.viewOf(m), After: rec})
	})
	if err != nil {
		return fmt.Errorf("member: %s %d: %w", a.Kind, id, err)
	}
	return nil
}

// EndMembership records, inside the caller's transaction, that member id
// leaves the Party on day on with status (expelled by a sanction, or
// struck_off by an approved disposal): the new status, the dated event and
// the audit row. Areas that decide such an end (discipline, disposal) call
// it; members stays written by this package only.
func EndMembership(ctx context.Context, tx pgx.Tx, id int64, status string, on time.Time, details string) error {
	if status != "expelled" && status != "struck_off" {
		return fmt.Errorf("member: end membership %d: status %q: %w", id, status, apperr.ErrInvalid)
	}
	var before string
	if err := tx.QueryRow(ctx, `SELECT party_status FROM members WHERE id = $1 FOR UPDATE`, id).Scan(&before); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("member: end membership %d: %w", id, apperr.ErrNotFound)
		}
		return fmt.Errorf("member: end membership %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, setStatusSQL, id, status); err != nil {
		return fmt.Errorf("member: end membership %d: %w", id, err)
	}
	text := strings.TrimSpace(before + " → " + status + " " + details)
	if utf8.RuneCountInString(text) > 1000 {
		text = string([]rune(text)[:1000])
	}
	if _, err := tx.Exec(ctx, insertEventSQL, id, "status_changed", on, nil, nil, text, "", "", audit.ActorOf(ctx).ID); err != nil {
		return fmt.Errorf("member: end membership %d: %w", id, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: actionAuditKey + "status", Entity: "member", EntityID: id,
		Before: map[string]string{"party_status": before}, After: map[string]any{"party_status": status, "on": on.Format(dateLayout), "details": details}})
}
