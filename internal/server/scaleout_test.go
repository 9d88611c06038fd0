package server_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/dbtest"
	"zhibu/internal/notify"
	"zhibu/internal/seed"
	"zhibu/internal/server"
)

// Issue 24: a primary and a real streaming replica (pg_basebackup from the
// system's PostgreSQL). The committee's pages read from the replica; a
// person who has just written reads from the primary until the replica
// has replayed their write; the lag shows in /metrics.
func TestReadReplicaServesDashboardsAndWritersReadTheirWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	primary := dbtest.NewCluster(t)
	if err := primary.EnsureDatabase(ctx, "zhibu"); err != nil {
		t.Fatal(err)
	}
	u := primary.URL("zhibu")
	if err := db.MigrateUp(u); err != nil {
		t.Fatal(err)
	}
	pool, err := db.Open(ctx, u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Demo(ctx, pool, apptest.Sealer(t)); err != nil {
		t.Fatal(err)
	}
	pool.Close()
	replica := dbtest.NewReplica(t, primary)
	replicaPool, err := db.Open(ctx, replica.URL("zhibu"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(replicaPool.Close)

	var router *db.Router
	app := apptest.NewOnURL(t, u, func(d *server.Deps) {
		reps, err := db.OpenReplicas(ctx, []string{replica.URL("zhibu")})
		if err != nil {
			t.Fatal(err)
		}
		router = db.NewRouter(d.Pool, reps...)
		router.Every = 20 * time.Millisecond
		rctx, cancel := context.WithCancel(ctx)
		t.Cleanup(func() { cancel(); router.Close() })
		go router.Run(rctx)
		d.Reads = router
	})
	// caughtUp waits until the replica has replayed everything the primary
	// has written so far.
	caughtUp := func() {
		t.Helper()
		var s string
		if err := app.Pool.QueryRow(ctx, `SELECT pg_current_wal_insert_lsn()::text`).Scan(&s); err != nil {
			t.Fatal(err)
		}
		want, err := db.ParseLSN(s)
		if err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for st := router.Status()[0]; !st.Up || st.Replay < want; st = router.Status()[0] {
			if time.Now().After(deadline) {
				t.Fatalf("replica at %s (up %v), primary at %s", st.Replay, st.Up, want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	reads := func() (primary, replica uint64) { return router.PrimaryReads(), router.Status()[0].Reads }

	office := app.OrgID(t, "办公室党支部")
	branch := "/review/branches/" + itoa(office) + "?period=2026-Q3"
	rev := app.Login(t, "reviewer")
	caughtUp()

	// The dashboard is served from the replica.
	p0, r0 := reads()
	if r := rev.Get("/review"); r.Status != http.StatusOK {
		t.Fatalf("dashboard from the replica: %d", r.Status)
	}
	if p1, r1 := reads(); r1 != r0+1 || p1 != p0 {
		t.Errorf("dashboard: primary reads %d→%d, replica reads %d→%d; want the replica's", p0, p1, r0, r1)
	}

	// A second browser of the reviewer's, which will not write.
	other := app.Anon(t)
	other.WithCookiesOf(rev, app.URL)

	// The replica stops replaying; the reviewer rates the branch.
	if _, err := replicaPool.Exec(ctx, `SELECT pg_wal_replay_pause()`); err != nil {
		t.Fatal(err)
	}
	const words = "副本延迟时的整改要求"
	if r := rev.PostForm("/review/branches/"+itoa(office)+"/reviews", url.Values{"period": {"2026-Q3"}, "rating": {"good"}, "corrections": {words}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rate: %d", r.Status)
	}
	// The writer reads their own write, from the primary.
	p0, r0 = reads()
	if r := rev.Get(branch); !strings.Contains(r.TestID("history"), words) {
		t.Errorf("the writer does not see their rating right after saving it: %d %q", r.Status, r.TestID("history"))
	}
	if p1, r1 := reads(); p1 != p0+1 || r1 != r0 {
		t.Errorf("writer's read: primary reads %d→%d, replica reads %d→%d; want the primary's", p0, p1, r0, r1)
	}
	// The other browser has written nothing since the replica replayed:
	// it reads the replica, which has not replayed the rating yet.
	if r := other.Get(branch); r.Status != http.StatusOK || strings.Contains(r.TestID("history"), words) {
		t.Errorf("a reader who did not write: %d, rating shown %v (want the replica's older copy)", r.Status, strings.Contains(r.TestID("history"), words))
	}
	// The lag shows in /metrics.
	deadline := time.Now().Add(10 * time.Second)
	for router.Status()[0].LagBytes == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	m := rev.Get("/metrics")
	for _, want := range []string{`zhibu_db_replica_up{replica="replica-1"} 1`, `zhibu_db_reads_total{pool="replica-1"}`, `zhibu_db_replica_lag_seconds{replica="replica-1"}`} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("/metrics lacks %q", want)
		}
	}
	if strings.Contains(m.Body, `zhibu_db_replica_lag_bytes{replica="replica-1"} 0`+"\n") {
		t.Errorf("a paused replica shows no lag in bytes")
	}
	// And on the administrator's status page.
	st := app.Login(t, "admin").Get("/admin/status")
	if row := st.Doc().Find(`[data-testid="status-replica"]`); st.Status != http.StatusOK || row.Length() != 1 || !strings.Contains(row.Text(), "replica-1") || !strings.Contains(row.Text(), "正常") {
		t.Errorf("status page: %d, replica rows %q", st.Status, row.Text())
	}

	// Replay resumes: once the replica has the rating, the writer reads it there.
	if _, err := replicaPool.Exec(ctx, `SELECT pg_wal_replay_resume()`); err != nil {
		t.Fatal(err)
	}
	caughtUp()
	p0, r0 = reads()
	if r := rev.Get(branch); !strings.Contains(r.TestID("history"), words) {
		t.Errorf("after replay: rating missing on the replica")
	}
	if p1, r1 := reads(); r1 != r0+1 || p1 != p0 {
		t.Errorf("after replay: primary reads %d→%d, replica reads %d→%d; want the replica's", p0, p1, r0, r1)
	}
}

// Issue 24: Zhibu behind PgBouncer in transaction mode, two server
// connections for the application's eight: every transaction may land on
// another server connection, so nothing may rely on a connection's state
// (prepared statements, SET, session locks). Sign in, save a record, and
// load pages, several at once.
func TestBehindPgBouncerInTransactionMode(t *testing.T) {
	t.Parallel()
	bouncer := dbtest.PgBouncer(t, 2)
	seeded := apptest.SeededURL(t)
	app := apptest.Start(t, bouncer.URL(dbtest.DatabaseOf(t, seeded)), []db.PoolOption{db.ForPgBouncer(true)})
	sec := app.Login(t, "secretary")
	rev := app.Login(t, "reviewer")
	office := app.OrgID(t, "办公室党支部")
	day := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -1).Format(time.DateOnly)
	r := sec.PostForm("/meetings/new", url.Values{
		"org_id": {itoa(office)}, "kind": {"committee"}, "status": {"draft"}, "topic": {"连接池事务模式下的支委会"},
		"date": {day}, "start": {"09:00"}, "end": {"10:00"}, "place": {"二楼会议室"},
		"minutes": {"讨论年度工作。"}, "decisions": {"按期完成。"}, "study_hours": {"0"}, "version": {"0"},
	})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/meetings/") {
		t.Fatalf("save a meeting behind pgbouncer: %d %q", r.Status, r.Location)
	}
	if r := sec.Get(r.Location); r.Status != http.StatusOK || !strings.Contains(r.Body, "连接池事务模式下的支委会") {
		t.Fatalf("the saved meeting: %d", r.Status)
	}
	pages := []struct {
		c    *apptest.Client
		path string
	}{
		{sec, "/"}, {sec, "/meetings"}, {sec, "/members?org=" + itoa(office)}, {sec, "/review/branches/" + itoa(office)},
		{sec, "/inbox"}, {rev, "/review"}, {rev, "/"}, {rev, "/orgs"},
	}
	errs := make(chan string, len(pages))
	for _, p := range pages {
		go func() {
			if r := p.c.Get(p.path); r.Status != http.StatusOK {
				errs <- p.path + ": " + strconv.Itoa(r.Status)
				return
			}
			errs <- ""
		}()
	}
	for range pages {
		if e := <-errs; e != "" {
			t.Errorf("behind pgbouncer: %s", e)
		}
	}
}

// withIdentityCache gives an instance its identity cache, kept in step
// by its own LISTEN connection, as zhibu serve does.
func withIdentityCache(t *testing.T) apptest.Option {
	return func(d *server.Deps) {
		c := auth.NewIdentityCache()
		ctx, cancel := context.WithCancel(context.Background())
		ready, done := make(chan struct{}), make(chan struct{})
		go func() {
			auth.ListenIdentity(ctx, d.Pool.Config().ConnString(), c, ready, slog.New(slog.DiscardHandler))
			close(done)
		}()
		t.Cleanup(func() { cancel(); <-done })
		select {
		case <-ready:
		case <-time.After(20 * time.Second):
			t.Fatal("identity listener did not connect")
		}
		d.Identity = c
		// The unread counts' listener, as zhibu serve runs it.
		n, err := notify.New(d.Pool, d.Sealer, notify.Options{Logger: slog.New(slog.DiscardHandler)})
		if err != nil {
			t.Fatal(err)
		}
		unreadDone := make(chan struct{})
		go func() {
			n.ListenUnread(ctx, d.Pool.Config().ConnString(), slog.New(slog.DiscardHandler))
			close(unreadDone)
		}()
		t.Cleanup(func() { cancel(); <-unreadDone })
		d.Notify = n
	}
}

// Issue 24: two instances on one database, each with its identity cache,
// behave as one: sign in on one and act on the other; lock an account on
// one and be refused on the other; a role revoked or an account disabled
// on one is seen on the other within a second.
func TestTwoInstancesBehaveAsOne(t *testing.T) {
	t.Parallel()
	a := apptest.New(t, withIdentityCache(t))
	b := a.Second(t, withIdentityCache(t))
	office := a.OrgID(t, "办公室党支部")

	// Signed in on A, a meeting saved on B, read on A.
	secA := a.Login(t, "secretary")
	secB := b.Anon(t)
	secB.WithCookiesOf(secA, a.URL)
	day := time.Now().In(time.FixedZone("CST", 8*3600)).AddDate(0, 0, -2).Format(time.DateOnly)
	r := secB.PostForm("/meetings/new", url.Values{
		"org_id": {itoa(office)}, "kind": {"committee"}, "status": {"draft"}, "topic": {"第二个实例保存的支委会"},
		"date": {day}, "start": {"09:00"}, "end": {"10:00"}, "place": {"二楼会议室"},
		"minutes": {"讨论。"}, "decisions": {"照办。"}, "study_hours": {"0"}, "version": {"0"},
	})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Location, "/meetings/") {
		t.Fatalf("save on B with A's session: %d", r.Status)
	}
	if r := secA.Get(r.Location); r.Status != http.StatusOK || !strings.Contains(r.Body, "第二个实例保存的支委会") {
		t.Fatalf("read on A what B saved: %d", r.Status)
	}

	// Locked on A by wrong passwords (three, the least the settings
	// allow, to keep the test short), refused on B with the right one.
	if _, err := a.Pool.Exec(context.Background(), `UPDATE security_settings SET lock_after = 3`); err != nil {
		t.Fatal(err)
	}
	bad := url.Values{"username": {"member"}, "password": {"not-the-password"}}
	for i := range 3 {
		if r := a.Anon(t).PostForm("/login", bad); r.Status != http.StatusUnauthorized {
			t.Fatalf("wrong password %d on A: %d", i+1, r.Status)
		}
	}
	if r := b.Anon(t).PostForm("/login", url.Values{"username": {"member"}, "password": {seed.DemoPassword}}); r.Status != http.StatusUnauthorized {
		t.Errorf("an account locked on A signs in on B: %d", r.Status)
	}

	// seenWithin asks B for path until it redirects to the sign-in page.
	seenWithin := func(c *apptest.Client, path string, since time.Time) time.Duration {
		t.Helper()
		for {
			r := c.Get(path)
			if r.Status == http.StatusSeeOther && strings.HasPrefix(r.Location, "/login") {
				return time.Since(since)
			}
			if time.Since(since) > 3*time.Second {
				t.Fatalf("%s on B still answers %d 3 s after the change on A", path, r.Status)
			}
			time.Sleep(5 * time.Millisecond)
		}
	}

	// A role revoked on A: the reviewer's session on B ends.
	revB := b.Login(t, "reviewer")
	if r := revB.Get("/review"); r.Status != http.StatusOK {
		t.Fatalf("reviewer on B: %d", r.Status)
	}
	revID := a.Int(t, `SELECT id FROM accounts WHERE username = 'reviewer'`)
	sec := a.Login(t, "security")
	if r := sec.PostForm("/admin/security/accounts/"+itoa(revID)+"/roles/revoke", url.Values{"role": {"reviewer"}, "confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("revoke on A: %d", r.Status)
	}
	if d := seenWithin(revB, "/review", time.Now()); d > time.Second {
		t.Errorf("B saw the revoked role after %v, want within a second", d)
	} else {
		t.Logf("revoked role seen on B after %v", d)
	}

	// The secretary's unread notices, counted on B, read on A: B's count
	// goes at once (it would otherwise stand for 30 s).
	if got := secB.Get("/").TestID("inbox-count"); got == "" || got == "0" {
		t.Fatalf("unread count on B: %q, want the demo's notices", got)
	}
	if r := secA.PostForm("/inbox/read-all", nil); r.Status != http.StatusSeeOther {
		t.Fatalf("read all on A: %d", r.Status)
	}
	since := time.Now()
	for secB.Get("/").TestID("inbox-count") != "" {
		if time.Since(since) > time.Second {
			t.Fatalf("B still counts the notice read on A after a second")
		}
		time.Sleep(5 * time.Millisecond)
	}

	// An account disabled on A: its session on B ends.
	secID := a.Int(t, `SELECT id FROM accounts WHERE username = 'secretary'`)
	if r := secB.Get("/"); r.Status != http.StatusOK {
		t.Fatalf("secretary on B: %d", r.Status)
	}
	admin := a.Login(t, "admin")
	if r := admin.PostForm("/admin/accounts/"+itoa(secID)+"/disable", url.Values{"confirm": {"yes"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("disable on A: %d", r.Status)
	}
	if d := seenWithin(secB, "/", time.Now()); d > time.Second {
		t.Errorf("B saw the disabled account after %v, want within a second", d)
	}
}
