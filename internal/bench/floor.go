package bench

import (
	"net/http"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The floors are served by the benchmark process beside the application,
// outside its middleware, on paths the application does not have.
const (
	floorStaticPath   = "/_bench/static"
	floorFortunesPath = "/_bench/fortunes"
)

// fortune is one row of the fortunes floor.
type fortune struct {
	ID   int64
	Name string
}

const fortunesSQL = `SELECT id, name FROM members WHERE branch_id = $1 ORDER BY name LIMIT 12`

// floors wraps the application with the two reference routes: a static
// answer, and TechEmpower's "fortunes" shape (one indexed query of 12
// rows, one row added in memory, sorted, rendered with templ).
func floors(app http.Handler, pool *pgxpool.Pool, branch int64) http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+floorStaticPath, func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("Hello, World!"))
	})
	mux.HandleFunc("GET "+floorFortunesPath, func(w http.ResponseWriter, r *http.Request) {
		rows, err := pool.Query(r.Context(), fortunesSQL, branch)
		if err != nil {
			http.Error(w, "query failed", http.StatusInternalServerError)
			return
		}
		list, err := pgx.CollectRows(rows, pgx.RowToStructByName[fortune])
		if err != nil {
			http.Error(w, "query failed", http.StatusInternalServerError)
			return
		}
		list = append(list, fortune{ID: 0, Name: "附加一行：在请求中加入的记录"})
		slices.SortFunc(list, func(a, b fortune) int { return strings.Compare(a.Name, b.Name) })
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if err := fortunesView(list).Render(r.Context(), w); err != nil {
			http.Error(w, "render failed", http.StatusInternalServerError)
		}
	})
	mux.Handle("/", app)
	return mux
}
