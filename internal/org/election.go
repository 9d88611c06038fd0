package org

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/i18n"
	"zhibu/internal/todo"
)

// Sources cited by the election pages.
const (
	CiteTerm     = "《中国共产党支部工作条例（试行）》第二十一条；《中国共产党党和国家机关基层组织工作条例》第七条：任期届满应按期换届"
	CiteReminder = "上级组织通常在任期届满前六个月提醒换届（本系统默认提前90天，可在“纪律与换届设置”中修改）"
	CiteVote     = "《中国共产党支部工作条例（试行）》第十一条：有表决权的到会人数超过应到会人数的一半方可开会，表决以超过应到会有表决权党员的半数为通过；受留党察看处分的党员没有表决权"
)

// Methods are how an election was held: competitive (差额, more
// candidates than seats) or one candidate a seat (等额).
var Methods = []string{"competitive", "equal"}

// TermDue is an organisation's current term and its election state.
type TermDue struct {
	OrgID    int64
	OrgName  string
	OrgPath  []int64
	TermNo   *int
	DueOn    *time.Time
	Reminder int // days before the end that the reminder starts (setting)
	Pending  *int64
}

// State is "overdue" (a breach), "due" (within the reminder) or "".
func (t TermDue) State(today time.Time) string {
	switch {
	case t.DueOn == nil:
		return ""
	case t.DueOn.Before(today):
		return "overdue"
	case !t.DueOn.After(today.AddDate(0, 0, t.Reminder)):
		return "due"
	}
	return ""
}

// ReminderDays is the setting of how many days before a term ends the
// election reminder starts.
func ReminderDays(ctx context.Context, q db.Querier) (int, error) {
	var n int
	if err := q.QueryRow(ctx, `SELECT election_reminder_days FROM discipline_settings WHERE id = 1`).Scan(&n); err != nil {
		return 0, fmt.Errorf("org: election reminder: %w", err)
	}
	return n, nil
}

const termDueSQL = `
SELECT o.id AS org_id, o.name AS org_name, o.path AS org_path, t.term_no, t.due_on,
       (SELECT election_reminder_days FROM discipline_settings WHERE id = 1) AS reminder,
       (SELECT e.id FROM elections e WHERE e.org_id = o.id AND e.status = 'recorded' ORDER BY e.id DESC LIMIT 1) AS pending
  FROM organisations o LEFT JOIN terms_on($2::date) t ON t.org_id = o.id
 WHERE o.path && $1::bigint[] AND o.kind IN ('branch', 'general_branch') AND o.dissolved_on IS NULL`

// TermsDue lists the branches (and general branches) inside roots with
// their current terms, those overdue or due first.
func TermsDue(ctx context.Context, q db.Querier, roots []int64, today time.Time) ([]TermDue, error) {
	out, err := db.Rows[TermDue](ctx, q, termDueSQL+` ORDER BY t.due_on NULLS LAST, o.path`, roots, today)
	if err != nil {
		return nil, fmt.Errorf("org: terms due: %w", err)
	}
	return out, nil
}

// Todos lists, for the workbench, the terms of the organisations within
// the reminder (a setting) or overdue, with no election approved since.
func Todos(ctx context.Context, q db.Querier, orgIDs []int64, today time.Time) ([]todo.Item, error) {
	ts, err := db.Rows[TermDue](ctx, q, termDueSQL+` AND o.id = ANY($3::bigint[]) ORDER BY t.due_on`, orgIDs, today, orgIDs)
	if err != nil {
		return nil, fmt.Errorf("org: election todos: %w", err)
	}
	var out []todo.Item
	for _, t := range ts {
		st := t.State(today)
		if st == "" {
			continue
		}
		out = append(out, todo.Item{Area: "election", Title: i18n.T(ctx, "election.todo."+st, t.OrgName), URL: fmt.Sprintf("/elections/new?org=%d", t.OrgID),
			Due: *t.DueOn, Overdue: st == "overdue", Cite: CiteTerm})
	}
	return out, nil
}

// Voter is a member counted (or left out) of an election's voters.
type Voter struct {
	ID   int64
	Name string
	Vote bool // false: left out under a sanction (has_vote)
}

