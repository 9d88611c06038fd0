package grades_test

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/grades"
)

func levelCodes(t *testing.T, app *apptest.App) []string {
	t.Helper()
	ls, err := grades.AllLevels(context.Background(), app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, l := range ls {
		out = append(out, l.Code)
	}
	return out
}

// TestGradeLevelsAdmin: the system administrator adds, renames, reorders,
// deletes an unused grade, retires a used one (its grades kept, gone from
// the grading form) and reinstates it; bad input is 422 with the input
// kept; the last grade in use stays; every change audited; others refused.
func TestGradeLevelsAdmin(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	admin := app.Login(t, "admin")
	if r := admin.Get("/admin/grade-levels"); r.Status != http.StatusOK || r.Doc().Find(`[data-testid="grade-level"]`).Length() != int(app.Int(t, `SELECT count(*) FROM grade_levels`)) ||
		!r.Has(`[data-testid="level-retired"]`) {
		t.Fatalf("list: %d (every grade, the demo's retired one marked)", r.Status)
	}

	// Add: bad code, taken code, empty label refused, the input kept.
	for _, f := range []url.Values{
		{"code": {"Fair!"}, "label_zh": {"尚可"}, "label_en": {"Fair"}},
		{"code": {"good"}, "label_zh": {"尚可"}, "label_en": {"Fair"}},
		{"code": {"fair"}, "label_zh": {" "}, "label_en": {"Fair"}},
	} {
		r := admin.PostForm("/admin/grade-levels", f)
		if r.Status != http.StatusUnprocessableEntity || !r.Has(`[aria-invalid="true"]`) {
			t.Fatalf("%v: %d", f, r.Status)
		}
		if v, _ := r.Doc().Find("#f-label_en").Attr("value"); v != "Fair" {
			t.Errorf("%v: input not kept", f)
		}
	}
	if r := admin.PostForm("/admin/grade-levels", url.Values{"code": {"fair"}, "label_zh": {"尚可"}, "label_en": {"Fair"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add: %d", r.Status)
	}
	if got := levelCodes(t, app); !slices.Equal(got, []string{"advanced", "good", "average", "weak", "poor", "fair"}) {
		t.Fatalf("after add: %v", got)
	}

	// Rename (the code stays), refused when a label is too long.
	if r := admin.PostForm("/admin/grade-levels/fair", url.Values{"label_zh": {"一般偏下"}, "label_en": {strings.Repeat("x", 51)}}); r.Status != http.StatusUnprocessableEntity {
		t.Errorf("long label: %d", r.Status)
	}
	if r := admin.PostForm("/admin/grade-levels/fair", url.Values{"label_zh": {"一般偏下"}, "label_en": {"Below average"}, "weak": {"on"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("rename: %d", r.Status)
	}
	l, err := grades.LevelOf(ctx, app.Pool, "fair")
	if err != nil || l.LabelZh != "一般偏下" || l.LabelEn != "Below average" || !l.Weak {
		t.Fatalf("renamed: %+v %v", l, err)
	}

	// Reorder: up one place, and nothing at the top.
	admin.PostForm("/admin/grade-levels/fair/move", url.Values{"dir": {"up"}})
	admin.PostForm("/admin/grade-levels/advanced/move", url.Values{"dir": {"up"}})
	if got := levelCodes(t, app); !slices.Equal(got, []string{"advanced", "good", "average", "weak", "fair", "poor"}) {
		t.Fatalf("after move: %v", got)
	}

	// An unused grade: not without confirmation, then deleted.
	admin.PostForm("/admin/grade-levels/fair/retire", nil)
	if !slices.Contains(levelCodes(t, app), "fair") {
		t.Fatal("deleted without confirmation")
	}
	admin.PostForm("/admin/grade-levels/fair/retire", url.Values{"confirm": {"yes"}})
	if slices.Contains(levelCodes(t, app), "fair") {
		t.Fatal("unused grade not deleted")
	}

	// A used grade: retired, its grades kept, out of the grading form; reinstated.
	used := app.Int(t, `SELECT count(*) FROM branch_grades WHERE grade = 'good'`)
	if used == 0 {
		t.Fatal("demo data: no branch graded good")
	}
	admin.PostForm("/admin/grade-levels/good/retire", url.Values{"confirm": {"yes"}})
	if l, err := grades.LevelOf(ctx, app.Pool, "good"); err != nil || l.Active || l.Used != int(used) {
		t.Fatalf("retired: %+v %v", l, err)
	}
	active, err := grades.Levels(ctx, app.Pool)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range active {
		if a.Code == "good" {
			t.Error("a retired grade is still in the grading form")
		}
	}
	admin.PostForm("/admin/grade-levels/good/reinstate", nil)
	if l, _ := grades.LevelOf(ctx, app.Pool, "good"); !l.Active {
		t.Error("not reinstated")
	}

	// The last grade in use stays.
	if _, err := app.Pool.Exec(ctx, `UPDATE grade_levels SET active = code = 'advanced'`); err != nil {
		t.Fatal(err)
	}
	admin.PostForm("/admin/grade-levels/advanced/retire", url.Values{"confirm": {"yes"}})
	if l, _ := grades.LevelOf(ctx, app.Pool, "advanced"); !l.Active {
		t.Error("the last grade in use was retired")
	}

	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE entity = 'grade_level'`); n != 6 {
		t.Errorf("%d audit rows, want 6: add, rename, one move, delete, retire, reinstate", n)
	}
	if r := admin.Get("/admin/grade-levels/missing"); r.Status != http.StatusNotFound {
		t.Errorf("missing: %d", r.Status)
	}
	for _, u := range []string{"reviewer", "secretary"} {
		if r := app.Login(t, u).PostForm("/admin/grade-levels", url.Values{"code": {"x"}, "label_zh": {"x"}, "label_en": {"x"}}); r.Status != http.StatusForbidden {
			t.Errorf("%s: %d", u, r.Status)
		}
	}
}
