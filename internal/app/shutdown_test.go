package app

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"zhibu/internal/db"
	"zhibu/internal/dbtest"
)

// TestShutdownFinishesRequestsInFlight starts the real serve command,
// sends a burst of sign-ins (each hashes a password and writes a session
// and an audit row), and cancels the command while they run: every request
// that reached the server gets its whole answer, and every 303 has its
// session row.
func TestShutdownFinishesRequestsInFlight(t *testing.T) {
	dbURL := dbtest.EmptyURL(t)
	env := envOf(map[string]string{
		"DATABASE_URL": dbURL, "ZHIBU_ADDR": "127.0.0.1:0", "ZHIBU_DATA_DIR": t.TempDir(),
		"ZHIBU_SEED_DEMO": "1", "ZHIBU_LOG_LEVEL": "error",
	})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- Run(ctx, []string{"serve"}, env, pw, io.Discard)
		pw.Close()
	}()
	var base string
	sc := bufio.NewScanner(pr)
	for sc.Scan() {
		if addr, ok := strings.CutPrefix(sc.Text(), "Zhibu is serving at "); ok {
			base = strings.TrimSuffix(addr, "/")
			break
		}
	}
	if base == "" {
		t.Fatalf("server did not start: %v", <-done)
	}
	go func() { _, _ = io.Copy(io.Discard, pr) }()

	const n = 20 // the per-IP login limit
	var wg sync.WaitGroup
	var mu sync.Mutex
	var ok303, refused, afterCancel int
	var cancelled atomic.Bool
	var broken []string
	// Cancel only once every request's connection is open and the server
	// has had a moment to accept it: the test is about requests in flight,
	// not about connections still in the kernel's backlog.
	var dialed sync.WaitGroup
	dialed.Add(n)
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		dialed.Done()
		return c, err
	}}
	client := &http.Client{Transport: transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }, Timeout: 30 * time.Second}
	for i := 0; i < n; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest(http.MethodPost, base+"/login", strings.NewReader(url.Values{"username": {"member"}, "password": {"Zhibu@2026"}}.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", base)
			res, err := client.Do(req)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				// Connections opened after the listener closed are refused:
				// that is fine; a cut answer is not.
				if strings.Contains(err.Error(), "connection refused") {
					refused++
					return
				}
				broken = append(broken, err.Error())
				return
			}
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if cancelled.Load() {
				afterCancel++
			}
			if res.StatusCode == http.StatusSeeOther {
				ok303++
			} else {
				broken = append(broken, res.Status)
			}
		}()
	}
	dialed.Wait()
	time.Sleep(150 * time.Millisecond)
	cancelled.Store(true)
	cancel()
	wg.Wait()
	if err := <-done; err != nil {
		t.Fatalf("serve: %v", err)
	}
	if len(broken) > 0 {
		t.Fatalf("requests cut or failed during shutdown: %v", broken)
	}
	if afterCancel == 0 {
		t.Fatal("no request was still in flight at shutdown; the test proves nothing")
	}
	pool, err := db.Open(context.Background(), dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	var sessions int
	if err := pool.QueryRow(context.Background(), `SELECT count(*) FROM sessions`).Scan(&sessions); err != nil {
		t.Fatal(err)
	}
	if sessions != ok303 {
		t.Errorf("%d sign-ins answered 303 but %d sessions exist", ok303, sessions)
	}
	t.Logf("%d finished (%d of them after shutdown began), %d refused after close", ok303, afterCancel, refused)
}
