package dues_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dues"
	"zhibu/internal/i18n"
)

func nowMonth() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
}

// The demo branch 人事处党支部 shows every state: the reviewer's roll-up
// lists the month awaiting confirmation, the ledger shows the reminder and
// the six-month breach with the rule's source; the secretary of another
// branch does not see it; a member does not reach /dues at all.
func TestDemoLedgerAndPrivacy(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	hr := app.OrgID(t, "人事处党支部")
	last := nowMonth().AddDate(0, -1, 0)
	rev := app.Login(t, "reviewer")
	r := rev.Get("/dues?month=" + dues.MonthKey(last))
	if r.Status != http.StatusOK {
		t.Fatalf("rollup: %d", r.Status)
	}
	if r.Doc().Find(`[data-testid="dues-rollup-row"]`).Length() < 6 {
		t.Error("the roll-up lists fewer than the six demo branches")
	}
	if !strings.Contains(r.Body, "已上缴，待确认") {
		t.Error("no month awaiting confirmation in the roll-up")
	}
	r = rev.Get(fmt.Sprintf("/dues/branches/%d?month=%s", hr, dues.MonthKey(nowMonth())))
	if r.Status != http.StatusOK {
		t.Fatalf("ledger: %d", r.Status)
	}
	d := r.Doc()
	if d.Find(`[data-testid="dues-level-remind"]`).Length() == 0 || d.Find(`[data-testid="dues-level-breach"]`).Length() == 0 {
		t.Error("the demo ledger shows no reminder or no breach")
	}
	if !strings.Contains(d.Find(`[data-testid="dues-rule"]`).Text(), "第九条") {
		t.Error("the rule's source is not shown")
	}
	if d.Find(`[data-testid="dues-pay-form"]`).Length() != 0 {
		t.Error("the reviewer gets the payment form")
	}
	if got := app.Login(t, "secretary").Get(fmt.Sprintf("/dues/branches/%d", hr)).Status; got != http.StatusNotFound {
		t.Errorf("another branch's secretary: %d", got)
	}
	if got := app.Login(t, "member").Get("/dues").Status; got != http.StatusForbidden {
		t.Errorf("member: %d", got)
	}
}

// A payment with bad fields is refused beside each field, keeping the input.
func TestPayFormKeepsInputOnError(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	office := app.OrgID(t, "办公室党支部")
	sec := app.Login(t, "secretary")
	m := nowMonth()
	r := sec.PostForm(fmt.Sprintf("/dues/branches/%d/payments", office), url.Values{
		"month": {dues.MonthKey(m)}, "member_id": {"0"}, "paid_on": {"2001-01-01"}, "method": {"gold"}, "receipt_no": {"R-77"},
	})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("status %d", r.Status)
	}
	d := r.Doc()
	for _, f := range []string{"member_id", "months", "paid_on", "method"} {
		if d.Find("#f-"+f+"-error").Length() == 0 {
			t.Errorf("no message beside %s", f)
		}
	}
	if v, _ := d.Find("#f-receipt_no").Attr("value"); v != "R-77" {
		t.Errorf("receipt kept as %q", v)
	}
	// Closing needs the confirmation box.
	r = sec.PostForm(fmt.Sprintf("/dues/branches/%d/close", office), url.Values{"month": {dues.MonthKey(m)}})
	if r.Status != http.StatusUnprocessableEntity || r.Doc().Find(`[data-testid="dues-close-error"]`).Length() == 0 {
		t.Errorf("close without confirmation: %d", r.Status)
	}
}

// /me shows the member's own dues; the member in a demo branch with dues
// sees base, rate and months.
func TestMeShowsOwnDues(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := t.Context()
	var mid int64
	if err := app.Pool.QueryRow(ctx, `SELECT member_id FROM accounts WHERE username = 'member'`).Scan(&mid); err != nil {
		t.Fatal(err)
	}
	store := dues.NewStore(app.Pool)
	if _, err := store.SetBase(ctx, dues.BaseInput{MemberID: mid, Year: nowMonth().Year(), Category: dues.Salaried, BaseFen: 612345, Special: dues.SpecialNone, Source: "import"}); err != nil {
		t.Fatal(err)
	}
	r := app.Login(t, "member").Get("/me")
	if r.Status != http.StatusOK {
		t.Fatalf("/me: %d", r.Status)
	}
	d := r.Doc()
	if got := strings.TrimSpace(d.Find(`[data-testid="me-dues-base"]`).Text()); got != "6123.45" {
		t.Errorf("base shown %q", got)
	}
	if got := strings.TrimSpace(d.Find(`[data-testid="me-dues-monthly"]`).Text()); got != "91.85" { // 6123.45 × 1.5% = 91.85175
		t.Errorf("monthly shown %q", got)
	}
}
