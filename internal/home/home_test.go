package home_test

import (
	"net/http"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestEachRoleHasItsWorkbench(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	for _, c := range []struct {
		user string
		has  []string
	}{
		{"secretary", []string{"branch-bench", "branch-month", "branch-compliance", "member-hours"}},
		{"member", []string{"member-upcoming", "member-hours", "member-bench"}},
		{"reviewer", []string{"reviewer-bench", "reviewer-trouble"}},
	} {
		r := app.Login(t, c.user).Get("/")
		if r.Status != http.StatusOK {
			t.Fatalf("%s: home %d", c.user, r.Status)
		}
		for _, id := range c.has {
			if !r.Has(`[data-testid="` + id + `"]`) {
				t.Errorf("%s: home lacks %s", c.user, id)
			}
		}
	}
	// The secretary's demo branch has real to-dos, each with its link.
	r := app.Login(t, "secretary").Get("/")
	items := r.Doc().Find(`[data-testid="branch-todos"] [data-testid="todo-item"]`)
	if items.Length() == 0 {
		t.Fatalf("secretary's to-do list is empty on the demo data")
	}
	if href := items.First().Find("a").AttrOr("href", ""); href == "" {
		t.Fatalf("first to-do has no link")
	}
	// An administrator without a workbench keeps the section links.
	if a := app.Login(t, "admin").Get("/"); a.Status != http.StatusOK || a.Has(`[data-testid="branch-bench"]`) {
		t.Fatalf("admin home: %d", a.Status)
	}
}
