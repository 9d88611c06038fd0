package grades

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/audit"
	"zhibu/internal/db"
	"zhibu/internal/ui"
)

// AdminLevel is one grade of the list as the administrator keeps it:
// retired ones too, with how many grades use it.
type AdminLevel struct {
	Code     string
	LabelZh  string
	LabelEn  string
	Position int
	Weak     bool
	Active   bool
	Used     int
}

// AllLevels lists every grade, retired ones included, in their order.
func AllLevels(ctx context.Context, q db.Querier) ([]AdminLevel, error) {
	out, err := db.Rows[AdminLevel](ctx, q, `
SELECT l.code, l.label_zh, l.label_en, l.position, l.weak, l.active,
       (SELECT count(*) FROM branch_grades g WHERE g.grade = l.code)::int AS used
  FROM grade_levels l ORDER BY l.position`)
	if err != nil {
		return nil, fmt.Errorf("grades: all levels: %w", err)
	}
	return out, nil
}

// LevelOf reads one grade of the list.
func LevelOf(ctx context.Context, q db.Querier, code string) (AdminLevel, error) {
	out, err := db.One[AdminLevel](ctx, q, `
SELECT l.code, l.label_zh, l.label_en, l.position, l.weak, l.active,
       (SELECT count(*) FROM branch_grades g WHERE g.grade = l.code)::int AS used
  FROM grade_levels l WHERE l.code = $1`, code)
	if err != nil {
		return AdminLevel{}, fmt.Errorf("grades: level %q: %w", code, err)
	}
	return out, nil
}

// LevelForm is a grade as typed: the code only when adding.
type LevelForm struct {
	Code    string
	LabelZh string
	LabelEn string
	Weak    bool
	Errors  ui.Errors
}

var levelCodeRE = regexp.MustCompile(`^[a-z_]{1,30}$`)

// ParseLevel reads the form.
func ParseLevel(r *http.Request) LevelForm {
	return LevelForm{
		Code:    strings.TrimSpace(r.PostFormValue("code")),
		LabelZh: strings.TrimSpace(r.PostFormValue("label_zh")),
		LabelEn: strings.TrimSpace(r.PostFormValue("label_en")),
		Weak:    r.PostFormValue("weak") == "on",
	}
}

// Validate checks the labels (1–50 characters each, as the table's checks)
// and, when adding, the code (lower-case letters and underscores).
func (f *LevelForm) Validate(adding bool) bool {
	if adding && !levelCodeRE.MatchString(f.Code) {
		f.Errors.Add("code", "selfadmin.levels.error.code")
	}
	for name, v := range map[string]string{"label_zh": f.LabelZh, "label_en": f.LabelEn} {
		if n := utf8.RuneCountInString(v); n < 1 || n > 50 {
			f.Errors.Add(name, "selfadmin.levels.error.label")
		}
	}
	return !f.Errors.Any()
}

// ErrLevelTaken means a grade with the code exists already.
var ErrLevelTaken = errors.New("grades: level code taken")

// ErrLastLevel means the grade is the last one in use: grading needs one.
var ErrLastLevel = errors.New("grades: the last active level")

func levelAudit(l AdminLevel) map[string]any {
	return map[string]any{"code": l.Code, "label_zh": l.LabelZh, "label_en": l.LabelEn, "position": l.Position, "weak": l.Weak, "active": l.Active}
}

func recordLevel(ctx context.Context, tx pgx.Tx, action string, before, after *AdminLevel) error {
	e := audit.Event{Action: action, Entity: "grade_level"}
	if before != nil {
		e.Before = levelAudit(*before)
	}
	if after != nil {
		e.After = levelAudit(*after)
	}
	return audit.Record(ctx, tx, e)
}

// AddLevel adds a grade at the end of the list.
func (s *Store) AddLevel(ctx context.Context, f LevelForm) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `LOCK TABLE grade_levels IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return fmt.Errorf("grades: add level: %w", err)
		}
		var taken bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM grade_levels WHERE code = $1)`, f.Code).Scan(&taken); err != nil {
			return fmt.Errorf("grades: add level: %w", err)
		}
		if taken {
			return ErrLevelTaken
		}
		if _, err := tx.Exec(ctx, `
INSERT INTO grade_levels (code, label_zh, label_en, weak, position)
VALUES ($1, $2, $3, $4, (SELECT coalesce(max(position), 0) + 1 FROM grade_levels))`, f.Code, f.LabelZh, f.LabelEn, f.Weak); err != nil {
			return fmt.Errorf("grades: add level: %w", err)
		}
		after, err := LevelOf(ctx, tx, f.Code)
		if err != nil {
			return err
		}
		return recordLevel(ctx, tx, "grade_level.create", nil, &after)
	})
}

