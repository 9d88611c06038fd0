package arch

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"
)

// owners names the one package that writes each table; every other
// package calls that package's exported functions. docs/architecture.md
// shows the same table.
var owners = map[string]string{
	"account_roles":           "internal/auth",
	"accounts":                "internal/auth",
	"appraisal_results":       "internal/appraisal",
	"appraisals":              "internal/appraisal",
	"attendance":              "internal/meeting",
	"audit_events":            "internal/audit",
	"branch_reviews":          "internal/review",
	"breaches":                "internal/review",
	"branch_status":           "internal/review",
	"branch_status_marks":     "internal/review",
	"branch_status_scopes":    "internal/review",
	"branch_status_summaries": "internal/review",
	"branch_status_urgent":    "internal/review",
	"checkins":                "internal/meeting",
	"commendations":           "internal/commend",
	"credit_requests":         "internal/meeting",
	"committee_posts":         "internal/org",
	"committee_terms":         "internal/org",
	"criticisms":              "internal/life",
	"form_tokens":             "internal/formtoken",
	"life_meetings":           "internal/life",
	"life_opinions":           "internal/life",
	"life_participants":       "internal/life",
	"life_steps":              "internal/life",
	"leave_requests":          "internal/meeting",
	"login_challenges":        "internal/auth",
	"mail_prefs":              "internal/notify",
	"meeting_attachments":     "internal/meeting",
	"meeting_revisions":       "internal/meeting",
	"meeting_corrections":     "internal/meeting",
	"meeting_settings":        "internal/meeting",
	"meetings":                "internal/meeting",
	"member_events":           "internal/member",
	"member_imports":          "internal/member",
	"members":                 "internal/member",
	"minutes_reads":           "internal/meeting",
	"notifications":           "internal/notify",
	"notify_settings":         "internal/notify",
	"organisations":           "internal/org",
	"rate_limits":             "internal/ratelimit",
	"recovery_codes":          "internal/auth",
	"recruit_rules":           "internal/recruit",
	"recruit_steps":           "internal/recruit",
	"rectification_items":     "internal/life",
	"review_settings":         "internal/rules",
	"rules":                   "internal/rules",
	"security_settings":       "internal/admin",
	"sessions":                "internal/auth",
	"study_credits":           "internal/meeting",
	"talks":                   "internal/talk",
	"transfer_letters":        "internal/recruit",
	// --- plans (issue 23) ---
	"plan_tasks":             "internal/plans",
	"plan_answers":           "internal/plans",
	"plan_answer_files":      "internal/plans", // --- files ---
	"plan_reminders":         "internal/plans",
	"grade_levels":           "internal/grades",
	"branch_grades":          "internal/grades",
	"consolidation_plans":    "internal/grades",
	"consolidation_measures": "internal/grades",
	"consolidation_notes":    "internal/grades",
	"secretary_reports":      "internal/grades",
	// --- discipline (issue 19) ---
	"discipline_settings": "internal/discipline",
	"sanctions":           "internal/discipline",
	"disposal_cases":      "internal/disposal",
	"disposal_steps":      "internal/disposal",
	"elections":           "internal/org",
	"election_candidates": "internal/org",
	// --- dues ---
	"dues_bands":    "internal/dues",
	"dues_bases":    "internal/dues",
	"dues_months":   "internal/dues",
	"dues_payments": "internal/dues",
	"dues_excuses":  "internal/dues",
	// the kept roll-up: written by dues' triggers (migration 000380)
	"dues_rollup":      "internal/dues",
	"dues_rollup_span": "internal/dues",
	"dues_settings":    "internal/dues",
	// --- inspect, cases, notices (issue 23, part B) ---
	"inspections":         "internal/inspect",
	"inspection_items":    "internal/inspect",
	"inspection_branches": "internal/inspect",
	"inspection_findings": "internal/inspect",
	"notices":             "internal/notices",
	"notice_objections":   "internal/notices",
	"cases":               "internal/cases",
	"case_photos":         "internal/cases", // --- files ---
	"case_meetings":       "internal/cases",
	"vanguard_posts":      "internal/cases",
	"vanguard_members":    "internal/cases",

	// --- leadgroup ---
	"leadership_groups":        "internal/leadgroup",
	"leadership_group_members": "internal/leadgroup",
}