// Voters lists the full members in good standing of the organisation on
// day, each marked with has_vote (留党察看 and expulsion take the vote).
func Voters(ctx context.Context, q db.Querier, orgID int64, day time.Time) ([]Voter, error) {
	out, err := db.Rows[Voter](ctx, q, `SELECT m.id, m.name, has_vote(m.id, $2) AS vote FROM members m
 WHERE m.branch_id = $1 AND m.category = 'full' AND in_good_standing(m.category, m.party_status) ORDER BY m.name, m.id`, orgID, day)
	if err != nil {
		return nil, fmt.Errorf("org: voters %d: %w", orgID, err)
	}
	return out, nil
}

// CountVoters is the number of voters (those with a vote).
func CountVoters(vs []Voter) int {
	n := 0
	for _, v := range vs {
		if v.Vote {
			n++
		}
	}
	return n
}

// Election is a recorded election with its candidates.
type Election struct {
	ID            int64
	OrgID         int64
	OrgName       string
	OrgPath       []int64
	HeldOn        time.Time
	Method        string
	VotersDue     int
	VotersPresent int
	TermNo        int
	DueOn         time.Time
	Status        string
	DecidedOn     *time.Time
	DecisionNote  string
	Candidates    []ElectionCandidate `db:"-"`
}

// ElectionCandidate is a candidate with the votes and the post won.
type ElectionCandidate struct {
	MemberID int64
	Name     string
	Votes    int
	Post     *string
}

// ElectionForm is the election form as typed: the candidates in rows.
type ElectionForm struct {
	HeldOn        string
	Method        string
	VotersPresent string
	TermNo        string
	DueOn         string
	Cand          []string
	Votes         []string
	Post          []string
	Errors        map[string]string
}

// CandidateRows is how many candidate rows the form shows.
const CandidateRows = 7

// ElectionValues is a validated election.
type ElectionValues struct {
	HeldOn        time.Time
	Method        string
	VotersDue     int
	VotersPresent int
	TermNo        int
	DueOn         time.Time
	Candidates    []ElectionCandidate
}