// RenameLevel changes a grade's labels and whether it is a weak one; the
// code, which the grades given keep, stays.
func (s *Store) RenameLevel(ctx context.Context, code string, f LevelForm) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		before, err := lockLevel(ctx, tx, code)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE grade_levels SET label_zh = $2, label_en = $3, weak = $4 WHERE code = $1`,
			code, f.LabelZh, f.LabelEn, f.Weak); err != nil {
			return fmt.Errorf("grades: rename level %q: %w", code, err)
		}
		after := before
		after.LabelZh, after.LabelEn, after.Weak = f.LabelZh, f.LabelEn, f.Weak
		return recordLevel(ctx, tx, "grade_level.update", &before, &after)
	})
}

func lockLevel(ctx context.Context, tx pgx.Tx, code string) (AdminLevel, error) {
	if _, err := tx.Exec(ctx, `LOCK TABLE grade_levels IN SHARE ROW EXCLUSIVE MODE`); err != nil {
		return AdminLevel{}, fmt.Errorf("grades: lock levels: %w", err)
	}
	return LevelOf(ctx, tx, code)
}

// MoveLevel swaps a grade with its neighbour above (up) or below; at either
// end it stays where it is.
func (s *Store) MoveLevel(ctx context.Context, code string, up bool) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		l, err := lockLevel(ctx, tx, code)
		if err != nil {
			return err
		}
		q := `SELECT code, position FROM grade_levels WHERE position > $1 ORDER BY position LIMIT 1`
		if up {
			q = `SELECT code, position FROM grade_levels WHERE position < $1 ORDER BY position DESC LIMIT 1`
		}
		var other string
		var pos int
		err = tx.QueryRow(ctx, q, l.Position).Scan(&other, &pos)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		if err != nil {
			return fmt.Errorf("grades: move level %q: %w", code, err)
		}
		// position is unique: park one row out of the way first.
		for _, step := range []struct {
			code string
			pos  int
		}{{code, -1}, {other, l.Position}, {code, pos}} {
			if _, err := tx.Exec(ctx, `UPDATE grade_levels SET position = $2 WHERE code = $1`, step.code, step.pos); err != nil {
				return fmt.Errorf("grades: move level %q: %w", code, err)
			}
		}
		after := l
		after.Position = pos
		return recordLevel(ctx, tx, "grade_level.move", &l, &after)
	})
}

// RetireLevel takes a grade out of the grading form: retired when grades
// use it (they keep it), deleted when none does. The last grade in use
// stays. It reports whether the grade was deleted.
func (s *Store) RetireLevel(ctx context.Context, code string) (deleted bool, err error) {
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		l, err := lockLevel(ctx, tx, code)
		if err != nil {
			return err
		}
		if !l.Active {
			return nil
		}
		var active int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM grade_levels WHERE active`).Scan(&active); err != nil {
			return fmt.Errorf("grades: retire level %q: %w", code, err)
		}
		if active <= 1 {
			return ErrLastLevel
		}
		if l.Used == 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM grade_levels WHERE code = $1`, code); err != nil {
				return fmt.Errorf("grades: delete level %q: %w", code, err)
			}
			deleted = true
			return recordLevel(ctx, tx, "grade_level.delete", &l, nil)
		}
		if _, err := tx.Exec(ctx, `UPDATE grade_levels SET active = false WHERE code = $1`, code); err != nil {
			return fmt.Errorf("grades: retire level %q: %w", code, err)
		}
		after := l
		after.Active = false
		return recordLevel(ctx, tx, "grade_level.retire", &l, &after)
	})
	return deleted, err
}

// ReinstateLevel puts a retired grade back in the grading form.
func (s *Store) ReinstateLevel(ctx context.Context, code string) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		l, err := lockLevel(ctx, tx, code)
		if err != nil {
			return err
		}
		if l.Active {
			return nil
		}
		if _, err := tx.Exec(ctx, `UPDATE grade_levels SET active = true WHERE code = $1`, code); err != nil {
			return fmt.Errorf("grades: reinstate level %q: %w", code, err)
		}
		after := l
		after.Active = true
		return recordLevel(ctx, tx, "grade_level.reinstate", &l, &after)
	})
}
