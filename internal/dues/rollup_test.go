package dues_test

import (
	"bytes"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"
	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/dues"
	"zhibu/internal/i18n"
	"zhibu/internal/member"
)

// The kept roll-up (dues_rollup, migration 000380) equals the live
// computation for every branch and every month of its span after a
// sequence of payments (making up, paying ahead), a correction, base
// changes (a new amount for the current year, next year's base, a member's
// first base) and a transfer to another branch.
func TestKeptRollupEqualsLive(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	paidOn := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	dec := month(2026, 12)
	f.pay(t, f.members[0], monthsOf(month(2026, 10), dec), paidOn)
	f.pay(t, f.members[1], monthsOf(month(2026, 9), month(2026, 10)), paidOn)
	f.pay(t, f.members[2], monthsOf(dec, month(2027, 1)), paidOn)
	ids, err := f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[3], Months: []time.Time{dec}, PaidOn: paidOn, Method: "cash"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Correct(ctx, ids[0], -1000, "多收退回"); err != nil {
		t.Fatal(err)
	}
	b, err := dues.BaseOf(ctx, f.app.Pool, f.members[3], 2026)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[3], Year: 2026, Category: dues.Salaried, BaseFen: 800000, Special: dues.SpecialNone, Source: "form", Version: b.Version}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[4], Year: 2027, Category: dues.Retired, BaseFen: 600000, Special: dues.SpecialNone, Source: "import"}); err != nil {
		t.Fatal(err)
	}
	other := f.app.OrgID(t, "财务处党支部")
	ms := member.NewStore(f.app.Pool, apptest.Sealer(t))
	var version int
	if err := f.app.Pool.QueryRow(ctx, `SELECT version FROM members WHERE id = $1`, f.members[1]).Scan(&version); err != nil {
		t.Fatal(err)
	}
	if err := ms.Apply(ctx, f.members[1], version, member.Action{Kind: "move", ToBranch: other, Date: time.Date(2026, 11, 2, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.RecordPayment(ctx, other, dues.PaymentInput{MemberID: f.members[1], Months: []time.Time{dec}, PaidOn: paidOn, Method: "wechat"}); err != nil {
		t.Fatal(err)
	}

	var from, to time.Time
	if err := f.app.Pool.QueryRow(ctx, `SELECT from_month, to_month FROM dues_rollup_span`).Scan(&from, &to); err != nil {
		t.Fatal(err)
	}
	if from.After(month(2026, 1)) || to.Before(month(2027, 1)) {
		t.Fatalf("span %v–%v does not hold 2026", from, to)
	}
	var roots []int64
	if err := f.app.Pool.QueryRow(ctx, `SELECT array_agg(id) FROM organisations WHERE parent_id IS NULL`).Scan(&roots); err != nil {
		t.Fatal(err)
	}
	seen := 0
	for _, m := range monthsOf(from, to) {
		kept, err := dues.Rollup(ctx, f.app.Pool, roots, m)
		if err != nil {
			t.Fatal(err)
		}
		live, err := dues.LiveRollup(ctx, f.app.Pool, roots, m)
		if err != nil {
			t.Fatal(err)
		}
		if len(kept) != len(live) {
			t.Fatalf("%s: %d branches kept, %d live", dues.MonthKey(m), len(kept), len(live))
		}
		for i := range kept {
			if kept[i] != live[i] {
				t.Errorf("%s branch %d: kept %+v, live %+v", dues.MonthKey(m), live[i].BranchID, kept[i], live[i])
			}
			if kept[i].Members > 0 {
				seen++
			}
		}
	}
	if seen == 0 {
		t.Fatal("no branch owes anything in the span: the comparison checked nothing")
	}
	// The figures of the sequence itself: December of the first branch.
	rows, err := dues.Rollup(ctx, f.app.Pool, roots, dec)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		if r.BranchID == other && r.CollectedFen < 4000 {
			t.Errorf("the new branch's December: collected %d, want the transferred member's 40.00 at least", r.CollectedFen)
		}
		if r.BranchID == f.branch && r.LedgerFen == 0 {
			t.Errorf("the branch's December ledger is empty in the roll-up")
		}
	}

	// The page and its export read the same kept figures.
	rev := f.app.Login(t, "reviewer")
	page := rev.Get("/dues?month=" + dues.MonthKey(dec))
	res := rev.Get("/dues/rollup.xlsx?month=" + dues.MonthKey(dec))
	if page.Status != http.StatusOK || res.Status != http.StatusOK {
		t.Fatalf("roll-up page %d, export %d", page.Status, res.Status)
	}
	wb, err := excelize.OpenReader(bytes.NewReader([]byte(res.Body)))
	if err != nil {
		t.Fatal(err)
	}
	sheetRows, err := wb.GetRows(wb.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	// The export's totals row and the page's totals (expected, collected,
	// outstanding), and one row per branch of the page.
	d := page.Doc()
	var want []string
	d.Find(`[data-testid="dues-rollup-totals"] dd`).Each(func(i int, sel *goquery.Selection) {
		if i < 3 {
			want = append(want, sel.Text())
		}
	})
	last := sheetRows[len(sheetRows)-1]
	n := d.Find(`[data-testid="dues-rollup-row"]`).Length()
	if len(want) != 3 || len(sheetRows) != n+2 || len(last) < 6 || last[3] != want[0] || last[4] != want[1] || last[5] != want[2] {
		t.Errorf("export: %d rows, totals %v; the page: %d branches, totals %v", len(sheetRows), last, n, want)
	}
	if want[0] == "0.00" {
		t.Error("the reviewer's roll-up expects nothing: the comparison checked nothing")
	}
}

// The hourly scan keeps the roll-up thirteen months ahead, so that a
// write (which needs twelve) never widens it inside its own transaction;
// the month it adds agrees with the live computation.
func TestRollupKeptAheadOfTheWrites(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	span := func() time.Time {
		var to time.Time
		if err := f.app.Pool.QueryRow(ctx, `SELECT to_month FROM dues_rollup_span`).Scan(&to); err != nil {
			t.Fatal(err)
		}
		return to
	}
	now := time.Now()
	n := now.In(i18n.Shanghai)
	want := time.Date(n.Year(), n.Month()+13, 1, 0, 0, 0, 0, time.UTC)
	if got := span(); !got.Before(want) {
		t.Fatalf("the span already ends at %s, at or past %s: the test would check nothing", dues.MonthKey(got), dues.MonthKey(want))
	}
	if err := dues.KeepRollupAhead(ctx, f.app.Pool, now); err != nil {
		t.Fatal(err)
	}
	if got := span(); !got.Equal(want) {
		t.Fatalf("after the scan the span ends at %s, want %s", dues.MonthKey(got), dues.MonthKey(want))
	}
	// Twice is the same.
	if err := dues.KeepRollupAhead(ctx, f.app.Pool, now); err != nil {
		t.Fatal(err)
	}
	if got := span(); !got.Equal(want) {
		t.Fatalf("a second scan moved the span to %s", dues.MonthKey(got))
	}
	var roots []int64
	if err := f.app.Pool.QueryRow(ctx, `SELECT array_agg(id) FROM organisations WHERE parent_id IS NULL`).Scan(&roots); err != nil {
		t.Fatal(err)
	}
	kept, err := dues.Rollup(ctx, f.app.Pool, roots, want)
	if err != nil {
		t.Fatal(err)
	}
	live, err := dues.LiveRollup(ctx, f.app.Pool, roots, want)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) == 0 || len(kept) != len(live) {
		t.Fatalf("%s: %d branches kept, %d live", dues.MonthKey(want), len(kept), len(live))
	}
	for i := range kept {
		if kept[i] != live[i] {
			t.Errorf("%s branch %d: kept %+v, live %+v", dues.MonthKey(want), live[i].BranchID, kept[i], live[i])
		}
	}
	// A payment now leaves the span where the scan put it.
	f.pay(t, f.members[0], monthsOf(month(n.Year(), n.Month()), month(n.Year(), n.Month())), time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC))
	if got := span(); !got.Equal(want) {
		t.Errorf("a payment moved the span to %s", dues.MonthKey(got))
	}
}

