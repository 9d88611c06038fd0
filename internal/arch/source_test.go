package arch

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// root is the module's root, two levels up from this package.
const root = "../.."

// goFile is one hand-written production Go file: its package's path under
// the module (internal/meeting), its path, and its parsed syntax.
type goFile struct {
	pkg  string
	path string
	src  []byte
	file *ast.File
	fset *token.FileSet
}

// productionFiles parses every non-test, non-generated Go file under cmd
// and internal.
func productionFiles(t *testing.T) []goFile {
	t.Helper()
	var out []goFile
	for _, dir := range []string{"cmd", "internal"} {
		err := filepath.WalkDir(filepath.Join(root, dir), func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			name := d.Name()
			if d.IsDir() || !strings.HasSuffix(name, ".go") || strings.HasSuffix(name, "_test.go") || strings.HasSuffix(name, "_templ.go") {
				return nil
			}
			src, err := os.ReadFile(path)
			if err != nil {
				return err
			}
			fset := token.NewFileSet()
			f, err := parser.ParseFile(fset, path, src, parser.ParseComments)
			if err != nil {
				return err
			}
			rel, err := filepath.Rel(root, filepath.Dir(path))
			if err != nil {
				return err
			}
			out = append(out, goFile{pkg: filepath.ToSlash(rel), path: path, src: src, file: f, fset: fset})
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	if len(out) < 50 {
		t.Fatalf("found only %d Go files under %s", len(out), root)
	}
	return out
}

// stringLiterals returns the values of the file's string literals.
func (g goFile) stringLiterals() []string {
	var out []string
	ast.Inspect(g.file, func(n ast.Node) bool {
		if lit, ok := n.(*ast.BasicLit); ok && lit.Kind == token.STRING {
			if s, err := strconv.Unquote(lit.Value); err == nil {
				out = append(out, s)
			}
		}
		return true
	})
	return out
}
