package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// areas are the domain packages. Each may use the shared packages (apperr,
// audit, auth, db, i18n, pii, ui, vocab) freely, but another area only
// through its store API: never a name declared in its handlers or views.
var areas = []string{"admin", "alerts", "appraisal", "cases", "commend", "discipline", "disposal", "dues", "grades", "home", "inspect", "leadgroup", "life", "me", "meeting", "member", "notices", "notify", "org", "plans", "recruit", "review", "rules", "talk"}

// viewArrows are the uses of another area's views still left: the
// commendation list and the overdue-items notice are drawn by the area
// that owns them inside member and organisation pages
// (docs/architecture.md). Do not add to this list.
var viewArrows = map[string]bool{
	"member -> commend.ListFor":    true,
	"org -> commend.ListFor":       true,
	"member -> life.OverdueNotice": true,
	"org -> life.OverdueNotice":    true,
}

// isHandlerOrView reports whether a file holds handlers or views.
func isHandlerOrView(name string) bool {
	return strings.Contains(name, "handlers") || strings.HasPrefix(name, "views") || strings.HasSuffix(name, "_templ.go")
}

type areaFile struct {
	name string
	file *ast.File
	fset *token.FileSet
}

func areaFiles(t *testing.T, area string) []areaFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(root, "internal", area, "*.go"))
	if err != nil {
		t.Fatal(err)
	}
	var out []areaFile
	for _, p := range paths {
		if strings.HasSuffix(p, "_test.go") {
			continue
		}
		fset := token.NewFileSet()
		f, err := parser.ParseFile(fset, p, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, areaFile{name: filepath.Base(p), file: f, fset: fset})
	}
	if len(out) == 0 {
		t.Fatalf("no Go files in internal/%s", area)
	}
	return out
}

// declaredIn maps an area's exported top-level names to their file.
func declaredIn(files []areaFile) map[string]string {
	out := map[string]string{}
	for _, f := range files {
		for _, d := range f.file.Decls {
			switch d := d.(type) {
			case *ast.FuncDecl:
				if d.Recv == nil && d.Name.IsExported() {
					out[d.Name.Name] = f.name
				}
			case *ast.GenDecl:
				for _, s := range d.Specs {
					switch s := s.(type) {
					case *ast.TypeSpec:
						out[s.Name.Name] = f.name
					case *ast.ValueSpec:
						for _, n := range s.Names {
							out[n.Name] = f.name
						}
					}
				}
			}
		}
	}
	return out
}

// TestAreasUseEachOtherThroughStores fails when an area uses a name that
// another area declares in its handlers or views.
func TestAreasUseEachOtherThroughStores(t *testing.T) {
	files := map[string][]areaFile{}
	decls := map[string]map[string]string{}
	for _, a := range areas {
		files[a] = areaFiles(t, a)
		decls[a] = declaredIn(files[a])
	}
	uses := 0
	for _, a := range areas {
		for _, f := range files[a] {
			imported := map[string]string{} // local name → area
			for _, imp := range f.file.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				b, ok := strings.CutPrefix(p, "zhibu/internal/")
				if !ok || b == a || decls[b] == nil {
					continue
				}
				local := b
				if imp.Name != nil {
					local = imp.Name.Name
				}
				imported[local] = b
			}
			ast.Inspect(f.file, func(n ast.Node) bool {
				sel, ok := n.(*ast.SelectorExpr)
				if !ok {
					return true
				}
				x, ok := sel.X.(*ast.Ident)
				if !ok || imported[x.Name] == "" {
					return true
				}
				b := imported[x.Name]
				uses++
				arrow := a + " -> " + b + "." + sel.Sel.Name
				if file := decls[b][sel.Sel.Name]; isHandlerOrView(file) && !viewArrows[arrow] {
					t.Errorf("%s: %s: %s is declared in %s's %s; use its store API or internal/vocab", f.fset.Position(sel.Pos()), arrow, sel.Sel.Name, b, file)
				}
				return true
			})
		}
	}
	if uses < 10 {
		t.Fatalf("found only %d uses between areas: the scan is broken", uses)
	}
}