// Dues commits of different branches no longer queue behind one lock
// (migration 000390): while one branch's refresh holds its locks, another
// branch's commit goes through, and a second commit of the same branch
// waits (here: gives up at its lock timeout, writing nothing). Afterwards
// the kept roll-up still equals the live computation for both branches.
func TestRollupLocksPerBranch(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	if err := dues.KeepRollupAhead(ctx, f.app.Pool, time.Now()); err != nil {
		t.Fatal(err)
	}
	other := f.app.OrgID(t, "财务处党支部")
	var stranger int64
	var based bool
	if err := f.app.Pool.QueryRow(ctx, `SELECT m.id, EXISTS (SELECT 1 FROM dues_bases b WHERE b.member_id = m.id AND b.year = 2026)
  FROM members m WHERE m.branch_id = $1 AND in_good_standing(m.category, m.party_status) AND m.admitted_on < '2025-01-01'
 ORDER BY m.id LIMIT 1`, other).Scan(&stranger, &based); err != nil {
		t.Fatal(err)
	}
	if !based {
		if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: stranger, Year: 2026, Category: dues.Salaried, BaseFen: 400000, Special: dues.SpecialNone, Source: "import"}); err != nil {
			t.Fatal(err)
		}
	}
	const raise = `UPDATE dues_bases SET monthly_fen = monthly_fen + 100, special = 'voluntary', special_reason = '自愿多交' WHERE member_id = $1 AND year = 2026`
	// A: the first branch's refresh runs now and keeps its locks open.
	a, err := f.app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Rollback(ctx)
	if _, err := a.Exec(ctx, raise, f.members[0]); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Exec(ctx, `SET CONSTRAINTS stats_dues_rollup_flush IMMEDIATE`); err != nil {
		t.Fatal(err)
	}
	commit := func(member int64, timeout string) error {
		tx, err := f.app.Pool.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback(ctx)
		if _, err := tx.Exec(ctx, `SET LOCAL lock_timeout = '`+timeout+`'`); err != nil {
			t.Fatal(err)
		}
		if _, err := tx.Exec(ctx, raise, member); err != nil {
			return err
		}
		return tx.Commit(ctx)
	}
	// B: another branch commits while A holds its locks.
	if err := commit(stranger, "5s"); err != nil {
		t.Fatalf("another branch's commit waited for the first branch: %v", err)
	}
	// C: the same branch waits for A.
	if err := commit(f.members[1], "200ms"); err == nil || !strings.Contains(err.Error(), "lock timeout") {
		t.Fatalf("a second commit of the same branch did not wait for the first: %v", err)
	}
	if err := a.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	var roots []int64
	if err := f.app.Pool.QueryRow(ctx, `SELECT array_agg(id) FROM organisations WHERE parent_id IS NULL`).Scan(&roots); err != nil {
		t.Fatal(err)
	}
	n := time.Now().In(i18n.Shanghai)
	m := month(n.Year(), n.Month())
	kept, err := dues.Rollup(ctx, f.app.Pool, roots, m)
	if err != nil {
		t.Fatal(err)
	}
	live, err := dues.LiveRollup(ctx, f.app.Pool, roots, m)
	if err != nil {
		t.Fatal(err)
	}
	if len(kept) == 0 || len(kept) != len(live) {
		t.Fatalf("%d branches kept, %d live", len(kept), len(live))
	}
	for i := range kept {
		if kept[i] != live[i] {
			t.Errorf("branch %d: kept %+v, live %+v", live[i].BranchID, kept[i], live[i])
		}
	}
}

