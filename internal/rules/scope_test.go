package rules_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/dbtest"
	"zhibu/internal/rules"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

func ptr[T any](v T) *T { return &v }

// minimumOn is the party-day rule's minimum that applies on day d to a
// branch with the given path (-1: none, or switched off).
func minimumOn(res *rules.Resolver, path []int64, d string) float64 {
	for _, r := range rules.Versions(res.For(path), day(d)) {
		if r.Code == "party_day" {
			return r.Minimum
		}
	}
	return -1
}

func TestResolverDeepestOverrideWinsOverTime(t *testing.T) {
	t.Parallel()
	kind := "party_day"
	def := rules.Rule{ID: 1, Code: "party_day", Kind: rules.KindMeetings, MeetingKind: &kind, Period: rules.PeriodMonth, Minimum: 1, Enabled: true, EffectiveFrom: day("2019-05-06")}
	other := rules.Rule{ID: 2, Code: "appraisal", Kind: rules.KindAppraisal, Period: rules.PeriodYear, Minimum: 1, Enabled: true, EffectiveFrom: day("2019-05-06")}
	// Organisation 10 (under the root 1) asks for 2 from 1 March 2028 (a
	// leap year) until 1 May; its branch 20 asks for 3 from 15 March and
	// switches the rule off from 1 June.
	o10 := def
	o10.ID, o10.OrgID, o10.Minimum, o10.EffectiveFrom, o10.EffectiveTo = 3, ptr(int64(10)), 2, day("2028-03-01"), ptr(day("2028-05-01"))
	o20 := def
	o20.ID, o20.OrgID, o20.Minimum, o20.EffectiveFrom, o20.EffectiveTo = 4, ptr(int64(20)), 3, day("2028-03-15"), ptr(day("2028-06-01"))
	o20off := def
	o20off.ID, o20off.OrgID, o20off.Enabled, o20off.EffectiveFrom = 5, ptr(int64(20)), false, day("2028-06-01")
	res := rules.NewResolver([]rules.Rule{def, o10, o20off, o20, other})
	if !res.Scoped() {
		t.Fatal("overrides not seen")
	}
	branch20, sibling := []int64{1, 10, 20}, []int64{1, 10, 21}
	elsewhere := []int64{1, 11, 30}
	cases := []struct {
		path []int64
		day  string
		want float64
	}{
		{sibling, "2028-02-28", 1},
		{sibling, "2028-02-29", 1}, // the day before the change
		{sibling, "2028-03-01", 2}, // on the day
		{sibling, "2028-03-02", 2}, // the day after
		{sibling, "2028-04-30", 2}, // the override's last day
		{sibling, "2028-05-01", 1}, // removed: the default again
		{branch20, "2028-03-14", 2},
		{branch20, "2028-03-15", 3}, // the deeper one wins
		{branch20, "2028-05-31", 3}, // the parent's closed, its own still runs
		{branch20, "2028-06-01", -1},
		{elsewhere, "2028-03-15", 1}, // another subtree keeps the default
		{nil, "2028-03-15", 1},
	}
	for _, c := range cases {
		if got := minimumOn(res, c.path, c.day); got != c.want {
			t.Errorf("%v on %s: minimum %v, want %v", c.path, c.day, got, c.want)
		}
	}
	// A month is judged by the version of its last day: February by the
	// default (29 February), March by the override effective on 1 March.
	f := rules.Facts{Year: 2028}
	f.Months[1].Held = map[string]int{"party_day": 1}
	f.Months[2].Held = map[string]int{"party_day": 1}
	for _, c := range []struct {
		m    time.Month
		want rules.Status
	}{{time.February, rules.Met}, {time.March, rules.Missed}} {
		for _, r := range rules.Evaluate(f, res.For(sibling), rules.Month(2028, c.m), day("2028-12-31")) {
			if r.Rule.Code == "party_day" && r.Status != c.want {
				t.Errorf("%s: %s, want %s (required %v)", c.m, r.Status, c.want, r.Required)
			}
		}
	}
	// Both codes are there, in the defaults' order.
	if got := rules.Versions(res.For(branch20), day("2028-03-20")); len(got) != 2 || got[0].Code != "party_day" || got[1].Code != "appraisal" {
		t.Errorf("versions %+v", got)
	}
}

