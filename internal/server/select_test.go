package server_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"zhibu/internal/apptest"
)

// TestRequiredChoicesStartEmpty: on every create form, a required
// drop-down with more than one real choice starts on the empty "请选择",
// so the browser's required check fires and a careless save never records
// the first value. A drop-down with a single real choice may preselect it.
func TestRequiredChoicesStartEmpty(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	pages := map[string][]string{
		"secretary": {"/meetings/new", "/meetings/credits/new", "/members/new", "/life/new", "/talks/new", "/commendations/new"},
		"reviewer":  {"/commendations/new"},
		"admin":     {"/orgs/new", "/admin/rules/new", "/admin/accounts/new"},
	}
	checked := 0
	for user, paths := range pages {
		c := app.Login(t, user)
		for _, p := range paths {
			r := c.Get(p)
			if r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d", user, p, r.Status)
				continue
			}
			r.Doc().Find("select[required]").Each(func(_ int, s *goquery.Selection) {
				real := s.Find(`option:not([value=""])`).Length()
				if real < 2 {
					return
				}
				checked++
				selected := s.Find("option[selected]")
				if selected.Length() > 0 && selected.AttrOr("value", "") != "" {
					t.Errorf("%s %s: required %q starts on %q (%s)", user, p, s.AttrOr("name", ""),
						selected.AttrOr("value", ""), strings.TrimSpace(selected.Text()))
				}
				if first := s.Find("option").First(); first.AttrOr("value", "x") != "" {
					t.Errorf("%s %s: required %q has no empty first choice", user, p, s.AttrOr("name", ""))
				}
			})
		}
	}
	if checked < 10 {
		t.Errorf("only %d required drop-downs checked; the forms changed?", checked)
	}
}
