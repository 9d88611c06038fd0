// Package benchdata generates a large synthetic agency for benchmarks: a
// work committee over agency committees, general branches, branches and
// groups, their members, years of meetings at the rule frequencies with
// attendance and study hours, appraisals, organisational- and
// democratic-life meetings with rectification items, commendations and
// sign-in accounts. Rows are streamed into PostgreSQL with COPY; the same
// configuration and seed always give the same data.
package benchdata

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/big"
	"math/rand/v2"
	"time"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/dues"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
)

// Password is the password of every benchmark account.
const Password = "Zhibu@2026"

// Account names of the benchmark users. Secretaries and member accounts
// are numbered from 1 (bench-sec-1, bench-member-1 …); the secretaries'
// branches are the first branches and have exactly BenchBranchSize members.
const (
	ReviewerUser     = "bench-reviewer"
	SecretaryPrefix  = "bench-sec-"
	MemberPrefix     = "bench-member-"
	BenchBranchSize  = 50
	RootCodePrefix   = "bench:"
	benchBranchCount = 4
	memberAccounts   = 20
)

// Config says how big the agency is.
type Config struct {
	Branches int
	Members  int
	Years    int
	Seed     uint64
	// Until is the last day with meetings; the zero value means today
	// (China time). The data depend on it, so fix it for reproducible runs.
	Until time.Time
	// Progress receives one line per phase and a progress line every few
	// seconds of a long copy; nil is silent.
	Progress io.Writer
}

// Presets are the named sizes.
var Presets = map[string]Config{
	"tiny":  {Branches: 20, Members: 400, Years: 1, Seed: 1},
	"small": {Branches: 1000, Members: 20000, Years: 2, Seed: 1},
	"full":  {Branches: 10000, Members: 200000, Years: 5, Seed: 1},
}

// Key names a configuration; it is stored as the root organisation's code
// once the load is complete, so a loaded database can be recognised.
func (c Config) Key() string {
	return fmt.Sprintf("%sb%d-m%d-y%d-s%d-%s", RootCodePrefix, c.Branches, c.Members, c.Years, c.Seed, c.Until.Format("20060102"))
}

func (c Config) validate() error {
	switch {
	case c.Branches < 1:
		return errors.New("benchdata: at least 1 branch")
	case c.Years < 1 || c.Years > 20:
		return errors.New("benchdata: years must be 1 to 20")
	}
	bench := min(benchBranchCount, c.Branches)
	if c.Members < bench*BenchBranchSize+(c.Branches-bench)*3 {
		return fmt.Errorf("benchdata: %d members are too few for %d branches (the first %d have %d members, every other at least 3)",
			c.Members, c.Branches, bench, BenchBranchSize)
	}
	return nil
}

// Today is the default last day of a data set: today in China, as a UTC date.
func Today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}

// ErrNotEmpty means the database already holds organisations.
var ErrNotEmpty = errors.New("benchdata: the database already holds organisations; load the benchmark data set into an empty migrated database")

