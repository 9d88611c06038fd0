package dues_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhibu/internal/dues"
)

// The threshold applies a fen either side of 1000 元: 999.99 and 1000.00
// stand, 1000.01 becomes 1000.00.
func TestCapMonthlyBoundary(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		in, want int64
		capped   bool
	}{{99999, 99999, false}, {100000, 100000, false}, {100001, 100000, true}} {
		if got, capped := dues.CapMonthly(c.in, 100000); got != c.want || capped != c.capped {
			t.Errorf("CapMonthly(%d) = %d, %v; want %d, %v", c.in, got, capped, c.want, c.capped)
		}
	}
}

// A base whose base × rate comes to 999.99, 1000.00 or 1000.01 元 a month
// (2 % of 49999.50, 50000.00 and 50000.50 元) is asked for 999.99, 1000.00
// and 1000.00 元; more is accepted only as a voluntary amount (2017 notice).
// The threshold is the dues_settings row: lowered to 500 元 by the
// administrator's form, a new base is capped there.
func TestMonthlyCapOnBases(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := t.Context()
	for i, c := range []struct {
		base, want int64
		capped     bool
	}{{4999950, 99999, false}, {5000000, 100000, false}, {5000050, 100000, true}} {
		if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[i], Year: 2027, Category: dues.Salaried, BaseFen: c.base, Special: dues.SpecialNone, Source: "import"}); err != nil {
			t.Fatal(err)
		}
		b, err := dues.BaseOf(ctx, f.app.Pool, f.members[i], 2027)
		if err != nil || b.MonthlyFen != c.want || b.StandardFen != c.want || b.Capped != c.capped {
			t.Errorf("base %d: %+v %v; want %d capped %v", c.base, b, err, c.want, c.capped)
		}
	}
	// 1000.01 a month as the member's own choice is accepted; 1000.00 is
	// not more than the capped standard amount, so not a voluntary case.
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[3], Year: 2027, Category: dues.Salaried, BaseFen: 5000050, Special: dues.SpecialVoluntary, SpecialFen: 100001, SpecialReason: "本人自愿", Source: "import"}); err != nil {
		t.Errorf("voluntary 1000.01: %v", err)
	}
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[4], Year: 2027, Category: dues.Salaried, BaseFen: 5000050, Special: dues.SpecialVoluntary, SpecialFen: 100000, SpecialReason: "本人自愿", Source: "import"}); err != dues.ErrAmount {
		t.Errorf("voluntary 1000.00 over a capped 1000.00: %v", err)
	}

	// The setting: the administrator's form, refused and kept on bad input.
	admin := f.app.Login(t, "admin")
	r := admin.PostForm("/admin/dues-settings", url.Values{"monthly_cap": {"0"}, "cap_source": {""}})
	if r.Status != http.StatusUnprocessableEntity || r.Doc().Find("#f-monthly_cap-error").Length() == 0 || r.Doc().Find("#f-cap_source-error").Length() == 0 {
		t.Errorf("bad settings: %d", r.Status)
	}
	r = admin.PostForm("/admin/dues-settings", url.Values{"monthly_cap": {"500.00"}, "cap_source": {"组电明字〔2017〕5号（测试）"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save settings: %d %s", r.Status, r.Body)
	}
	if _, err := f.store.SetBase(ctx, dues.BaseInput{MemberID: f.members[4], Year: 2027, Category: dues.Salaried, BaseFen: 5000000, Special: dues.SpecialNone, Source: "import"}); err != nil {
		t.Fatal(err)
	}
	if b, _ := dues.BaseOf(ctx, f.app.Pool, f.members[4], 2027); b.MonthlyFen != 50000 || !b.Capped {
		t.Errorf("after lowering the threshold: %+v", b)
	}
	// The base form cites the setting's source.
	page := f.app.Login(t, "secretary").Get(fmt.Sprintf("/dues/branches/%d/bases/%d?year=2027", f.branch, f.members[0]))
	if page.Status != http.StatusOK || !strings.Contains(page.Doc().Find(`[data-testid="dues-cap-note"]`).Text(), "组电明字〔2017〕5号（测试）") {
		t.Errorf("base form: %d, no cited threshold", page.Status)
	}
}
