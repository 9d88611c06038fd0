package home_test

import (
	"net/http"
	"testing"
	"time"

	"zhibu/internal/apptest"
	"zhibu/internal/dbtest"
	"zhibu/internal/home"
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

func TestDaysUntil(t *testing.T) {
	sh, _ := time.LoadLocation("Asia/Shanghai")
	today := time.Date(2028, 2, 28, 0, 0, 0, 0, time.UTC)
	for _, c := range []struct {
		at   time.Time
		want int
	}{
		{time.Date(2028, 2, 28, 23, 59, 0, 0, sh), 0},
		{time.Date(2028, 2, 29, 0, 0, 0, 0, sh), 1}, // leap day
		{time.Date(2028, 3, 1, 9, 0, 0, 0, sh), 2},
		{time.Date(2028, 2, 28, 16, 30, 0, 0, time.UTC), 1}, // 00:30 on the 29th in China
	} {
		if got := home.DaysUntil(today, c.at); got != c.want {
			t.Errorf("DaysUntil(%v) = %d, want %d", c.at, got, c.want)
		}
	}
}
