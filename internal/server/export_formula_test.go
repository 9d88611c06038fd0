package server_test

import (
	"bytes"
	"encoding/csv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"zhibu/internal/apptest"
)

// formulaCells lists the cells of an export (CSV or .xlsx) that a
// spreadsheet program would read as a formula.
func formulaCells(t *testing.T, body, format string) (all []string, bad []string) {
	t.Helper()
	var rows [][]string
	switch format {
	case "csv":
		r := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff")))
		r.FieldsPerRecord = -1
		var err error
		if rows, err = r.ReadAll(); err != nil {
			t.Fatal(err)
		}
	case "xlsx":
		f, err := excelize.OpenReader(bytes.NewReader([]byte(body)))
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range f.GetSheetList() {
			rs, err := f.GetRows(s)
			if err != nil {
				t.Fatal(err)
			}
			rows = append(rows, rs...)
		}
	}
	for _, row := range rows {
		for _, c := range row {
			all = append(all, c)
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				bad = append(bad, c)
			}
		}
	}
	return all, bad
}

// Text typed into the application that starts like a formula comes out of
// every export as text: the roster (CSV and .xlsx), the audit trail, the
// review dashboard and the commendations.
func TestExportsNeutraliseFormulas(t *testing.T) {
	app := apptest.New(t)
	ctx := t.Context()
	const planted = `=HYPERLINK("http://evil.example","x")`
	for _, q := range []string{
		`UPDATE members SET notes = '` + strings.ReplaceAll(planted, "'", "''") + `', department = '@SUM(1)' WHERE branch_id = (SELECT r.org_id FROM account_roles r JOIN accounts a ON a.id = r.account_id WHERE a.username = 'secretary' AND r.role = 'secretary')`,
		`UPDATE organisations SET name = '+办公室党支部' WHERE name = '办公室党支部'`,
		`UPDATE commendations SET citation = '-1+cmd|'' /C calc''!A0', issuer = '` + strings.ReplaceAll(planted, "'", "''") + `'`,
		`INSERT INTO audit_events (actor, action, entity) VALUES ('` + strings.ReplaceAll(planted, "'", "''") + `', 'login', 'account')`,
	} {
		if _, err := app.Pool.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	sec, rev, aud := app.Login(t, "secretary"), app.Login(t, "reviewer"), app.Login(t, "auditor")
	for _, tc := range []struct {
		c            *apptest.Client
		path, format string
		want         string
	}{
		{sec, "/members/export.csv", "csv", "'" + planted},
		{sec, "/members/export.xlsx", "xlsx", "'" + planted},
		{sec, "/members/export.csv", "csv", "'@SUM(1)"},
		{aud, "/audit/export.csv?action=login", "csv", "'" + planted},
		{rev, "/review/export.xlsx", "xlsx", "'+办公室党支部"},
		{rev, "/commendations/export.xlsx", "xlsx", "'" + planted},
		{rev, "/commendations/export.xlsx", "xlsx", "'-1+cmd|' /C calc'!A0"},
	} {
		r := tc.c.Get(tc.path)
		if r.Status != 200 {
			t.Errorf("%s: %d", tc.path, r.Status)
			continue
		}
		all, bad := formulaCells(t, r.Body, tc.format)
		if len(bad) > 0 {
			t.Errorf("%s: cells read as formulas: %q", tc.path, bad)
		}
		found := false
		for _, c := range all {
			found = found || c == tc.want
		}
		if !found {
			t.Errorf("%s: no cell %q", tc.path, tc.want)
		}
	}
}

// TestCSVLinesEndWithCRLF: every CSV the app writes ends its lines with
// CR LF (RFC 4180), as spreadsheet programs expect.
func TestCSVLinesEndWithCRLF(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec, aud := app.Login(t, "secretary"), app.Login(t, "auditor")
	for _, tc := range []struct {
		c    *apptest.Client
		path string
	}{{sec, "/members/export.csv"}, {sec, "/members/import/template.csv"}, {aud, "/audit/export.csv"}} {
		r := tc.c.Get(tc.path)
		if r.Status != 200 {
			t.Errorf("%s: %d", tc.path, r.Status)
			continue
		}
		lines := strings.Count(r.Body, "\n")
		if lines < 2 || strings.Count(r.Body, "\r\n") != lines {
			t.Errorf("%s: %d lines, %d of them end with CR LF", tc.path, lines, strings.Count(r.Body, "\r\n"))
		}
	}
}
