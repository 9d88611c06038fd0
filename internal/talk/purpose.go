package talk

import (
	"context"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// Kinds are the kinds of talk: a heart-to-heart talk (谈心谈话, 支部工作条例
// 第十九条), a reminder about a budding problem (提醒谈话), a
// clean-governance talk (廉政谈话) and an admonishment ordered by the
// organisation or the discipline body (诫勉谈话, 党内监督条例).
var Kinds = []string{"heart", "reminder", "integrity", "admonish"}

// Outcomes are what a reminder's second look finds.
var Outcomes = []string{"corrected", "continuing", "escalated"}

// Cite names the rules the talk pages apply.
const (
	CiteHeart    = "《中国共产党支部工作条例（试行）》第十九条"
	CiteReminder = "《中国共产党党内监督条例》（2016）“四种形态”：谈话提醒"
)

// validatePurpose checks the fields a talk's kind needs and copies them
// into in.
func validatePurpose(f *Form, in *Input) {
	if !slices.Contains(Kinds, f.Kind) {
		f.Errors.Add("kind", "talk.error.kind")
		return
	}
	in.Kind = f.Kind
	switch f.Kind {
	case "admonish":
		if f.OrderRef == "" || utf8.RuneCountInString(f.OrderRef) > 200 {
			f.Errors.Add("order_ref", "talk.error.order_ref")
		}
		in.OrderRef = f.OrderRef
	case "reminder":
		if f.Problem == "" || utf8.RuneCountInString(f.Problem) > 2000 {
			f.Errors.Add("problem", "talk.error.problem")
		}
		if f.Agreed == "" || utf8.RuneCountInString(f.Agreed) > 2000 {
			f.Errors.Add("agreed", "talk.error.agreed")
		}
		d, err := time.Parse("2006-01-02", f.LookAgainOn)
		switch {
		case err != nil:
			f.Errors.Add("look_again_on", "talk.error.date")
		case !in.HeldOn.IsZero() && !d.After(in.HeldOn):
			f.Errors.Add("look_again_on", "talk.error.look_again")
		default:
			in.LookAgainOn = &d
		}
		in.Problem, in.Agreed = f.Problem, f.Agreed
	}
}

// Reminder is a reminder talk with its follow-up.
type Reminder struct {
	ID          int64
	BranchID    int64
	BranchName  string
	BranchPath  []int64
	HeldOn      time.Time
	AID         int64
	AName       string
	BID         int64
	BName       string
	Kind        string
	Topic       string
	OrderRef    string
	Problem     string
	Agreed      string
	LookAgainOn *time.Time
	Outcome     *string
	OutcomeOn   *time.Time
	// Summary and OutcomeNote are the committee's private notes.
	Summary     string
	OutcomeNote string
	Version     int
}

// Open reports whether the reminder still waits for a look (none yet, or
// the last one found the problem continuing).
func (r Reminder) Open() bool {
	return r.Kind == "reminder" && (r.Outcome == nil || *r.Outcome == "continuing")
}

// Due reports whether the reminder is due for its look on day today.
func (r Reminder) Due(today time.Time) bool {
	return r.Open() && r.LookAgainOn != nil && !r.LookAgainOn.After(today)
}

const reminderCols = `t.id, t.branch_id, o.name AS branch_name, o.path AS branch_path, t.held_on, t.a_id, a.name AS a_name, t.b_id, b.name AS b_name,
       t.kind, t.topic, t.order_ref, t.problem, t.agreed, t.look_again_on, t.outcome, t.outcome_on, t.summary, t.outcome_note, t.version
  FROM talks t JOIN organisations o ON o.id = t.branch_id
  JOIN members a ON a.id = t.a_id JOIN members b ON b.id = t.b_id`

// Get returns talk id with every field: the caller checks who may read
// which (CanReadSummary; the subject reads SubjectView).
func Get(ctx context.Context, q db.Querier, id int64) (Reminder, error) {
	out, err := db.One[Reminder](ctx, q, `SELECT `+reminderCols+` WHERE t.id = $1`, id)
	if err != nil {
		return Reminder{}, fmt.Errorf("talk: get %d: %w", id, err)
	}
	return out, nil
}

// Reminders lists the open reminder talks of the organisations whose
// talks the scope records (CanWrite: a branch's committee, or the agency
// committee's reviewer for its own), those due for a second look first.
func Reminders(ctx context.Context, q db.Querier, s auth.Scope, branchID int64) ([]Reminder, error) {
	out, err := db.Rows[Reminder](ctx, q, `SELECT `+reminderCols+`
 WHERE ((o.kind <> 'committee' AND o.path && $1::bigint[]) OR (o.kind = 'committee' AND o.id = $3)) AND ($2 = 0 OR t.branch_id = $2)
   AND t.kind = 'reminder' AND (t.outcome IS NULL OR t.outcome = 'continuing')
 ORDER BY t.look_again_on, t.id`, s.WriteRoots(), branchID, s.Committee())
	if err != nil {
		return nil, fmt.Errorf("talk: reminders: %w", err)
	}
	return out, nil
}

// Mine lists the talks a member took part in, newest first. The caller
// shows only what the subject may see (never Summary or OutcomeNote).
func Mine(ctx context.Context, q db.Querier, memberID int64) ([]Reminder, error) {
	out, err := db.Rows[Reminder](ctx, q, `SELECT `+reminderCols+`
 WHERE (t.a_id = $1 OR t.b_id = $1) ORDER BY t.held_on DESC, t.id DESC LIMIT 200`, memberID)
	if err != nil {
		return nil, fmt.Errorf("talk: mine %d: %w", memberID, err)
	}
	return out, nil
}

// FollowUp is the second look at a reminder talk.
type FollowUp struct {
	On      time.Time
	Outcome string
	Note    string
	// Next is the new look-again day when the problem continues.
	Next *time.Time
}

// RecordFollowUp records what the second look at reminder id found, if
// nobody changed it since version was read. A continuing problem moves the
// look-again day to f.Next; corrected and escalated close the reminder.
func RecordFollowUp(ctx context.Context, tx pgx.Tx, id int64, version int, f FollowUp) error {
	tag, err := tx.Exec(ctx, `UPDATE talks SET outcome = $3, outcome_on = $4, outcome_note = $5,
       look_again_on = coalesce($6, look_again_on), version = version + 1
 WHERE id = $1 AND version = $2 AND kind = 'reminder' AND (outcome IS NULL OR outcome = 'continuing')`,
		id, version, f.Outcome, f.On, f.Note, f.Next)
	if err != nil {
		return fmt.Errorf("talk: follow-up %d: %w", id, err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("talk: follow-up %d: %w", id, apperr.ErrConflict)
	}
	after := map[string]any{"outcome": f.Outcome, "outcome_on": f.On, "note_chars": utf8.RuneCountInString(f.Note), "next": f.Next}
	return audit.Record(ctx, tx, audit.Event{Action: "talk.follow_up", Entity: "talk", EntityID: id, After: after})
}

// Todos lists the reminder talks of the organisations due for a second
// look within 14 days (overdue when the day has passed), for the workbench.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	rs, err := db.Rows[Reminder](ctx, q, `SELECT `+reminderCols+`
 WHERE t.branch_id = ANY($1::bigint[]) AND t.kind = 'reminder' AND (t.outcome IS NULL OR t.outcome = 'continuing')
   AND t.look_again_on <= $2::date + 14 ORDER BY t.look_again_on, t.id`, orgIDs, today)
	if err != nil {
		return nil, fmt.Errorf("talk: todos: %w", err)
	}
	out := make([]todo.Item, 0, len(rs))
	for _, r := range rs {
		out = append(out, todo.Item{
			Area: "talk", Title: i18n.T(ctx, "talk.todo.look_again", r.BName),
			Detail: r.Topic, URL: fmt.Sprintf("/talks/%d", r.ID), Due: *r.LookAgainOn,
			Overdue: r.LookAgainOn.Before(today), Cite: CiteReminder,
		})
	}
	return out, nil
}
