package server_test

import (
	"fmt"
	"net/http"
	"testing"

	"zhibu/internal/apptest"
)

// TestNavigation: a secretary reaches the branch's own compliance page from
// the navigation; my record and my alerts sit at the header's end for
// everyone who has them (so a phone never scrolls them away), not in the
// scrolling list.
func TestNavigation(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	sec := app.Login(t, "secretary")
	branch := app.Int(t, `SELECT ar.org_id FROM account_roles ar JOIN accounts a ON a.id = ar.account_id WHERE a.username = 'secretary' AND ar.role = 'secretary'`)
	home := sec.Get("/")
	link := fmt.Sprintf("/review/branches/%d", branch)
	if !home.Has(`.mainnav a[href="` + link + `"]`) {
		t.Fatalf("the secretary's navigation has no link to %s", link)
	}
	if r := sec.Get(link); r.Status != http.StatusOK {
		t.Errorf("GET %s as the secretary: %d", link, r.Status)
	}
	for _, user := range []string{"secretary", "member"} {
		page := app.Login(t, user).Get("/")
		for _, href := range []string{"/me", "/alerts"} {
			if !page.Has(`.topbar-end a.pinned[href="` + href + `"]`) {
				t.Errorf("%s: %s is not pinned at the header's end", user, href)
			}
			if page.Has(`.mainnav a[href="` + href + `"]`) {
				t.Errorf("%s: %s is also in the scrolling navigation", user, href)
			}
		}
	}
	if rev := app.Login(t, "reviewer").Get("/"); rev.Has(`.mainnav a[href^="/review/branches/"]`) {
		t.Error("a reviewer (many branches) got a single branch's compliance link")
	}
}