func TestCountedMeetingKinds(t *testing.T) {
	t.Parallel()
	kind := "party_day"
	r := rules.Rule{Code: "party_day", Kind: rules.KindMeetings, MeetingKind: &kind, Period: rules.PeriodMonth, Minimum: 1, Enabled: true, EffectiveFrom: day("2019-05-06")}
	f := rules.Facts{Year: 2026}
	f.Months[0].Held = map[string]int{"lecture": 1}
	status := func(r rules.Rule) rules.Status {
		return rules.Evaluate(f, []rules.Rule{r}, rules.Month(2026, time.January), day("2026-12-01"))[0].Status
	}
	if st := status(r); st != rules.Missed {
		t.Errorf("own kind only: %s", st)
	}
	r.CountedKinds = []string{"party_day", "lecture"}
	if st := status(r); st != rules.Met {
		t.Errorf("lecture counted: %s", st)
	}
}

func TestOverrideStore(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	var root, branch, sibling int64
	if err := pool.QueryRow(ctx, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '机关党委', '2020-01-01') RETURNING id`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	for _, p := range []*int64{&branch, &sibling} {
		if err := pool.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '支部' || random()::text, '2020-01-01') RETURNING id`, root).Scan(p); err != nil {
			t.Fatal(err)
		}
	}
	s := rules.NewStore(pool)
	today := day("2026-12-08")
	o := rules.Override{Code: "party_day", OrgID: branch, Minimum: 2, Enabled: true, CountedKinds: []string{"party_day", "lecture"}, Source: "某市委组织部〔2026〕12号 第三条", EffectiveFrom: day("2026-11-30")}
	if _, err := s.SetOverride(ctx, o, today); !errors.Is(err, rules.ErrBeforeMonth) {
		t.Fatalf("last month: %v", err)
	}
	o.EffectiveFrom = day("2026-12-01")
	first, err := s.SetOverride(ctx, o, today)
	if err != nil {
		t.Fatal(err)
	}
	if first.OrgID == nil || *first.OrgID != branch || first.Kind != rules.KindMeetings || len(first.CountedKinds) != 2 {
		t.Fatalf("override %+v", first)
	}
	// Sent again from the same form: someone changed it meanwhile.
	if _, err := s.SetOverride(ctx, o, today); !errors.Is(err, apperr.ErrConflict) {
		t.Fatalf("stale base: %v", err)
	}
	o.BaseID = first.ID
	if _, err := s.SetOverride(ctx, o, today); !errors.Is(err, rules.ErrTooEarly) {
		t.Fatalf("same day: %v", err)
	}
	o.Minimum, o.EffectiveFrom = 3, day("2027-01-01")
	second, err := s.SetOverride(ctx, o, today)
	if err != nil {
		t.Fatal(err)
	}
	// The schema keeps one current version per code and scope.
	if _, err := pool.Exec(ctx, `INSERT INTO rules (code, kind, meeting_kind, period, title, source, effective_from, org_id)
		VALUES ('party_day', 'meetings', 'party_day', 'month', 't', 's', '2027-06-01', $1)`, branch); err == nil {
		t.Error("a second current override was accepted")
	}
	all, err := rules.LoadScoped(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	res := rules.NewResolver(all)
	for _, c := range []struct {
		path []int64
		day  string
		want float64
	}{
		{[]int64{root, branch}, "2026-11-30", 1},
		{[]int64{root, branch}, "2026-12-01", 2},
		{[]int64{root, branch}, "2026-12-31", 2},
		{[]int64{root, branch}, "2027-01-01", 3},
		{[]int64{root, sibling}, "2027-01-01", 1},
	} {
		if got := minimumOn(res, c.path, c.day); got != c.want {
			t.Errorf("%v on %s: %v, want %v", c.path, c.day, got, c.want)
		}
	}
	// The defaults alone for the other readers.
	defaults, err := rules.LoadAll(ctx, pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range defaults {
		if r.OrgID != nil {
			t.Errorf("LoadAll returned an override: %+v", r)
		}
	}
	// Removal of a version in force (on 10 January 2027): from a day
	// after its start, with a conflict check.
	later := day("2027-01-10")
	if _, err := s.RemoveOverride(ctx, "party_day", branch, first.ID, day("2027-02-01"), "撤销", later); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("remove a closed version: %v", err)
	}
	if _, err := s.RemoveOverride(ctx, "party_day", branch, second.ID, day("2027-01-01"), "撤销", later); !errors.Is(err, rules.ErrTooEarly) {
		t.Errorf("remove on its first day: %v", err)
	}
	if deleted, err := s.RemoveOverride(ctx, "party_day", branch, second.ID, day("2027-02-01"), "某市委组织部〔2027〕1号", later); err != nil || deleted {
		t.Fatal(deleted, err)
	}
	all, _ = rules.LoadScoped(ctx, pool)
	res = rules.NewResolver(all)
	if got := minimumOn(res, []int64{root, branch}, "2027-01-31"); got != 3 {
		t.Errorf("before removal: %v", got)
	}
	if got := minimumOn(res, []int64{root, branch}, "2027-02-01"); got != 1 {
		t.Errorf("after removal: %v", got)
	}
	// A new override may not reach back into the removed one's days.
	o.BaseID, o.EffectiveFrom = 0, day("2027-01-15")
	if _, err := s.SetOverride(ctx, o, later); !errors.Is(err, rules.ErrTooEarly) {
		t.Errorf("overlap: %v", err)
	}
	var audited int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM audit_events WHERE action IN ('rule.override', 'rule.override_remove')`).Scan(&audited); err != nil || audited != 3 {
		t.Errorf("audit rows %d (%v)", audited, err)
	}
}

// An override can be removed on every day: one starting tomorrow or today
// (not yet in force) is deleted outright, audited with the reason, and the
// organisation's previous override it ended runs on; one that began
// yesterday is ended, so the day it applied keeps it.
func TestRemovingAnOverrideOnEveryDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	pool := dbtest.New(t)
	var root int64
	if err := pool.QueryRow(ctx, `INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '机关党委', '2020-01-01') RETURNING id`).Scan(&root); err != nil {
		t.Fatal(err)
	}
	branch := func() int64 {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO organisations (parent_id, kind, name, established_on) VALUES ($1, 'branch', '支部' || random()::text, '2020-01-01') RETURNING id`, root).Scan(&id); err != nil {
			t.Fatal(err)
		}
		return id
	}
	s := rules.NewStore(pool)
	today := day("2026-12-08")
	set := func(org int64, from string, min float64, base int64) rules.Rule {
		t.Helper()
		r, err := s.SetOverride(ctx, rules.Override{Code: "party_day", OrgID: org, BaseID: base, Minimum: min, Enabled: true, Source: "某党委〔2026〕7号", EffectiveFrom: day(from)}, today)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	minimum := func(org int64, d string) float64 {
		t.Helper()
		all, err := rules.LoadScoped(ctx, pool)
		if err != nil {
			t.Fatal(err)
		}
		return minimumOn(rules.NewResolver(all), []int64{root, org}, d)
	}
	exists := func(id int64) bool {
		var n int
		if err := pool.QueryRow(ctx, `SELECT count(*) FROM rules WHERE id = $1`, id).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n == 1
	}
	for _, c := range []struct {
		name, from string
		deleted    bool
	}{
		{"tomorrow", "2026-12-09", true},
		{"today", "2026-12-08", true},
		{"yesterday", "2026-12-07", false},
	} {
		org := branch()
		v := set(org, c.from, 2, 0)
		// The date sent is the form's default (next month), whatever it is.
		deleted, err := s.RemoveOverride(ctx, "party_day", org, v.ID, day("2027-01-01"), "撤销："+c.name, today)
		if c.deleted {
			if err != nil || !deleted || exists(v.ID) {
				t.Errorf("%s: deleted %v, err %v, row kept %v", c.name, deleted, err, exists(v.ID))
			}
			if got := minimum(org, c.from); got != 1 {
				t.Errorf("%s: the default does not apply on %s: %v", c.name, c.from, got)
			}
			var reason string
			if err := pool.QueryRow(ctx, `SELECT after->>'reason' FROM audit_events WHERE action = 'rule.override_delete' AND entity_id = $1`, v.ID).Scan(&reason); err != nil || reason != "撤销："+c.name {
				t.Errorf("%s: audit %q %v", c.name, reason, err)
			}
			continue
		}
		if err != nil || deleted || !exists(v.ID) {
			t.Fatalf("%s: deleted %v, err %v", c.name, deleted, err)
		}
		if got := minimum(org, "2026-12-31"); got != 2 {
			t.Errorf("%s: before the end: %v", c.name, got)
		}
		if got := minimum(org, "2027-01-01"); got != 1 {
			t.Errorf("%s: after the end: %v", c.name, got)
		}
	}
	// Ended from today, the day it applied stays.
	org := branch()
	v := set(org, "2026-12-07", 2, 0)
	if _, err := s.RemoveOverride(ctx, "party_day", org, v.ID, day("2026-12-07"), "撤销", today); !errors.Is(err, rules.ErrTooEarly) {
		t.Errorf("ended on its first day: %v", err)
	}
	if deleted, err := s.RemoveOverride(ctx, "party_day", org, v.ID, today, "撤销", today); err != nil || deleted {
		t.Fatal(deleted, err)
	}
	if minimum(org, "2026-12-07") != 2 || minimum(org, "2026-12-08") != 1 {
		t.Errorf("ended from today: %v, %v", minimum(org, "2026-12-07"), minimum(org, "2026-12-08"))
	}
	// A change planned for January and deleted: December's version runs on.
	org = branch()
	dec := set(org, "2026-12-01", 2, 0)
	jan := set(org, "2027-01-01", 3, dec.ID)
	if deleted, err := s.RemoveOverride(ctx, "party_day", org, jan.ID, time.Time{}, "计划取消", today); err != nil || !deleted {
		t.Fatal(deleted, err)
	}
	if got := minimum(org, "2027-03-01"); got != 2 {
		t.Errorf("after the planned change was deleted: %v", got)
	}
	var to *time.Time
	if err := pool.QueryRow(ctx, `SELECT effective_to FROM rules WHERE id = $1`, dec.ID).Scan(&to); err != nil || to != nil {
		t.Errorf("December's version ends %v (%v)", to, err)
	}
	// A planned version changed to start on or before its own first day
	// replaces it: December's version then ends where the new one begins.
	jan = set(org, "2027-01-01", 3, dec.ID)
	same := set(org, "2027-01-01", 4, jan.ID)
	mid := set(org, "2026-12-15", 5, same.ID)
	if exists(jan.ID) || exists(same.ID) {
		t.Error("the replaced planned versions were kept")
	}
	if err := pool.QueryRow(ctx, `SELECT effective_to FROM rules WHERE id = $1`, dec.ID).Scan(&to); err != nil || to == nil || !to.Equal(day("2026-12-15")) {
		t.Errorf("December's version ends %v (%v)", to, err)
	}
	if minimum(org, "2026-12-14") != 2 || minimum(org, "2026-12-15") != 5 || mid.Minimum != 5 {
		t.Errorf("after the replacement: %v, %v", minimum(org, "2026-12-14"), minimum(org, "2026-12-15"))
	}
	// A version in force is not replaced: a change starts after it.
	if _, err := s.SetOverride(ctx, rules.Override{Code: "party_day", OrgID: org, BaseID: mid.ID, Minimum: 6, Enabled: true, Source: "x", EffectiveFrom: day("2026-12-15")}, day("2026-12-16")); !errors.Is(err, rules.ErrTooEarly) {
		t.Errorf("a version in force replaced: %v", err)
	}
}