// Validate checks the election against the voters of its day (voters
// with a vote; a member under 留党察看 is neither voter nor candidate),
// the current term and today: a quorum of more than half the voters due,
// each elected candidate with more than half of them (CiteVote), one
// secretary, a competitive election with more candidates than seats.
func (f *ElectionForm) Validate(voters []Voter, current *Term, years int, today time.Time) ElectionValues {
	f.Errors = map[string]string{}
	var v ElectionValues
	if d, err := time.Parse(dateLayout, strings.TrimSpace(f.HeldOn)); err != nil {
		f.Errors["held_on"] = "form.bad_date"
	} else if d.After(today) {
		f.Errors["held_on"] = "member.stage.future"
	} else if current != nil && !d.After(current.ElectedOn) {
		f.Errors["held_on"] = "election.error.before_term"
	} else {
		v.HeldOn = d
	}
	if !slices.Contains(Methods, f.Method) {
		f.Errors["method"] = "form.invalid"
	}
	v.Method = f.Method
	v.VotersDue = CountVoters(voters)
	if n, err := strconv.Atoi(strings.TrimSpace(f.VotersPresent)); err != nil || n < 0 || n > v.VotersDue {
		f.Errors["voters_present"] = "election.error.present"
	} else if 2*n <= v.VotersDue {
		f.Errors["voters_present"] = "election.error.quorum"
	} else {
		v.VotersPresent = n
	}
	if n, err := strconv.Atoi(strings.TrimSpace(f.TermNo)); err != nil || n <= 0 || n > 1000 {
		f.Errors["term_no"] = "form.invalid"
	} else if current != nil && n <= current.TermNo {
		f.Errors["term_no"] = "election.error.term_no"
	} else {
		v.TermNo = n
	}
	if strings.TrimSpace(f.DueOn) == "" && !v.HeldOn.IsZero() {
		f.DueOn = v.HeldOn.AddDate(years, 0, 0).Format(dateLayout)
	}
	if d, err := time.Parse(dateLayout, strings.TrimSpace(f.DueOn)); err != nil {
		f.Errors["due_on"] = "form.bad_date"
	} else if !v.HeldOn.IsZero() && !d.After(v.HeldOn) {
		f.Errors["due_on"] = "org.term.due_before_elected"
	} else {
		v.DueOn = d
	}
	seen := map[int64]bool{}
	secretaries, elected := 0, 0
	for i := range f.Cand {
		raw := strings.TrimSpace(f.Cand[i])
		if raw == "" {
			continue
		}
		key := func(s string) string { return s + "_" + strconv.Itoa(i) }
		id, _ := strconv.ParseInt(raw, 10, 64)
		j := slices.IndexFunc(voters, func(x Voter) bool { return x.ID == id })
		if j < 0 || !voters[j].Vote {
			f.Errors[key("cand")] = "election.error.candidate"
			continue
		}
		if seen[id] {
			f.Errors[key("cand")] = "election.error.twice"
			continue
		}
		seen[id] = true
		votes, err := strconv.Atoi(strings.TrimSpace(f.Votes[i]))
		if err != nil || votes < 0 || (v.VotersPresent > 0 && votes > v.VotersPresent) {
			f.Errors[key("votes")] = "election.error.votes"
			continue
		}
		c := ElectionCandidate{MemberID: id, Name: voters[j].Name, Votes: votes}
		if p := strings.TrimSpace(f.Post[i]); p != "" {
			if !slices.Contains(append(slices.Clone(Posts), "member"), p) {
				f.Errors[key("post")] = "form.invalid"
				continue
			}
			if 2*votes <= v.VotersDue {
				f.Errors[key("votes")] = "election.error.majority"
				continue
			}
			if p == "secretary" {
				secretaries++
			} else if p != "member" && slices.ContainsFunc(v.Candidates, func(x ElectionCandidate) bool { return x.Post != nil && *x.Post == p }) {
				f.Errors[key("post")] = "org.term.two_posts"
				continue
			}
			c.Post = &p
			elected++
		}
		v.Candidates = append(v.Candidates, c)
	}
	if secretaries != 1 {
		f.Errors["cand_0"] = "election.error.secretary"
	}
	if f.Method == "competitive" && len(v.Candidates) <= elected {
		f.Errors["method"] = "election.error.competitive"
	}
	if f.Method == "equal" && len(v.Candidates) != elected {
		f.Errors["method"] = "election.error.equal"
	}
	return v
}

// RecordElection records an election of the organisation, awaiting the
// reviewer's approval.
func RecordElection(ctx context.Context, tx pgx.Tx, orgID int64, v ElectionValues) (int64, error) {
	var id int64
	if err := tx.QueryRow(ctx, `INSERT INTO elections (org_id, held_on, method, voters_due, voters_present, term_no, due_on)
VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id`, orgID, v.HeldOn, v.Method, v.VotersDue, v.VotersPresent, v.TermNo, v.DueOn).Scan(&id); err != nil {
		return 0, fmt.Errorf("org: record election %d: %w", orgID, err)
	}
	for _, c := range v.Candidates {
		if _, err := tx.Exec(ctx, `INSERT INTO election_candidates (election_id, member_id, votes, post) VALUES ($1, $2, $3, $4)`, id, c.MemberID, c.Votes, c.Post); err != nil {
			return 0, fmt.Errorf("org: record election %d: %w", orgID, err)
		}
	}
	return id, audit.Record(ctx, tx, audit.Event{Action: "org.election.record", Entity: "election", EntityID: id, After: v})
}

// GetElection returns election id with its candidates.
func GetElection(ctx context.Context, q db.Querier, id int64) (Election, error) {
	e, err := db.One[Election](ctx, q, `SELECT e.id, e.org_id, o.name AS org_name, o.path AS org_path, e.held_on, e.method, e.voters_due, e.voters_present,
       e.term_no, e.due_on, e.status, e.decided_on, e.decision_note
  FROM elections e JOIN organisations o ON o.id = e.org_id WHERE e.id = $1`, id)
	if err != nil {
		return Election{}, fmt.Errorf("org: election %d: %w", id, err)
	}
	e.Candidates, err = db.Rows[ElectionCandidate](ctx, q, `SELECT c.member_id, m.name, c.votes, c.post FROM election_candidates c JOIN members m ON m.id = c.member_id
 WHERE c.election_id = $1 ORDER BY c.post IS NULL, array_position(ARRAY['secretary','deputy','organisation','publicity','discipline','member'], c.post), c.votes DESC, m.name`, id)
	if err != nil {
		return Election{}, fmt.Errorf("org: election %d: %w", id, err)
	}
	return e, nil
}