// loaders write many tables at once by design: the demo data set and the
// benchmark's synthetic agency (bulk COPY and fixtures), never a request.
var loaders = []string{"internal/seed", "internal/benchdata", "internal/bench"}

// maintenance lists the files of commands an operator runs over the whole
// database, never a request: the data-key rotation reseals the sealed
// columns of members and accounts in batches (zhibu rekey).
var maintenance = []string{"internal/pii/rekey.go"}

// writeRE finds a write statement and the table it writes. Keywords are
// upper case in this code base; a lower-case "update" is prose.
var writeRE = regexp.MustCompile(`\b(INSERT INTO|DELETE FROM|UPDATE)\s+([a-z_][a-z0-9_]*)`)

// TestOneWriterPerTable fails when a package other than a table's owner
// has SQL that inserts, updates or deletes its rows.
func TestOneWriterPerTable(t *testing.T) {
	tables := schemaTables(t)
	for tbl := range owners {
		if !tables[tbl] {
			t.Errorf("owners lists %s, which no migration creates", tbl)
		}
	}
	writers := map[string]map[string]bool{}
	for _, f := range productionFiles(t) {
		if slices.Contains(loaders, f.pkg) || slices.ContainsFunc(maintenance, func(m string) bool { return strings.HasSuffix(filepath.ToSlash(f.path), "/"+m) }) {
			continue
		}
		for _, s := range f.stringLiterals() {
			for _, m := range writeRE.FindAllStringSubmatch(s, -1) {
				tbl := m[2]
				if !tables[tbl] {
					continue // FOR UPDATE OF x, DO UPDATE SET: not a table
				}
				if writers[tbl] == nil {
					writers[tbl] = map[string]bool{}
				}
				writers[tbl][f.pkg] = true
				owner, ok := owners[tbl]
				switch {
				case !ok:
					t.Errorf("%s: %s writes %s, which has no owner in owners", f.path, m[1], tbl)
				case owner != f.pkg:
					t.Errorf("%s: %s %s: %s is written only by %s; call its functions", f.path, m[1], tbl, tbl, owner)
				}
			}
		}
	}
	if len(writers) < 20 {
		t.Fatalf("found writers of only %d tables: the scan is broken", len(writers))
	}
}

// schemaTables lists the tables the migrations create.
func schemaTables(t *testing.T) map[string]bool {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "migrations", "*.up.sql"))
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`CREATE TABLE ([a-z_][a-z0-9_]*)`)
	out := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range re.FindAllStringSubmatch(string(b), -1) {
			out[m[1]] = true
		}
	}
	if len(out) < 30 {
		names := make([]string, 0, len(out))
		for n := range out {
			names = append(names, n)
		}
		sort.Strings(names)
		t.Fatalf("found only these tables: %s", strings.Join(names, " "))
	}
	return out
}

// spelledOut are the shared definitions written out instead of called:
// "in good standing" is in_good_standing(category, party_status) and the
// term in office is terms_on(day), both from migration 000120.
var spelledOut = []*regexp.Regexp{
	regexp.MustCompile(`party_status\s*=\s*'normal'`),
	regexp.MustCompile(`(?s)committee_terms\b.*ended_on IS NULL\s*(\)|ORDER|AND|$)`),
}

// TestSharedDefinitionsAreCalled fails when production SQL writes out a
// shared definition again (the owner of committee_terms, which closes a
// term, and the loaders aside).
func TestSharedDefinitionsAreCalled(t *testing.T) {
	for _, f := range productionFiles(t) {
		if slices.Contains(loaders, f.pkg) || f.pkg == "internal/org" {
			continue
		}
		for _, s := range f.stringLiterals() {
			for _, re := range spelledOut {
				if re.MatchString(s) {
					t.Errorf("%s: %q writes out a shared definition; call the SQL function", f.path, re.FindString(s))
				}
			}
		}
	}
}
