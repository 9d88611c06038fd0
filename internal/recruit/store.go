package recruit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/member"
)

// Store records steps, each in its own transaction: the store owns its
// transactions and a handler never opens one.
type Store struct {
	pool *pgxpool.Pool
}

// NewStore returns the recruitment store on pool.
func NewStore(pool *pgxpool.Pool) *Store { return &Store{pool: pool} }

// rulesSQL reads the rule set in force on $1: the set with the latest
// effective_from on or before the day (the oldest set for days before
// any), so past steps are judged by the set of their day.
const rulesSQL = `
WITH s AS (SELECT rule_set FROM recruit_rules
            ORDER BY (effective_from <= $1) DESC, CASE WHEN effective_from <= $1 THEN effective_from END DESC NULLS LAST, effective_from
            LIMIT 1)
SELECT r.rule_set, r.code, r.amount, r.document, r.article, r.uncertain
  FROM recruit_rules r JOIN s USING (rule_set)`

// LoadRules returns the rule set in force on day.
func LoadRules(ctx context.Context, q db.Querier, day time.Time) (Rules, error) {
	rows, err := q.Query(ctx, rulesSQL, day)
	if err != nil {
		return Rules{}, fmt.Errorf("recruit: rules: %w", err)
	}
	out := Rules{By: map[string]Rule{}}
	var set string
	var x Rule
	_, err = pgx.ForEachRow(rows, []any{&set, &x.Code, &x.Amount, &x.Document, &x.Article, &x.Uncertain}, func() error {
		out.Set = set
		out.By[x.Code] = x
		return nil
	})
	if err != nil {
		return Rules{}, fmt.Errorf("recruit: rules: %w", err)
	}
	if out.Set == "" {
		return Rules{}, errors.New("recruit: no rule set loaded")
	}
	return out, nil
}

const personCols = `m.id, m.branch_id, o.name AS branch_name, m.name, m.gender, m.birth_date, m.category, m.party_status,
       m.id_number_tail AS id_tail, m.applied_on, m.activist_on, m.target_on, m.admitted_on, m.probation_extended_to, m.version`

const personSQL = `SELECT ` + personCols + ` FROM members m JOIN organisations o ON o.id = m.branch_id WHERE m.id = $1`

const stepCols = `s.id, s.member_id, s.kind, s.done_on, s.end_on, s.person_a, s.person_b,
       coalesce(pa.name, '') AS person_a_name, coalesce(pb.name, '') AS person_b_name, s.people, s.doc_no, s.outcome,
       s.hours, s.days, s.due_count, s.present, s.in_favour, s.reason, s.details, s.late_rule, s.flag_rule, s.rule_set,
       coalesce(a.username, '') AS recorded_by, s.recorded_at
  FROM recruit_steps s LEFT JOIN members pa ON pa.id = s.person_a LEFT JOIN members pb ON pb.id = s.person_b
  LEFT JOIN accounts a ON a.id = s.recorded_by`

const stepsSQL = `SELECT ` + stepCols + ` WHERE s.member_id = ANY($1) ORDER BY s.member_id, s.done_on, s.id`

// Path is the organisation path of member id's branch, for the scope check.
func Path(ctx context.Context, q db.Querier, id int64) ([]int64, error) {
	var path []int64
	err := q.QueryRow(ctx, `SELECT o.path FROM members m JOIN organisations o ON o.id = m.branch_id WHERE m.id = $1`, id).Scan(&path)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("recruit: member %d: %w", id, apperr.ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("recruit: path of %d: %w", id, err)
	}
	return path, nil
}

// GetFile returns member id's file.
func GetFile(ctx context.Context, q db.Querier, id int64) (File, error) {
	ps, err := db.Rows[Person](ctx, q, personSQL, id)
	if err != nil {
		return File{}, fmt.Errorf("recruit: person %d: %w", id, err)
	}
	if len(ps) == 0 {
		return File{}, fmt.Errorf("recruit: person %d: %w", id, apperr.ErrNotFound)
	}
	files, err := withSteps(ctx, q, ps)
	if err != nil {
		return File{}, err
	}
	return files[0], nil
}