// Load generates the data set into an empty migrated database.
func Load(ctx context.Context, pool *pgxpool.Pool, sealer *pii.Sealer, cfg Config) error {
	if cfg.Until.IsZero() {
		cfg.Until = Today()
	}
	if err := cfg.validate(); err != nil {
		return err
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		return fmt.Errorf("benchdata: count organisations: %w", err)
	}
	if n > 0 {
		return ErrNotEmpty
	}
	hash, err := auth.HashPassword(ctx, Password)
	if err != nil {
		return err
	}
	p := &progress{w: cfg.Progress, start: time.Now()}
	g := newGen(cfg, sealer, hash)
	if g.bands, err = dues.Bands(ctx, pool); err != nil {
		return err
	}
	p.printf("plan: %d organisations, %d members, %d years to %s, seed %d", len(g.orgs), len(g.members), cfg.Years, cfg.Until.Format(time.DateOnly), cfg.Seed)

	// Each group of tables is copied at once; a later group may
	// reference an earlier one.
	groups := [][]table{
		{g.organisations()},
		{g.membersTable(), g.terms(), g.leadershipGroups()},
		{g.posts(), g.accounts(), g.meetings()},
		{g.accountRoles(), g.attendance(), g.credits(), g.lifeMeetings(), g.appraisals()},
		{g.rectification(), g.appraisalResults(), g.commendations(), g.branchMonths(), g.memberMonths()},
		{g.duesBases(), g.duesPayments(), g.duesMonths()},
	}
	// The kept dues roll-up, from the generator's figures (dues_rollup.go).
	spanFrom, spanTo, hasDues := g.duesSpan(time.Now())
	if hasDues {
		groups = append(groups, []table{g.duesRollup(spanFrom, spanTo)})
	}
	triggers, err := rollupTriggers(ctx, pool)
	if err != nil {
		return err
	}
	if err := enableTriggers(ctx, pool, triggers, false); err != nil {
		return errors.Join(err, enableTriggers(ctx, pool, triggers, true))
	}
	defer func() { _ = enableTriggers(context.WithoutCancel(ctx), pool, triggers, true) }()
	fks, err := dropForeignKeys(ctx, pool)
	if err != nil {
		return err
	}
	idx, err := dropIndexes(ctx, pool)
	if err != nil {
		return errors.Join(err, restoreForeignKeys(ctx, pool, fks))
	}
	if err := setLogged(ctx, pool, false); err != nil {
		return errors.Join(err, restoreIndexes(ctx, pool, idx, p), restoreForeignKeys(ctx, pool, fks))
	}
	restore := func() error {
		p.printf("logging: making %v logged again", unloggedTables)
		if err := setLogged(ctx, pool, true); err != nil {
			return err
		}
		p.printf("indexes: building %d", len(idx))
		if err := restoreIndexes(ctx, pool, idx, p); err != nil {
			return errors.Join(err, restoreForeignKeys(ctx, pool, fks))
		}
		p.printf("constraints: checking and restoring %d unique and foreign keys", len(fks))
		return restoreForeignKeys(ctx, pool, fks)
	}
	for _, tables := range groups {
		if err := copyAll(ctx, pool, p, tables...); err != nil {
			// Put the schema back even so; the rows copied so far are
			// consistent, since each group only refers to earlier ones.
			return errors.Join(err, restore())
		}
	}
	if err := restore(); err != nil {
		return err
	}
	for _, t := range []string{"organisations", "committee_terms", "members", "committee_posts", "accounts", "meetings", "leadership_groups", "life_meetings", "rectification_items", "appraisals", "study_credits", "commendations"} {
		if _, err := pool.Exec(ctx, fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', 'id'), coalesce((SELECT max(id) FROM %s), 0) + 1, false)`, t, t)); err != nil {
			return fmt.Errorf("benchdata: sequence of %s: %w", t, err)
		}
	}
	p.printf("analyze")
	if _, err := pool.Exec(ctx, `ANALYZE`); err != nil {
		return fmt.Errorf("benchdata: analyze: %w", err)
	}
	// The kept dues roll-up's span (its rows were copied above; its
	// triggers were off with the others').
	if hasDues {
		if _, err := pool.Exec(ctx, `INSERT INTO dues_rollup_span (from_month, to_month) VALUES ($1, $2)`, spanFrom, spanTo); err != nil {
			return fmt.Errorf("benchdata: dues roll-up span: %w", err)
		}
	}
	if err := enableTriggers(ctx, pool, triggers, true); err != nil {
		return err
	}
	// The root's code marks a complete load (see Key).
	if _, err := pool.Exec(ctx, `UPDATE organisations SET code = $1 WHERE id = $2`, cfg.Key(), g.orgs[0].id); err != nil {
		return fmt.Errorf("benchdata: mark the load complete: %w", err)
	}
	p.printf("done")
	return nil
}

// days counts days since 1970-01-01; 0 means "no date".
type days int32

func dayOf(t time.Time) days { return days(t.Unix() / 86400) }

func (d days) time() time.Time { return time.Unix(int64(d)*86400, 0).UTC() }

// date returns the day as a value for a date column, nil for none.
func (d days) date() any {
	if d == 0 {
		return nil
	}
	return d.time()
}

type org struct {
	id, parent int64
	kind, name string
	est        time.Time
}

type branch struct {
	idx       int
	id        int64
	org       *org
	first     int64 // id of the first member; a branch's members are contiguous
	size      int
	groups    []int64
	committee int // the first committee members are on the branch committee
	diligence float64
}

