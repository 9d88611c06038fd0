package member_test

import (
	"context"
	"encoding/csv"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/pii"
)

func exportRows(t *testing.T, r *apptest.Response) [][]string {
	t.Helper()
	if r.Status != http.StatusOK {
		t.Fatalf("export: %d", r.Status)
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs[1:]
}

// The roster export masks ID and phone numbers like every page does, even
// for the branch's secretary; full numbers take a reason and are audited
// with it and with whose numbers were shown.
func TestExportMasksNumbersUnlessRevealedWithAReason(t *testing.T) {
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	rows := exportRows(t, sec.Get("/members/export.csv"))
	if len(rows) == 0 {
		t.Fatal("no rows")
	}
	for _, rec := range rows {
		if rec[6] != "" && !strings.Contains(rec[6], "*") || rec[7] != "" && !strings.Contains(rec[7], "*") {
			t.Fatalf("the default export shows full numbers: %q %q", rec[6], rec[7])
		}
	}
	var full, revealed int
	var reason string
	if err := app.Pool.QueryRow(context.Background(), `SELECT (after->>'full_numbers')::int, coalesce(after->>'reason', ''), coalesce(jsonb_array_length(after->'revealed'), 0) FROM audit_events WHERE action = 'member.export' ORDER BY id DESC LIMIT 1`).Scan(&full, &reason, &revealed); err != nil || full != 0 || reason != "" || revealed != 0 {
		t.Errorf("masked export audited as %d full, reason %q, %d revealed (%v)", full, reason, revealed, err)
	}

	// Full numbers without a reason, or by a role that may not reveal them.
	if r := sec.Get("/members/export.csv?full=1"); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("full numbers without a reason: %d, want 422", r.Status)
	}
	if r := sec.Get("/members/export.csv?full=1&reason=" + strings.Repeat("x", 201)); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("a reason of 201 characters: %d, want 422", r.Status)
	}
	rev := app.Login(t, "reviewer")
	if r := rev.Get("/members/export.csv?full=1&reason=check"); r.Status != http.StatusForbidden {
		t.Errorf("reviewer asks for full numbers: %d, want 403", r.Status)
	}
	if app.Login(t, "reviewer").Get("/members").Has(`[data-testid="export-full"]`) {
		t.Error("the reviewer's roster offers full numbers")
	}
	page := sec.Get("/members?category=full")
	if !page.Has(`[data-testid="export-full"] input[name="reason"][required]`) || !page.Has(`[data-testid="export-full"] input[type="hidden"][name="category"][value="full"]`) {
		t.Error("the secretary's roster lacks the form for full numbers with the filters kept")
	}

	// With a reason: full numbers, audited like a reveal.
	rows = exportRows(t, sec.Get("/members/export.csv?full=1&reason="+url.QueryEscape("组织关系核对")))
	withNumbers := 0
	for _, rec := range rows {
		if rec[6] == "" {
			continue
		}
		withNumbers++
		if _, p := pii.CheckIDNumber(rec[6]); p != "" {
			t.Errorf("full export lacks the full ID number: %q", rec[6])
		}
	}
	if err := app.Pool.QueryRow(context.Background(), `SELECT (after->>'full_numbers')::int, after->>'reason', jsonb_array_length(after->'revealed') FROM audit_events WHERE action = 'member.export' ORDER BY id DESC LIMIT 1`).Scan(&full, &reason, &revealed); err != nil {
		t.Fatal(err)
	}
	if reason != "组织关系核对" || full != withNumbers || revealed != withNumbers || withNumbers == 0 {
		t.Errorf("full export audited as %d full, reason %q, %d revealed; %d rows carried numbers", full, reason, revealed, withNumbers)
	}
}
