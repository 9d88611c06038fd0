package dues_test

import (
	"bytes"
	"errors"
	"strconv"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/dues"
	"zhibu/internal/review"
	"zhibu/internal/rules"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func month(y int, m time.Month) time.Time { return time.Date(y, m, 1, 0, 0, 0, 0, time.UTC) }

func monthsOf(from, to time.Time) []time.Time {
	var out []time.Time
	for m := from; !m.After(to); m = m.AddDate(0, 1, 0) {
		out = append(out, m)
	}
	return out
}

type fixture struct {
	app     *apptest.App
	store   *dues.Store
	branch  int64
	members []int64
	names   []string
}

// newFixture takes five members of a demo branch admitted before 2025 and
// gives each a 2026 base of 4000 yuan (1 %: 40.00 a month).
func newFixture(t *testing.T) fixture {
	t.Helper()
	app := apptest.New(t)
	f := fixture{app: app, store: dues.NewStore(app.Pool), branch: app.OrgID(t, "办公室党支部")}
	rows, err := app.Pool.Query(t.Context(), `SELECT id, name FROM members WHERE branch_id = $1 AND in_good_standing(category, party_status)
   AND admitted_on < '2025-01-01' AND id NOT IN (SELECT member_id FROM dues_bases) ORDER BY id LIMIT 5`, f.branch)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id int64
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		f.members = append(f.members, id)
		f.names = append(f.names, name)
	}
	if len(f.members) < 5 {
		t.Fatalf("demo branch has %d members admitted before 2025", len(f.members))
	}
	for _, id := range f.members {
		if _, err := f.store.SetBase(t.Context(), dues.BaseInput{MemberID: id, Year: 2026, Category: dues.Salaried, BaseFen: 400000, Special: dues.SpecialNone, Source: "import"}); err != nil {
			t.Fatal(err)
		}
	}
	// The branch has kept these dues since before 2026.
	if _, err := app.Pool.Exec(t.Context(), `UPDATE dues_bases SET created_at = '2025-12-20' WHERE member_id = ANY ($1)`, f.members); err != nil {
		t.Fatal(err)
	}
	return f
}

func (f fixture) pay(t *testing.T, member int64, months []time.Time, paidOn time.Time) {
	t.Helper()
	if _, err := f.store.RecordPayment(t.Context(), f.branch, dues.PaymentInput{MemberID: member, Months: months, PaidOn: paidOn, Method: "cash", ReceiptNo: "R1"}); err != nil {
		t.Fatalf("pay %d %v: %v", member, months, err)
	}
}