type member struct {
	branch                                        int32
	group                                         int8 // index into the branch's groups, -1 for none
	male                                          bool
	cat                                           uint8
	birth, applied, activist, target, admit, conv days
}

const (
	catFull uint8 = iota
	catProbationary
	catTarget
	catActivist
	catApplicant
)

var categories = []string{"full", "probationary", "target", "activist", "applicant"}

type gen struct {
	cfg      Config
	sealer   *pii.Sealer
	hash     string
	orgs     []*org
	comms    []*org // agency committees under the root
	branches []*branch
	members  []member // index = member id - 1
	start    time.Time
	bands    []dues.Band // the dues band table the migrations seeded
}

// Random streams: each (purpose, index) pair has its own generator, so a
// table can be produced on its own and still match the others.
const (
	rPlan uint64 = iota + 1
	rMember
	rMeet
	rAtt
	rCredit
	rLife
	rAppraise
	rCommend
	rTerm
)

func (g *gen) rng(purpose uint64, idx int64) *rand.Rand {
	return rand.New(rand.NewPCG(g.cfg.Seed, purpose<<48|uint64(idx)))
}

// numeric returns hours in tenths as a numeric(5,1) value.
func numeric(tenths int) pgtype.Numeric {
	return pgtype.Numeric{Int: big.NewInt(int64(tenths)), Exp: -1, Valid: true}
}

func newGen(cfg Config, sealer *pii.Sealer, hash string) *gen {
	g := &gen{cfg: cfg, sealer: sealer, hash: hash}
	g.start = time.Date(cfg.Until.Year()-cfg.Years, cfg.Until.Month(), 1, 0, 0, 0, 0, time.UTC).AddDate(0, 1, 0)
	r := g.rng(rPlan, 0)
	est := time.Date(2010, 7, 1, 0, 0, 0, 0, time.UTC)
	var id int64
	add := func(parent int64, kind, name string, est time.Time) *org {
		id++
		o := &org{id: id, parent: parent, kind: kind, name: name, est: est}
		g.orgs = append(g.orgs, o)
		return o
	}
	root := add(0, "committee", "省直机关工作委员会", est)
	nc := max(1, cfg.Branches/100)
	ng := cfg.Branches / 20
	for i := range nc {
		g.comms = append(g.comms, add(root.id, "committee", fmt.Sprintf("第%04d机关党委", i+1), est))
	}
	var gbs []*org
	for i := range ng {
		gbs = append(gbs, add(g.comms[i%nc].id, "general_branch", fmt.Sprintf("第%04d党总支", i+1), est.AddDate(0, 1, 0)))
	}
	// Branch sizes: the benchmark branches have exactly BenchBranchSize
	// members; the others vary around the mean and add up to Members.
	bench := min(benchBranchCount, cfg.Branches)
	sizes := make([]int, cfg.Branches)
	rest := cfg.Members - bench*BenchBranchSize
	others := cfg.Branches - bench
	sum := 0
	for i := range sizes {
		if i < bench {
			sizes[i] = BenchBranchSize
			continue
		}
		avg := rest / others
		lo := max(3, avg/2)
		sizes[i] = lo + r.IntN(max(1, 2*avg-2*lo+1))
		sum += sizes[i]
	}
	if others == 0 {
		sizes[0] += rest
	}
	for i := bench; sum != rest && others > 0; i++ {
		j := bench + (i-bench)%others
		switch {
		case sum < rest:
			sizes[j]++
			sum++
		case sizes[j] > 3:
			sizes[j]--
			sum--
		}
	}
	for i := range cfg.Branches {
		parent := g.comms[i%nc]
		if ng > 0 && i%2 == 1 {
			parent = gbs[(i/2)%ng]
		}
		o := add(parent.id, "branch", fmt.Sprintf("第%05d党支部", i+1), est.AddDate(0, 2, 0))
		b := &branch{idx: i, id: o.id, org: o, size: sizes[i], diligence: 1}
		switch d := r.IntN(100); {
		case d < 10:
			b.diligence = 0.5 + r.Float64()*0.3
		case d < 40:
			b.diligence = 0.9 + r.Float64()*0.1
		}
		if i < bench {
			b.diligence = 1
		}
		b.committee = 1
		switch {
		case b.size >= 7:
			b.committee = 5
		case b.size >= 5:
			b.committee = 2
		}
		g.branches = append(g.branches, b)
	}
	for _, b := range g.branches {
		if b.size >= 20 && b.idx%3 == 0 {
			for k, n := range []string{"第一党小组", "第二党小组"} {
				b.groups = append(b.groups, add(b.id, "group", n, est.AddDate(0, 3+k, 0)).id)
			}
		}
	}
	g.planMembers()
	return g
}