func withSteps(ctx context.Context, q db.Querier, ps []Person) ([]File, error) {
	ids := make([]int64, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	steps, err := db.Rows[Step](ctx, q, stepsSQL, ids)
	if err != nil {
		return nil, fmt.Errorf("recruit: steps: %w", err)
	}
	by := map[int64][]Step{}
	for _, s := range steps {
		by[s.MemberID] = append(by[s.MemberID], s)
	}
	out := make([]File, len(ps))
	for i, p := range ps {
		out[i] = File{Person: p, Steps: by[p.ID]}
	}
	return out, nil
}

// pipelineSQL lists the people in the pipeline of the branches $1 (or of
// the subtrees under the roots $2): applicants to probationary members
// whose status is normal.
const pipelineSQL = `SELECT ` + personCols + `
  FROM members m JOIN organisations o ON o.id = m.branch_id
 WHERE (m.branch_id = ANY($1) OR o.path && $2::bigint[])
   AND in_pipeline(m.category, m.party_status)
 ORDER BY o.path, m.name, m.id`

// Pipeline returns the files of the people in the pipeline of the branches
// branchIDs and of the organisations under roots.
func Pipeline(ctx context.Context, q db.Querier, branchIDs, roots []int64) ([]File, error) {
	if branchIDs == nil {
		branchIDs = []int64{}
	}
	if roots == nil {
		roots = []int64{}
	}
	ps, err := db.Rows[Person](ctx, q, pipelineSQL, branchIDs, roots)
	if err != nil {
		return nil, fmt.Errorf("recruit: pipeline: %w", err)
	}
	return withSteps(ctx, q, ps)
}

// intakeSQL counts, under the roots $1, the people admitted (the higher
// committee's approval) and converted in year $2.
const intakeSQL = `
SELECT count(*) FILTER (WHERE s.kind = 'approval')::int, count(*) FILTER (WHERE s.kind = 'conversion_approval')::int
  FROM recruit_steps s JOIN members m ON m.id = s.member_id JOIN organisations o ON o.id = m.branch_id
 WHERE o.path && $1::bigint[] AND s.outcome = 'passed' AND s.kind IN ('approval', 'conversion_approval')
   AND extract(year FROM s.done_on)::int = $2`

// Intake returns how many people the organisations under roots admitted
// and converted in year.
func Intake(ctx context.Context, q db.Querier, roots []int64, year int) (admitted, converted int, err error) {
	err = q.QueryRow(ctx, intakeSQL, roots, year).Scan(&admitted, &converted)
	if err != nil {
		return 0, 0, fmt.Errorf("recruit: intake: %w", err)
	}
	return admitted, converted, nil
}

// votingMembersSQL counts the members of branch $1 with a vote at a 支部大会
// held on $2: full members in good standing on that day (第二十、二十一条)
// who have a vote (has_vote, migration 000240: not under 留党察看 in its
// period, not expelled).
const votingMembersSQL = `SELECT count(*)::int FROM members m
 WHERE m.branch_id = $1 AND m.category = 'full' AND in_good_standing(m.category, m.party_status)
   AND m.converted_on <= $2 AND has_vote(m.id, $2)`

// VotingMembers is how many members of the branch have a vote at a 支部大会
// on day: the figure a meeting's attendance and votes are judged against.
func VotingMembers(ctx context.Context, q db.Querier, branchID int64, day time.Time) (int, error) {
	var n int
	if err := q.QueryRow(ctx, votingMembersSQL, branchID, day).Scan(&n); err != nil {
		return 0, fmt.Errorf("recruit: voting members of %d: %w", branchID, err)
	}
	return n, nil
}

// FullMember is a full member of the branch who may talk with, foster
// (培养联系人) or introduce (入党介绍人) a person.
type FullMember struct {
	ID   int64
	Name string
}

// introducersSQL lists the full members in good standing of branch $1,
// those who may be 培养联系人 and 入党介绍人 (第九、十四条): none under
// 留党察看 in its period (has_vote, migration 000240).
const introducersSQL = `SELECT m.id, m.name FROM members m
 WHERE m.branch_id = $1 AND m.category = 'full' AND in_good_standing(m.category, m.party_status)
   AND has_vote(m.id, current_date)
 ORDER BY m.name, m.id`

// FullMembers lists the branch's full members who may foster or introduce.
func FullMembers(ctx context.Context, q db.Querier, branchID int64) ([]FullMember, error) {
	out, err := db.Rows[FullMember](ctx, q, introducersSQL, branchID)
	if err != nil {
		return nil, fmt.Errorf("recruit: full members of %d: %w", branchID, err)
	}
	return out, nil
}

const insertStepSQL = `
INSERT INTO recruit_steps (member_id, kind, done_on, end_on, person_a, person_b, people, doc_no, outcome, hours, days,
                           due_count, present, in_favour, reason, details, late_rule, flag_rule, rule_set, recorded_by)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, NULLIF($20, 0))
RETURNING id`

// stepAudit is what the audit trail keeps of a step.
type stepAudit struct {
	Kind     string `json:"kind"`
	DoneOn   string `json:"done_on"`
	EndOn    string `json:"end_on,omitempty"`
	PersonA  *int64 `json:"person_a,omitempty"`
	PersonB  *int64 `json:"person_b,omitempty"`
	People   string `json:"people,omitempty"`
	DocNo    string `json:"doc_no,omitempty"`
	Outcome  string `json:"outcome,omitempty"`
	Hours    *int   `json:"hours,omitempty"`
	Days     *int   `json:"days,omitempty"`
	Due      *int   `json:"due_count,omitempty"`
	Present  *int   `json:"present,omitempty"`
	InFavour *int   `json:"in_favour,omitempty"`
	Reason   string `json:"reason,omitempty"`
	Details  string `json:"details,omitempty"`
	LateRule string `json:"late_rule,omitempty"`
	FlagRule string `json:"flag_rule,omitempty"`
	RuleSet  string `json:"rule_set"`
}

func auditOf(s Step) stepAudit {
	a := stepAudit{Kind: s.Kind, DoneOn: s.DoneOn.Format(dateLayout), PersonA: s.PersonA, PersonB: s.PersonB, People: s.People,
		DocNo: s.DocNo, Outcome: s.Outcome, Hours: s.Hours, Days: s.Days, Due: s.DueCount, Present: s.Present, InFavour: s.InFavour,
		Reason: s.Reason, Details: s.Details, LateRule: s.LateRule, FlagRule: s.FlagRule, RuleSet: s.RuleSet}
	if s.EndOn != nil {
		a.EndOn = s.EndOn.Format(dateLayout)
	}
	return a
}

const dateLayout = "2006-01-02"

// Record checks step s against member id's file and the rule set of its
// day, and records it in one transaction with the roster's change and the
// audit row. It returns *Refusal when the step breaks a rule.
func (st *Store) Record(ctx context.Context, id int64, s Step) (Step, error) {
	return db.InTx(ctx, st.pool, func(tx pgx.Tx) (Step, error) { return Record(ctx, tx, id, s, false) })
}

// Record records step s of member id in tx; with history set a broken
// time rule is kept flagged rather than refused (records brought in from
// the past: the demo data and imports).
func Record(ctx context.Context, tx pgx.Tx, id int64, s Step, history bool) (Step, error) {
	if _, err := tx.Exec(ctx, `SELECT 1 FROM members WHERE id = $1 FOR UPDATE`, id); err != nil {
		return s, fmt.Errorf("recruit: lock %d: %w", id, err)
	}
	f, err := GetFile(ctx, tx, id)
	if err != nil {
		return s, err
	}
	r, err := LoadRules(ctx, tx, s.DoneOn)
	if err != nil {
		return s, err
	}
	s.MemberID = id
	if e := checkPeople(ctx, tx, f, s); e != nil {
		return s, e
	}
	s, e := Check(f, s, r, history)
	if e != nil {
		return s, e
	}
	actor := audit.ActorOf(ctx).ID
	if err := tx.QueryRow(ctx, insertStepSQL, id, s.Kind, s.DoneOn, s.EndOn, s.PersonA, s.PersonB, s.People, s.DocNo, s.Outcome,
		s.Hours, s.Days, s.DueCount, s.Present, s.InFavour, s.Reason, s.Details, s.LateRule, s.FlagRule, s.RuleSet, actor).Scan(&s.ID); err != nil {
		return s, fmt.Errorf("recruit: insert step of %d: %w", id, err)
	}
	if err := roster(ctx, tx, f, s, r, actor); err != nil {
		return s, err
	}
	if err := audit.Record(ctx, tx, audit.Event{Action: "recruit.step", Entity: "member", EntityID: id, After: auditOf(s)}); err != nil {
		return s, err
	}
	return s, nil
}

var stageRank = map[string]int{"applicant": 0, "activist": 1, "target": 2, "probationary": 3, "full": 4}

// roster keeps the roster's stage in step with the file.
func roster(ctx context.Context, tx pgx.Tx, f File, s Step, r Rules, actor int64) error {
	forward := func(stage string, on time.Time) error {
		if stageRank[stage] <= stageRank[f.Person.Category] {
			return nil
		}
		return member.SetStage(ctx, tx, f.Person.ID, stage, on, s.DoneOn, actor, "")
	}
	switch {
	case s.Kind == "activist":
		return forward("activist", s.DoneOn)
	case s.Kind == "target":
		return forward("target", s.DoneOn)
	case s.Kind == "approval" && s.Outcome == "passed":
		// Probation counts from the 支部大会 that admitted (第三十二条).
		return forward("probationary", *f.On("admission_meeting"))
	case s.Kind == "conversion_meeting" && s.Outcome == "extend":
		return member.ExtendProbation(ctx, tx, f.Person.ID, *s.EndOn, s.DoneOn, actor, s.Details)
	case s.Kind == "conversion_meeting" && s.Outcome == "cancel":
		return member.CancelProbation(ctx, tx, f.Person.ID, s.DoneOn, actor, s.Details)
	case s.Kind == "conversion_approval" && s.Outcome == "passed":
		// Full membership dates from the day probation ends (第三十四条).
		f.Steps = append(f.Steps, s)
		return forward("full", *f.ProbationEnd(r))
	}
	return nil
}

// checkPeople checks the members a step names: the talker a member of the
// branch; 培养联系人 and 入党介绍人 full members of the branch in good
// standing (第九、十四条), two introducers.
func checkPeople(ctx context.Context, tx pgx.Tx, f File, s Step) *Refusal {
	switch s.Kind {
	case "activist", "introducers":
		if s.Kind == "introducers" && (s.PersonA == nil || s.PersonB == nil) {
			return &Refusal{Field: "person_b", Key: "recruit.error.two_introducers", Rule: ""}
		}
		if s.Kind == "activist" && s.PersonA == nil {
			return &Refusal{Field: "person_a", Key: "recruit.error.contact"}
		}
		ok, err := FullMembers(ctx, tx, f.Person.BranchID)
		if err != nil {
			return &Refusal{Field: "person_a", Key: "recruit.error.person"}
		}
		in := func(p *int64) bool {
			if p == nil {
				return true
			}
			for _, m := range ok {
				if m.ID == *p {
					return true
				}
			}
			return false
		}
		if !in(s.PersonA) {
			return &Refusal{Field: "person_a", Key: "recruit.error.not_full"}
		}
		if !in(s.PersonB) {
			return &Refusal{Field: "person_b", Key: "recruit.error.not_full"}
		}
	case "talk":
		if s.PersonA == nil {
			return &Refusal{Field: "person_a", Key: "recruit.error.person"}
		}
		var n int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM members WHERE id = $1 AND branch_id = $2 AND in_good_standing(category, party_status)`, *s.PersonA, f.Person.BranchID).Scan(&n); err != nil || n == 0 {
			return &Refusal{Field: "person_a", Key: "recruit.error.person"}
		}
	}
	if s.PersonA != nil && *s.PersonA == f.Person.ID || s.PersonB != nil && *s.PersonB == f.Person.ID {
		return &Refusal{Field: "person_a", Key: "recruit.error.person"}
	}
	if s.PersonA != nil && s.PersonB != nil && *s.PersonA == *s.PersonB {
		return &Refusal{Field: "person_b", Key: "recruit.error.same_person"}
	}
	return nil
}