// Arrears at the boundaries of the reminder (3 months) and the six-month
// rule: 2, 3, 5, 6 months unpaid up to November, as of 7 December 2026
// (December itself is not owed yet); the rule engine flags them the same.
func TestArrearsAndTheSixMonthRule(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	today := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	paidOn := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	lastPaid := []time.Month{time.September, time.August, time.June, time.May, time.November}
	for i, m := range lastPaid {
		for _, mo := range monthsOf(month(2026, 1), month(2026, m)) {
			f.pay(t, f.members[i], []time.Time{mo}, mo.AddDate(0, 0, 9))
		}
	}
	_ = paidOn
	arrears, err := dues.Arrears(ctx, f.app.Pool, []int64{f.branch}, today)
	if err != nil {
		t.Fatal(err)
	}
	th, err := dues.ThresholdsOf(ctx, f.app.Pool, f.branch, today)
	if err != nil || !th.Found || th.Remind != 3 || th.Breach != 6 {
		t.Fatalf("thresholds %+v %v", th, err)
	}
	want := []struct {
		months int
		level  string
	}{{2, ""}, {3, "remind"}, {5, "remind"}, {6, "breach"}, {0, ""}}
	for i, w := range want {
		a := arrears[f.members[i]]
		if a.Months != w.months || th.Level(a.Months) != w.level {
			t.Errorf("member %d: %d months (%q), want %d (%q)", i, a.Months, th.Level(a.Months), w.months, w.level)
		}
	}
	if a := arrears[f.members[3]]; !a.Since.Equal(month(2026, 6)) {
		t.Errorf("run since %v", a.Since)
	}
	// A good reason recorded for June–July stops the breach: 4 months left.
	if _, err := f.store.Excuse(ctx, f.members[3], month(2026, 6), month(2026, 7), "长期病假"); err != nil {
		t.Fatal(err)
	}
	if arrears, err = dues.Arrears(ctx, f.app.Pool, []int64{f.branch}, today); err != nil || arrears[f.members[3]].Months != 4 {
		t.Errorf("after the excuse: %+v %v", arrears[f.members[3]], err)
	}

	// The compliance engine: the dues rule flags the reminders and no breach now.
	facts, err := review.LoadFacts(ctx, f.app.Pool, []int64{f.branch}, 2026, today)
	if err != nil {
		t.Fatal(err)
	}
	all, err := rules.LoadAll(ctx, f.app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	var res *rules.Result
	for _, r := range rules.Evaluate(*facts[f.branch], all, rules.Year(2026), today) {
		if r.Rule.Kind == rules.KindDues {
			res = &r
		}
	}
	if res == nil {
		t.Fatal("no dues result")
	}
	flagged := map[int64]rules.Status{}
	for _, m := range res.Members {
		flagged[m.ID] = m.Status
	}
	if flagged[f.members[1]] != rules.DueSoon || flagged[f.members[2]] != rules.DueSoon || flagged[f.members[3]] != rules.DueSoon {
		t.Errorf("flagged %v", flagged)
	}
	if _, ok := flagged[f.members[0]]; ok {
		t.Error("two months unpaid flagged")
	}
	// Without the excuse the member would breach: evaluate with 6 months.
	fa := *facts[f.branch]
	for i := range fa.Members {
		if fa.Members[i].ID == f.members[3] {
			fa.Members[i].DuesUnpaid = 6
		}
	}
	for _, r := range rules.Evaluate(fa, all, rules.Year(2026), today) {
		if r.Rule.Kind == rules.KindDues && r.Status != rules.Missed {
			t.Errorf("six months: %s", r.Status)
		}
	}
}

// The ledger's sum, the monthly report and its export agree; a closed
// month takes no payment, only a correction, which all three show.
func TestLedgerReportAndExportAgree(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	dec := month(2026, 12)
	paidOn := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	// Making up two past months and paying December at once.
	f.pay(t, f.members[0], monthsOf(month(2026, 10), dec), paidOn)
	f.pay(t, f.members[1], []time.Time{dec}, paidOn)
	// Paying a month twice is refused.
	_, err := f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[1], Months: []time.Time{dec}, PaidOn: paidOn, Method: "cash"})
	var pe *dues.PaymentError
	if !errors.As(err, &pe) || pe.Key != "dues.error.already_paid" {
		t.Errorf("paid twice: %v", err)
	}
	check := func(want int64) {
		t.Helper()
		total, err := dues.LedgerTotal(ctx, f.app.Pool, f.branch, dec)
		if err != nil || total != want {
			t.Fatalf("ledger %d %v, want %d", total, err, want)
		}
		rep, err := dues.BuildReport(ctx, f.app.Pool, f.branch, "x", dec, dec)
		if err != nil {
			t.Fatal(err)
		}
		if rep.LedgerFen != want {
			t.Errorf("report ledger %d, want %d", rep.LedgerFen, want)
		}
		var sum int64
		for _, m := range rep.Members {
			sum += m.CollectedFen
		}
		if sum != rep.Totals.CollectedFen {
			t.Errorf("members %d, total %d", sum, rep.Totals.CollectedFen)
		}
		wb, err := dues.Workbook(ctx, rep)
		if err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if err := wb.Write(&buf); err != nil {
			t.Fatal(err)
		}
		x, err := excelize.OpenReader(&buf)
		if err != nil {
			t.Fatal(err)
		}
		rows, err := x.GetRows(x.GetSheetList()[0], excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		last := rows[len(rows)-1]
		totalRow := rows[len(rows)-2]
		if last[4] != dues.Yuan(want) && last[4] != trimYuan(want) {
			t.Errorf("export ledger cell %q, want %s", last[4], dues.Yuan(want))
		}
		if totalRow[4] != trimYuan(rep.Totals.CollectedFen) {
			t.Errorf("export collected cell %q, want %s", totalRow[4], trimYuan(rep.Totals.CollectedFen))
		}
		typ, err := x.GetCellType(x.GetSheetList()[0], "E"+itoa(len(rows)))
		if err != nil || (typ != excelize.CellTypeNumber && typ != excelize.CellTypeUnset) {
			t.Errorf("the export's amount is not a number: %v %v", typ, err)
		}
	}
	check(4 * 4000)
	if _, err := f.store.Close(ctx, f.branch, dec, time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), 0); err == nil {
		t.Error("closed by no account")
	}
	var sec int64
	if err := f.app.Pool.QueryRow(ctx, `SELECT id FROM accounts WHERE username = 'secretary'`).Scan(&sec); err != nil {
		t.Fatal(err)
	}
	total, err := f.store.Close(ctx, f.branch, dec, time.Date(2026, 12, 20, 0, 0, 0, 0, time.UTC), sec)
	if err != nil || total != 16000 {
		t.Fatalf("close: %d %v", total, err)
	}
	if _, err := f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[2], Months: []time.Time{dec}, PaidOn: paidOn, Method: "cash"}); !errors.Is(err, dues.ErrClosed) {
		t.Errorf("payment into a closed month: %v", err)
	}
	ps, err := dues.Payments(ctx, f.app.Pool, f.branch, dec)
	if err != nil || len(ps) != 4 {
		t.Fatalf("payments %d %v", len(ps), err)
	}
	if _, err := f.store.Correct(ctx, ps[0].ID, -500, "多记5元"); err != nil {
		t.Fatal(err)
	}
	if _, err := f.store.Correct(ctx, ps[0].ID, -4000, "过多"); !errors.As(err, &pe) {
		t.Errorf("correction below zero: %v", err)
	}
	check(4*4000 - 500)
	st, err := dues.MonthOf(ctx, f.app.Pool, f.branch, dec)
	if err != nil || st.Status != dues.MonthClosed || st.TotalFen != 16000 {
		t.Errorf("state %+v %v", st, err)
	}
	if err := f.store.Confirm(ctx, f.branch, dec, sec); err != nil {
		t.Fatal(err)
	}
	if err := f.store.Confirm(ctx, f.branch, dec, sec); err == nil {
		t.Error("confirmed twice")
	}
	var audits int
	if err := f.app.Pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action LIKE 'dues.%'`).Scan(&audits); err != nil || audits < 5+4+1+1+1 {
		t.Errorf("audit rows %d %v", audits, err)
	}
}

func trimYuan(fen int64) string {
	s := dues.Yuan(fen)
	for len(s) > 0 && (s[len(s)-1] == '0') {
		s = s[:len(s)-1]
	}
	return stringsTrimDot(s)
}

func stringsTrimDot(s string) string {
	if len(s) > 0 && s[len(s)-1] == '.' {
		return s[:len(s)-1]
	}
	return s
}

func itoa(n int) string { return strconv.Itoa(n) }

// A probationary member pays from the month of admission; a member pays
// to the branch they belonged to on the first of the month.
func TestWhenAndWhereAMemberPays(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	var adm time.Time
	if err := f.app.Pool.QueryRow(ctx, `UPDATE members SET admitted_on = '2026-03-15', category = 'probationary', converted_on = NULL WHERE id = $1 RETURNING admitted_on`, f.members[0]).Scan(&adm); err != nil {
		t.Fatal(err)
	}
	paidOn := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	_, err := f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[0], Months: []time.Time{month(2026, 2)}, PaidOn: time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC), Method: "cash"})
	var pe *dues.PaymentError
	if !errors.As(err, &pe) || pe.Key != "dues.error.before_admission" {
		t.Errorf("February before a March admission: %v", err)
	}
	f.pay(t, f.members[0], []time.Time{month(2026, 3)}, time.Date(2026, 3, 20, 0, 0, 0, 0, time.UTC))
	// Making up reaches six months back, not seven (2008 第十二条).
	_, err = f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[2], Months: []time.Time{month(2026, 5)}, PaidOn: paidOn, Method: "cash"})
	if !errors.As(err, &pe) || pe.Key != "dues.error.too_old" {
		t.Errorf("seven months back: %v", err)
	}
	f.pay(t, f.members[2], []time.Time{month(2026, 6)}, paidOn)

	other := f.app.OrgID(t, "财务处党支部")
	// Moved to another branch on 2 November: October and November (on the
	// 1st still here) belong to this branch, December to the other.
	if _, err := f.app.Pool.Exec(ctx, `UPDATE members SET branch_id = $2 WHERE id = $1`, f.members[1], other); err != nil {
		t.Fatal(err)
	}
	if _, err := f.app.Pool.Exec(ctx, `INSERT INTO member_events (member_id, kind, occurred_on, from_org_id, to_org_id) VALUES ($1, 'moved', '2026-11-02', $2, $3)`, f.members[1], f.branch, other); err != nil {
		t.Fatal(err)
	}
	f.pay(t, f.members[1], []time.Time{month(2026, 10), month(2026, 11)}, paidOn)
	_, err = f.store.RecordPayment(ctx, f.branch, dues.PaymentInput{MemberID: f.members[1], Months: []time.Time{month(2026, 12)}, PaidOn: paidOn, Method: "cash"})
	if !errors.As(err, &pe) || pe.Key != "dues.error.other_branch" {
		t.Errorf("December to the old branch: %v", err)
	}
	if _, err := f.store.RecordPayment(ctx, other, dues.PaymentInput{MemberID: f.members[1], Months: []time.Time{month(2026, 12)}, PaidOn: paidOn, Method: "cash"}); err != nil {
		t.Errorf("December to the new branch: %v", err)
	}
	rep, err := dues.BuildReport(ctx, f.app.Pool, f.branch, "x", month(2026, 1), month(2026, 12))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range rep.Members {
		if m.MemberID == f.members[1] && len(m.Months) != 11 {
			t.Errorf("moved member owes this branch %d months, want 11 (January–November)", len(m.Months))
		}
		if m.MemberID == f.members[0] && len(m.Months) != 10 {
			t.Errorf("admitted in March owes %d months, want 10", len(m.Months))
		}
	}
}

func payroll(t *testing.T, rows [][]any) []byte {
	t.Helper()
	x := excelize.NewFile()
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		if err := x.SetSheetRow("Sheet1", cell, &r); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if err := x.Write(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// The payroll import is all or nothing, with a message for each bad row.
func TestPayrollImportAllOrNothing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	// Staff numbers come from an earlier base.
	for i, id := range f.members[:2] {
		if _, err := f.app.Pool.Exec(ctx, `UPDATE dues_bases SET staff_no = $2 WHERE member_id = $1`, id, "S"+string(rune('1'+i))); err != nil {
			t.Fatal(err)
		}
	}
	head := []any{"姓名", "工号", "基数", "类别"}
	bad := payroll(t, [][]any{head, {f.names[0], "S1", "5000.01", "在职"}, {"陌生人", "S9", "3000", ""}, {f.names[1], "S2", "abc", ""}})
	rows, err := dues.ParsePayroll(bad)
	if err != nil {
		t.Fatal(err)
	}
	ins, problems, err := dues.MatchPayroll(ctx, f.app.Pool, f.app.Sealer, f.branch, 2027, rows)
	if err != nil || len(ins) != 0 || len(problems) != 2 || problems[0].Line != 3 || problems[1].Key != "dues.import.row.base" {
		t.Fatalf("bad file: %v %+v %v", ins, problems, err)
	}
	good := payroll(t, [][]any{head, {f.names[0], "S1", "5000.01", "在职"}, {f.names[1], "S2", 3000, "离退休"}})
	rows, err = dues.ParsePayroll(good)
	if err != nil {
		t.Fatal(err)
	}
	ins, problems, err = dues.MatchPayroll(ctx, f.app.Pool, f.app.Sealer, f.branch, 2027, rows)
	if err != nil || len(problems) != 0 || len(ins) != 2 {
		t.Fatalf("good file: %v %+v %v", ins, problems, err)
	}
	if err := f.store.SetBases(ctx, ins); err != nil {
		t.Fatal(err)
	}
	b, err := dues.BaseOf(ctx, f.app.Pool, f.members[0], 2027)
	if err != nil || b.BaseFen != 500001 || *b.RateBP != 150 || b.MonthlyFen != 7500 {
		t.Errorf("imported base %+v %v", b, err)
	}
	b, err = dues.BaseOf(ctx, f.app.Pool, f.members[1], 2027)
	if err != nil || b.Category != dues.Retired || *b.RateBP != 50 || b.MonthlyFen != 1500 {
		t.Errorf("imported retired base %+v %v", b, err)
	}
	if _, err := dues.ParsePayroll([]byte("name,base\n")); err == nil {
		t.Error("a CSV accepted as .xlsx")
	}
	if _, err := dues.ParsePayroll(payroll(t, [][]any{{"姓名", "基数"}, {"a", "1"}})); err == nil {
		t.Error("a file without ID or staff number accepted")
	}
}

// Special cases: an exemption needs the committee's approval day; a
// voluntary amount must exceed the standard one.
func TestSpecialCases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	day := time.Date(2026, 2, 10, 0, 0, 0, 0, time.UTC)
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[0], Year: 2026, Category: dues.Salaried, BaseFen: 400000, Special: dues.SpecialExempt, SpecialReason: "重病", ApprovedOn: &day, Source: "import"}); err != nil {
		t.Fatal(err)
	}
	b, _ := dues.BaseOf(ctx, f.app.Pool, f.members[0], 2026)
	if b.MonthlyFen != 0 || b.StandardFen != 4000 {
		t.Errorf("exempt %+v", b)
	}
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[1], Year: 2026, Category: dues.Salaried, BaseFen: 400000, Special: dues.SpecialVoluntary, SpecialFen: 3000, SpecialReason: "自愿", Source: "import"}); !errors.Is(err, dues.ErrAmount) {
		t.Errorf("voluntary below standard: %v", err)
	}
	// An exempt member is never in arrears.
	a, err := dues.Arrears(ctx, f.app.Pool, []int64{f.branch}, time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC))
	if err != nil || a[f.members[0]].Months != 0 {
		t.Errorf("exempt arrears %+v %v", a[f.members[0]], err)
	}
	// A stale version of the form is a conflict.
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[2], Year: 2026, Category: dues.Salaried, BaseFen: 1, Special: dues.SpecialNone, Source: "form", Version: 7}); err == nil {
		t.Error("stale version accepted")
	}
}
