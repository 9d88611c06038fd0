package e2e

import (
	"context"
	"testing"

	"github.com/chromedp/chromedp"

	"zhibu/internal/apptest"
	"zhibu/internal/auth"
	"zhibu/internal/db"
	"zhibu/internal/server"
)

// TestStatusPage: the system administrator's status page of an instance
// (issue 24) with a read replica that does not answer (the bad state; a
// replica that answers is shown by the server package's replica test) and
// the identity cache on. Screenshots in both languages, desktop and phone.
func TestStatusPage(t *testing.T) {
	t.Parallel()
	app := apptest.New(t, func(d *server.Deps) {
		// A replica address where nothing listens: shown down.
		reps, err := db.OpenReplicas(context.Background(), []string{"postgres://zhibu@127.0.0.1:1/zhibu?sslmode=disable&connect_timeout=1"})
		if err != nil {
			t.Fatal(err)
		}
		r := db.NewRouter(d.Pool, reps...)
		r.Poll(context.Background())
		t.Cleanup(r.Close)
		d.Reads = r
		c := auth.NewIdentityCache()
		c.Trust()
		d.Identity = c
	})
	b := newBrowser(t, "zh-CN")
	signIn(b, app, "admin")
	b.Do(
		chromedp.Navigate(app.URL+"/admin/status"),
		chromedp.WaitVisible(chromedp.CSS(`[data-testid="status-replica"]`)),
	)
	if got := b.Text(`[data-testid="status-replica"]`); got == "" {
		t.Fatal("no replica row")
	}
	b.ShootBoth("ops-status")
}
