package benchdata_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/apptest"
	"zhibu/internal/benchdata"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

var tiny = benchdata.Config{Branches: 20, Members: 400, Years: 1, Seed: 7, Until: time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)}

var tables = []string{"organisations", "committee_terms", "committee_posts", "members", "accounts", "account_roles", "meetings",
	"attendance", "study_credits", "leadership_groups", "life_meetings", "rectification_items", "appraisals", "appraisal_results", "commendations",
	"dues_bases", "dues_payments", "dues_months"}

func load(t *testing.T, cfg benchdata.Config) *pgxpool.Pool {
	t.Helper()
	pool := dbtest.New(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	before := constraints(t, pool)
	cfg.Progress = testWriter{t}
	if err := benchdata.Load(ctx, pool, apptest.Sealer(t), cfg); err != nil {
		t.Fatal(err)
	}
	if after := constraints(t, pool); after != before {
		t.Errorf("constraints changed by the load:\nbefore %s\nafter  %s", before, after)
	}
	return pool
}

// constraints lists every constraint and index with its definition, and
// whether each table and sequence is logged.
func constraints(t *testing.T, pool *pgxpool.Pool) string {
	t.Helper()
	var s string
	err := pool.QueryRow(context.Background(), `SELECT string_agg(c, E'\n' ORDER BY c) FROM (SELECT conrelid::regclass::text || '.' || conname || ' ' || pg_get_constraintdef(oid) AS c
		FROM pg_constraint WHERE connamespace = 'public'::regnamespace
		UNION ALL SELECT indexdef FROM pg_indexes WHERE schemaname = 'public'
		UNION ALL SELECT relname || ' persistence ' || relpersistence::text FROM pg_class
		 WHERE relnamespace = 'public'::regnamespace AND relkind IN ('r', 'S')) x`).Scan(&s)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// fingerprint counts every table's rows and hashes the generated columns
// of the big ones (sealed values use random nonces, so members' are left out).
func fingerprint(t *testing.T, pool *pgxpool.Pool) map[string]string {
	t.Helper()
	ctx := context.Background()
	out := map[string]string{}
	for _, tb := range tables {
		var n string
		if err := pool.QueryRow(ctx, `SELECT count(*)::text FROM `+tb).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out[tb] = n
	}
	sums := map[string]string{
		"attendance sum":    `SELECT md5(string_agg(concat_ws(':', meeting_id, member_id, status, hours), ',' ORDER BY meeting_id, member_id)) FROM attendance`,
		"meetings sum":      `SELECT md5(string_agg(concat_ws(':', id, org_id, kind, topic, starts_at, status), ',' ORDER BY id)) FROM meetings`,
		"members sum":       `SELECT md5(string_agg(concat_ws(':', id, name, branch_id, category, birth_date, id_number_tail, encode(id_number_hash, 'hex')), ',' ORDER BY id)) FROM members`,
		"dues sum":          `SELECT md5(string_agg(concat_ws(':', member_id, for_month, ledger_month, amount_fen), ',' ORDER BY member_id, for_month)) FROM dues_payments`,
		"organisations sum": `SELECT md5(string_agg(concat_ws(':', id, kind, name, path), ',' ORDER BY id)) FROM organisations`,
	}
	for k, q := range sums {
		var s string
		if err := pool.QueryRow(ctx, q).Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[k] = s
	}
	return out
}

func TestTinyPresetIsDeterministicAndConsistent(t *testing.T) {
	t.Parallel()
	start := time.Now()
	a := load(t, tiny)
	t.Logf("tiny preset loaded in %v", time.Since(start))
	fa := fingerprint(t, a)
	b := load(t, tiny)
	fb := fingerprint(t, b)
	for k, v := range fa {
		if fb[k] != v {
			t.Errorf("%s differs between two loads with the same seed: %s vs %s", k, v, fb[k])
		}
	}
	other := tiny
	other.Seed = 8
	if fingerprint(t, load(t, other))["attendance sum"] == fa["attendance sum"] {
		t.Error("another seed gave the same attendance")
	}

	ctx := context.Background()
	// Row counts within what the rules imply: 20 branches, 400 members, a
	// year of monthly and quarterly meetings.
	ranges := []struct {
		table  string
		lo, hi int
	}{
		{"members", 400, 400},
		{"meetings", 20 * 36, 20*48 + 40},
		{"attendance", 20 * 20 * 20, 400 * 60},
		{"accounts", 25, 25},
	}
	for _, r := range ranges {
		var n int
		if err := a.QueryRow(ctx, `SELECT count(*) FROM `+r.table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n < r.lo || n > r.hi {
			t.Errorf("%s: %d rows, want %d to %d", r.table, n, r.lo, r.hi)
		}
	}
	// Every check must find nothing.
	checks := map[string]string{
		"attendee outside the meeting's organisation": `SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id
			JOIN members p ON p.id = a.member_id JOIN organisations mo ON mo.id = m.org_id JOIN organisations bo ON bo.id = p.branch_id
			WHERE NOT (bo.path @> ARRAY[mo.id] OR p.group_id = mo.id)`,
		"wrong path": `SELECT count(*) FROM organisations o LEFT JOIN organisations p ON p.id = o.parent_id
			WHERE o.path <> coalesce(p.path, '{}') || o.id`,
		"branch not under a committee or general branch": `SELECT count(*) FROM organisations o JOIN organisations p ON p.id = o.parent_id
			WHERE o.kind = 'branch' AND p.kind NOT IN ('committee', 'general_branch')`,
		"credit without presence": `SELECT count(*) FROM study_credits c WHERE c.meeting_id IS NOT NULL AND NOT EXISTS
			(SELECT 1 FROM attendance a WHERE a.meeting_id = c.meeting_id AND a.member_id = c.member_id AND a.status = 'present')`,
		"presence with hours but no credit": `SELECT count(*) FROM attendance a WHERE a.status = 'present' AND a.hours > 0 AND NOT EXISTS
			(SELECT 1 FROM study_credits c WHERE c.meeting_id = a.meeting_id AND c.member_id = a.member_id)`,
		"attendee not yet admitted": `SELECT count(*) FROM attendance a JOIN meetings m ON m.id = a.meeting_id JOIN members p ON p.id = a.member_id
			WHERE m.kind <> 'committee' AND (p.admitted_on IS NULL OR p.admitted_on > m.starts_at::date)`,
		"meeting after the end": `SELECT count(*) FROM meetings WHERE starts_at > '2026-11-28'`,
		"branch without a secretary": `SELECT count(*) FROM organisations o WHERE o.kind = 'branch' AND NOT EXISTS
			(SELECT 1 FROM committee_terms t JOIN committee_posts p ON p.term_id = t.id WHERE t.org_id = o.id AND p.post = 'secretary')`,
		"member outside a branch": `SELECT count(*) FROM members m JOIN organisations o ON o.id = m.branch_id WHERE o.kind <> 'branch'`,
	}
	for name, q := range checks {
		var n int
		if err := a.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows", name, n)
		}
	}
	// The reviewer sits on the root; each bench secretary's branch has 50 members.
	var root, sz int
	if err := a.QueryRow(ctx, `SELECT count(*) FROM account_roles r JOIN accounts a ON a.id = r.account_id JOIN organisations o ON o.id = r.org_id
		WHERE a.username = $1 AND r.role = 'reviewer' AND o.parent_id IS NULL`, benchdata.ReviewerUser).Scan(&root); err != nil || root != 1 {
		t.Errorf("reviewer on the root: %d, %v", root, err)
	}
	if err := a.QueryRow(ctx, `SELECT count(*) FROM members m JOIN account_roles r ON r.org_id = m.branch_id JOIN accounts a ON a.id = r.account_id
		WHERE a.username = $1`, benchdata.SecretaryPrefix+"1").Scan(&sz); err != nil || sz != benchdata.BenchBranchSize {
		t.Errorf("bench branch size %d, %v", sz, err)
	}
	var code string
	if err := a.QueryRow(ctx, `SELECT code FROM organisations WHERE parent_id IS NULL`).Scan(&code); err != nil || code != tiny.Key() {
		t.Errorf("root code %q, %v; want %q", code, err, tiny.Key())
	}
	// New rows still get fresh ids after the explicit ones.
	if _, err := a.Exec(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES (1, 'committee', '新党委', '2026-01-01')`); err != nil {
		t.Errorf("insert after load: %v", err)
	}
	if err := benchdata.Load(ctx, a, apptest.Sealer(t), tiny); !errors.Is(err, benchdata.ErrNotEmpty) {
		t.Errorf("second load: %v, want ErrNotEmpty", err)
	}
}

// The load computes the review rollups in one pass with the rollup
// triggers switched off; they must equal what the triggers' own refresh
// functions compute, and the triggers must be on again afterwards.
func TestLoadRollupsMatchTheTriggers(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := load(t, tiny)
	var off int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgenabled = 'D'`).Scan(&off); err != nil || off != 0 {
		t.Fatalf("%d triggers left disabled after the load (%v)", off, err)
	}
	var months, members int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM branch_month_stats), (SELECT count(DISTINCT member_id) FROM member_month_stats)`).Scan(&months, &members); err != nil {
		t.Fatal(err)
	}
	if months < 20*12 || members < 300 {
		t.Fatalf("rollups hold %d branch months and %d members; the load did not fill them", months, members)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE loaded_b AS SELECT * FROM branch_month_stats;
		CREATE TABLE loaded_m AS SELECT * FROM member_month_stats;
		SELECT stats_refresh_branch_months(array_agg(b), array_agg(m))
		  FROM (SELECT DISTINCT stats_branch_of(org_id) b, stats_month(starts_at) m FROM meetings) x;
		SELECT stats_refresh_members(array_agg(id)) FROM members;`); err != nil {
		t.Fatal(err)
	}
	for name, q := range map[string]string{
		"branch months": `SELECT count(*) FROM ((TABLE loaded_b EXCEPT TABLE branch_month_stats) UNION ALL (TABLE branch_month_stats EXCEPT TABLE loaded_b)) d`,
		"member months": `SELECT count(*) FROM ((TABLE loaded_m EXCEPT TABLE member_month_stats) UNION ALL (TABLE member_month_stats EXCEPT TABLE loaded_m)) d`,
	} {
		var n int
		if err := pool.QueryRow(ctx, q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 0 {
			t.Errorf("%s: %d rows differ between the load and the triggers' refresh", name, n)
		}
	}
}

type testWriter struct{ t *testing.T }

func (w testWriter) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

// Each handed-in dues month's total is the sum of its ledger, and the
// loaded ledger has a row a member-month.
func TestDuesMonthsMatchTheLedger(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := load(t, tiny)
	var payments, bad, closed int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM dues_payments),
	       (SELECT count(*) FROM dues_months dm WHERE total_fen <> (SELECT coalesce(sum(amount_fen), 0) FROM dues_payments p WHERE p.branch_id = dm.branch_id AND p.ledger_month = dm.month)),
	       (SELECT count(*) FROM dues_months WHERE status = 'closed')`).Scan(&payments, &bad, &closed); err != nil {
		t.Fatal(err)
	}
	if payments == 0 || bad != 0 || closed == 0 {
		t.Errorf("payments %d, months whose total differs from the ledger %d, months awaiting confirmation %d", payments, bad, closed)
	}
	// The kept roll-up the load wrote from the generator's figures is
	// what dues_rollup_rebuild() computes from the loaded ledger, row for
	// row, over the same span.
	var loaded, span int
	if err := pool.QueryRow(ctx, `SELECT (SELECT count(*) FROM dues_rollup), (SELECT count(*) FROM dues_rollup_span)`).Scan(&loaded, &span); err != nil {
		t.Fatal(err)
	}
	if loaded < 20*12 || span != 1 {
		t.Fatalf("the load kept %d roll-up rows and %d span rows", loaded, span)
	}
	if _, err := pool.Exec(ctx, `CREATE TABLE loaded_r AS SELECT * FROM dues_rollup;
		CREATE TABLE loaded_s AS SELECT * FROM dues_rollup_span;
		SELECT dues_rollup_rebuild();`); err != nil {
		t.Fatal(err)
	}
	var differ int
	var detail string
	if err := pool.QueryRow(ctx, `SELECT count(*), coalesce(string_agg(d::text, E'\n') FILTER (WHERE n <= 5), '')
		FROM (SELECT d, row_number() OVER () n FROM (
		      (SELECT 'loaded', * FROM (TABLE loaded_r EXCEPT TABLE dues_rollup) a)
		      UNION ALL (SELECT 'rebuilt', * FROM (TABLE dues_rollup EXCEPT TABLE loaded_r) b)) d) x`).Scan(&differ, &detail); err != nil {
		t.Fatal(err)
	}
	if differ != 0 {
		t.Errorf("%d roll-up rows differ between the load and dues_rollup_rebuild(); the first:\n%s", differ, detail)
	}
	var loadedSpan, rebuiltSpan string
	if err := pool.QueryRow(ctx, `SELECT (SELECT from_month || ' ' || to_month FROM loaded_s), (SELECT from_month || ' ' || to_month FROM dues_rollup_span)`).Scan(&loadedSpan, &rebuiltSpan); err != nil {
		t.Fatal(err)
	}
	if loadedSpan != rebuiltSpan {
		t.Errorf("the load kept the span %s, the rebuild %s", loadedSpan, rebuiltSpan)
	}
}
