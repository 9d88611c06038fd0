package server_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"zhibu/internal/apptest"
)

// auditedReads are the GET routes whose read is sensitive enough to be
// recorded in the audit trail: the only writes a GET may make, and only
// to auditTable.
var auditedReads = map[string]bool{
	"GET /audit/export.csv":    true,
	"GET /members/export.csv":  true,
	"GET /members/export.xlsx": true,
	// --- discipline: every read of a disciplinary record is audited ---
	"GET /discipline":      true,
	"GET /discipline/{id}": true,
	// --- dues ---
	"GET /dues/branches/{id}/report.xlsx": true,
}

const auditTable = "audit_events"

// noteWritesSQL makes every table of the database note each row written
// (and each truncation) in test_writes, in the writer's transaction: an
// exact count, per database, that no other test's database disturbs and
// that needs no statistics flush.
const noteWritesSQL = `
CREATE TABLE test_writes (tbl text NOT NULL, op text NOT NULL);
CREATE FUNCTION test_note_write() RETURNS trigger LANGUAGE plpgsql AS $f$
BEGIN
    INSERT INTO test_writes VALUES (TG_TABLE_NAME, TG_OP);
    RETURN NULL;
END $f$;
DO $d$
DECLARE r record;
BEGIN
    FOR r IN SELECT c.oid::regclass AS t
               FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND NOT c.relispartition AND c.relname <> 'test_writes'
    LOOP
        EXECUTE format('CREATE TRIGGER test_note_write AFTER INSERT OR UPDATE OR DELETE ON %s FOR EACH ROW EXECUTE FUNCTION test_note_write()', r.t);
        EXECUTE format('CREATE TRIGGER test_note_truncate AFTER TRUNCATE ON %s FOR EACH STATEMENT EXECUTE FUNCTION test_note_write()', r.t);
    END LOOP;
END $d$`

// takeWrites returns the rows written since the last call, by table and
// operation ("audit_events INSERT": 1), and forgets them.
func takeWrites(t *testing.T, app *apptest.App) map[string]int {
	t.Helper()
	rows, err := app.Pool.Query(context.Background(), `
WITH gone AS (DELETE FROM test_writes RETURNING tbl, op)
SELECT tbl || ' ' || op, count(*)::int FROM gone GROUP BY 1`)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]int{}
	var k string
	var n int
	if _, err := pgx.ForEachRow(rows, []any{&k, &n}, func() error { out[k] = n; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestGetsDoNotWrite walks every GET route of the access matrix as each
// user, on their own record and on another's, and checks that no request
// wrote a row: a GET reads. The one exception is the audit trail of a
// sensitive read (auditedReads), which may add to audit_events only.
func TestGetsDoNotWrite(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	routes, ok := app.Server.Config.Handler.(chi.Routes)
	if !ok {
		t.Fatalf("the server's handler is a %T, not a chi router", app.Server.Config.Handler)
	}
	var keys []string
	if err := chi.Walk(routes, func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		if method == get {
			keys = append(keys, method+" "+route)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	for k := range auditedReads {
		if !slices.Contains(keys, k) {
			t.Errorf("auditedReads names %q, which is not a GET route", k)
		}
	}
	fx := fixtures(t, app.Pool)
	if _, err := app.Pool.Exec(ctx, noteWritesSQL); err != nil {
		t.Fatal(err)
	}
	// Signing in writes (a session): the count sees it.
	clients := map[string]*apptest.Client{}
	for _, u := range users {
		if u == "anon" {
			clients[u] = app.Anon(t)
			continue
		}
		clients[u] = app.Login(t, u)
	}
	if w := takeWrites(t, app); len(w) == 0 {
		t.Fatal("signing in wrote nothing the count saw")
	}

	for _, k := range keys {
		tc, ok := accessTable[k]
		if !ok {
			t.Errorf("route %q has no row in the access matrix", k)
			continue
		}
		_, pattern, _ := strings.Cut(k, " ")
		own := tc.Path
		if own == "" {
			own = pattern
		}
		paths := []string{fill(own, fx)}
		if tc.Other != "" {
			paths = append(paths, fill(tc.Other, fx))
		}
		for _, path := range paths {
			for _, u := range users {
				r := clients[u].Get(path)
				w := takeWrites(t, app)
				if auditedReads[k] {
					delete(w, auditTable+" INSERT")
				}
				if len(w) > 0 {
					t.Errorf("GET %s as %s (status %d) wrote rows: %v", path, u, r.Status, w)
				}
			}
		}
	}
}