// planMembers decides each member's category and dates.
func (g *gen) planMembers() {
	until := g.cfg.Until
	var next int64 = 1
	for _, b := range g.branches {
		b.first = next
		next += int64(b.size)
		r := g.rng(rMember, int64(b.idx))
		for i := range b.size {
			m := member{branch: int32(b.idx), group: -1, male: r.IntN(100) < 58}
			if len(b.groups) > 0 {
				m.group = int8(i % len(b.groups))
			}
			switch c := r.IntN(100); {
			case i < 7 || c < 80:
				m.cat = catFull
			case c < 88:
				m.cat = catProbationary
			case c < 92:
				m.cat = catTarget
			case c < 96:
				m.cat = catActivist
			default:
				m.cat = catApplicant
			}
			id := b.first + int64(i)
			// The birth date is a function of the id so that ID numbers
			// are unique (see idNumber).
			k := (id - 1) % birthSpan
			birth := time.Date(1966, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, int(k*7919%birthSpan))
			m.birth = dayOf(birth)
			switch m.cat {
			case catFull:
				a := birth.AddDate(20+r.IntN(4), r.IntN(12), 0)
				if lim := until.AddDate(-4, 0, 0); a.After(lim) {
					a = lim.AddDate(0, -r.IntN(12), 0)
				}
				m.applied = dayOf(a)
				act := a.AddDate(0, 6, r.IntN(20))
				tg := act.AddDate(1, 1, 0)
				ad := tg.AddDate(0, 4, 0)
				m.activist, m.target, m.admit, m.conv = dayOf(act), dayOf(tg), dayOf(ad), dayOf(ad.AddDate(1, 0, 0))
			case catProbationary:
				ad := until.AddDate(0, -1-r.IntN(11), -r.IntN(25))
				tg := ad.AddDate(0, -5, 0)
				act := tg.AddDate(-1, -1, 0)
				m.admit, m.target, m.activist, m.applied = dayOf(ad), dayOf(tg), dayOf(act), dayOf(act.AddDate(0, -7, 0))
			case catTarget:
				tg := until.AddDate(0, -2, 0)
				act := tg.AddDate(-1, -2, 0)
				m.target, m.activist, m.applied = dayOf(tg), dayOf(act), dayOf(act.AddDate(0, -6, 0))
			case catActivist:
				act := until.AddDate(0, -8+r.IntN(4), 0)
				m.activist, m.applied = dayOf(act), dayOf(act.AddDate(0, -5, 0))
			case catApplicant:
				m.applied = dayOf(until.AddDate(0, -1-r.IntN(3), 0))
			}
			g.members = append(g.members, m)
		}
	}
}

// birthSpan is how many birth dates members spread over (1966 to 2000).
const birthSpan = 12775

// idNumber builds a valid, unique ID number for a member: the area code,
// the birth date (itself derived from the id) and the sequence number
// together encode the id.
func (g *gen) idNumber(id int64) string {
	m := g.members[id-1]
	n := (id - 1) / birthSpan
	area := areaCodes[n%int64(len(areaCodes))]
	seq := int(n/int64(len(areaCodes))%500) * 2
	if m.male {
		seq++
	}
	return pii.MakeIDNumber(area, m.birth.time(), seq)
}

func (g *gen) name(r *rand.Rand, male bool) string {
	s := string(surnames[r.IntN(len(surnames))])
	pool := givenFemale
	if male {
		pool = givenMale
	}
	s += string(pool[r.IntN(len(pool))])
	if r.IntN(3) > 0 {
		s += string(pool[r.IntN(len(pool))])
	}
	return s
}

// due reports whether a member is expected at a branch meeting on day d.
func (m *member) due(d days) bool {
	return (m.cat == catFull || m.cat == catProbationary) && m.admit != 0 && m.admit <= d
}