// A write widens the span (taking the roll-up's lock exclusively) only
// when the current month plus a year, or the write's own last month, lies
// past it. The hourly scan keeps it a month further, so that the scan of
// the last hour of a month already covers the whole next month: a write in
// the first hour of a month, before that month's first scan, does not
// widen (TestRollupAheadCoversTheNextMonth). Boundaries here: the span
// ends eleven months ahead (widen), twelve (not), and a write paying
// thirteen months ahead (widen).
func TestRollupWidensOnlyPastItsSpan(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// One transaction, rolled back: its now() is the current month of
	// every check, read as the database counts it (China's), so the test
	// holds across a month's end.
	tx, err := f.app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx) //nolint:errcheck // the checks change nothing that stays
	var cur time.Time
	if err := tx.QueryRow(ctx, `SELECT date_trunc('month', now() AT TIME ZONE 'Asia/Shanghai')::date`).Scan(&cur); err != nil {
		t.Fatal(err)
	}
	mustWiden := func(spanEnd time.Time, to *time.Time) bool {
		t.Helper()
		if _, err := tx.Exec(ctx, `UPDATE dues_rollup_span SET to_month = $1`, spanEnd); err != nil {
			t.Fatal(err)
		}
		var widen bool
		if err := tx.QueryRow(ctx, `SELECT dues_rollup_must_widen(NULL, $1::date)`, to).Scan(&widen); err != nil {
			t.Fatal(err)
		}
		return widen
	}
	if !mustWiden(cur.AddDate(0, 11, 0), nil) {
		t.Error("a span ending eleven months ahead does not make a write widen it")
	}
	if mustWiden(cur.AddDate(0, 12, 0), nil) {
		t.Error("a span ending twelve months ahead makes a write widen it")
	}
	ahead := cur.AddDate(0, 13, 0)
	if !mustWiden(cur.AddDate(0, 12, 0), &ahead) {
		t.Error("a write paying thirteen months ahead does not widen a span ending twelve months ahead")
	}
}
