package auth

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/db"
	"zhibu/internal/dbtest"
)

// BenchmarkLoadUser is the cost of finding a signed-in request's user
// (auth.LoadUser: the session, the account and its roles, the scope, the
// layout's viewer), reading the database on every request ("fresh") or
// from the identity cache ("cached", one read a second per session).
// CPU per request of the Go process only; the fresh case also costs
// PostgreSQL a statement per request (see docs/performance.md).
func BenchmarkLoadUser(b *testing.B) {
	ctx := context.Background()
	url := dbtest.NewURL(b)
	pool, err := db.Open(ctx, url)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(pool.Close)
	var id int64
	if err := pool.QueryRow(ctx, `INSERT INTO accounts (username, display_name, password_hash, must_change_password) VALUES ('bench', '基准', 'x', false) RETURNING id`).Scan(&id); err != nil {
		b.Fatal(err)
	}
	if _, err := pool.Exec(ctx, `INSERT INTO account_roles (account_id, role) VALUES ($1, 'auditadmin')`, id); err != nil {
		b.Fatal(err)
	}
	for _, cached := range []bool{false, true} {
		name := "fresh"
		if cached {
			name = "cached"
		}
		b.Run(name, func(b *testing.B) {
			svc := NewService(pool, DefaultPolicy, nil)
			if cached {
				c := NewIdentityCache()
				c.Trust()
				svc.WithIdentityCache(c)
			}
			token, err := svc.sessions.Create(ctx, id, "127.0.0.1", "bench")
			if err != nil {
				b.Fatal(err)
			}
			var seen *User
			h := svc.LoadUser(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { seen = UserOf(r.Context()) }))
			req := httptest.NewRequest(http.MethodGet, "/", nil)
			req.AddCookie(&http.Cookie{Name: svc.cookieName(), Value: token})
			w := httptest.NewRecorder()
			b.ReportAllocs()
			goCPU, pgCPU := processCPU(b), backendsCPU(b, pool)
			n := 0
			for b.Loop() {
				h.ServeHTTP(w, req)
				n++
			}
			b.ReportMetric(float64((processCPU(b)-goCPU).Microseconds())/float64(n), "go-cpu-µs/op")
			b.ReportMetric(float64((backendsCPU(b, pool)-pgCPU).Microseconds())/float64(n), "pg-cpu-µs/op")
			if seen == nil || seen.AccountID != id {
				b.Fatalf("no user: %+v", seen)
			}
		})
	}
}

// processCPU is the CPU time this process has used (user and system).
func processCPU(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// backendsCPU is the CPU time used so far by the PostgreSQL backends
// serving the pool's database (from /proc: the server runs on this
// machine in tests), 0 when /proc cannot be read.
func backendsCPU(b *testing.B, pool *pgxpool.Pool) time.Duration {
	rows, err := pool.Query(context.Background(), `SELECT pid FROM pg_stat_activity WHERE datname = current_database()`)
	if err != nil {
		b.Fatal(err)
	}
	pids, err := pgx.CollectRows(rows, pgx.RowTo[int32])
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, pid := range pids {
		raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
		if err != nil {
			continue
		}
		// Fields after the command's closing parenthesis: utime and stime
		// are the 12th and 13th.
		f := strings.Fields(string(raw[strings.LastIndexByte(string(raw), ')')+1:]))
		if len(f) > 12 {
			u, _ := strconv.ParseInt(f[11], 10, 64)
			s, _ := strconv.ParseInt(f[12], 10, 64)
			ticks += u + s
		}
	}
	return time.Duration(ticks) * 10 * time.Millisecond // USER_HZ = 100
}