// Elections lists the elections inside roots, newest first.
func Elections(ctx context.Context, q db.Querier, roots []int64) ([]Election, error) {
	out, err := db.Rows[Election](ctx, q, `SELECT e.id, e.org_id, o.name AS org_name, o.path AS org_path, e.held_on, e.method, e.voters_due, e.voters_present,
       e.term_no, e.due_on, e.status, e.decided_on, e.decision_note
  FROM elections e JOIN organisations o ON o.id = e.org_id WHERE o.path && $1::bigint[] ORDER BY e.held_on DESC, e.id DESC LIMIT 100`, roots)
	if err != nil {
		return nil, fmt.Errorf("org: elections: %w", err)
	}
	return out, nil
}

// DecideElection approves (opening the new term with its posts) or
// refuses a recorded election on day on.
func DecideElection(ctx context.Context, tx pgx.Tx, id int64, approve bool, note string, on time.Time) error {
	e, err := GetElection(ctx, tx, id)
	if err != nil {
		return err
	}
	if e.Status != "recorded" {
		return fmt.Errorf("org: election %d already decided: %w", id, apperr.ErrConflict)
	}
	if !approve {
		if _, err := tx.Exec(ctx, `UPDATE elections SET status = 'refused', decided_on = $2, decision_note = $3 WHERE id = $1 AND status = 'recorded'`, id, on, note); err != nil {
			return fmt.Errorf("org: refuse election %d: %w", id, err)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "org.election.refuse", Entity: "election", EntityID: id, After: map[string]string{"note": note}})
	}
	t := TermValues{TermNo: e.TermNo, ElectedOn: e.HeldOn, DueOn: e.DueOn, Posts: map[string]int64{}}
	for _, c := range e.Candidates {
		switch {
		case c.Post == nil:
		case *c.Post == "member":
			t.Members = append(t.Members, c.MemberID)
		default:
			t.Posts[*c.Post] = c.MemberID
		}
	}
	termID, err := createTerm(ctx, tx, e.OrgID, t)
	if err != nil {
		return fmt.Errorf("org: approve election %d: %w", id, err)
	}
	if _, err := tx.Exec(ctx, `UPDATE elections SET status = 'approved', decided_on = $2, decision_note = $3, term_id = $4 WHERE id = $1 AND status = 'recorded'`, id, on, note, termID); err != nil {
		return fmt.Errorf("org: approve election %d: %w", id, err)
	}
	return audit.Record(ctx, tx, audit.Event{Action: "org.election.approve", Entity: "election", EntityID: id, After: map[string]any{"term_id": termID, "note": note}})
}

// CanRecordElection reports whether the scope records the organisation's
// elections (its secretary or committee).
func CanRecordElection(s auth.Scope, path []int64) bool { return s.CanWrite(path) }

// CanApproveElection reports whether the scope approves the
// organisation's elections: a reviewer of the committee above it.
func CanApproveElection(s auth.Scope, path []int64) bool {
	return s.Committee() != 0 && s.CanRead(path) && !s.CanWrite(path)
}

// RecordElection records an election in its own transaction.
func (s *Store) RecordElection(ctx context.Context, orgID int64, v ElectionValues) (int64, error) {
	return db.InTx(ctx, s.pool, func(tx pgx.Tx) (int64, error) { return RecordElection(ctx, tx, orgID, v) })
}

// DecideElection approves or refuses an election in its own transaction.
func (s *Store) DecideElection(ctx context.Context, id int64, approve bool, note string, on time.Time) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error { return DecideElection(ctx, tx, id, approve, note, on) })
}
