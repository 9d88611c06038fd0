package server_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// txCalls are the calls that open a transaction.
var txCalls = map[string]bool{"Begin": true, "BeginTx": true, "BeginFunc": true, "BeginTxFunc": true}

// TestHandlersOpenNoTransaction: the store owns its transactions; a
// handler never opens one. It parses every hand-written Go file of the
// domain packages and fails on a Begin/BeginTx/BeginFunc call inside an
// HTTP handler (a function taking an http.ResponseWriter), a method of a
// Handler, or any function of a handlers file.
func TestHandlersOpenNoTransaction(t *testing.T) {
	files, err := filepath.Glob("../*/*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		base := filepath.Base(name)
		if strings.HasSuffix(base, "_test.go") || strings.HasSuffix(base, "_templ.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		f, err := parser.ParseFile(fset, name, src, 0)
		if err != nil {
			t.Fatal(err)
		}
		handlersFile := strings.HasPrefix(base, "handlers") || strings.HasSuffix(base, "handlers.go")
		for _, d := range f.Decls {
			fn, ok := d.(*ast.FuncDecl)
			if !ok || fn.Body == nil || !(handlersFile || isHandlerMethod(fn) || takesResponseWriter(fn)) {
				continue
			}
			checked++
			ast.Inspect(fn.Body, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok {
					return true
				}
				if sel, ok := call.Fun.(*ast.SelectorExpr); ok && txCalls[sel.Sel.Name] {
					t.Errorf("%s: %s opens a transaction (%s); move it into the package's store",
						fset.Position(call.Pos()), fn.Name.Name, sel.Sel.Name)
				}
				return true
			})
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d handler functions: the file walk is broken", checked)
	}
}

// isHandlerMethod reports whether fn is a method of a type named Handler.
func isHandlerMethod(fn *ast.FuncDecl) bool {
	if fn.Recv == nil || len(fn.Recv.List) != 1 {
		return false
	}
	typ := fn.Recv.List[0].Type
	if star, ok := typ.(*ast.StarExpr); ok {
		typ = star.X
	}
	id, ok := typ.(*ast.Ident)
	return ok && id.Name == "Handler"
}

// takesResponseWriter reports whether fn has an http.ResponseWriter parameter.
func takesResponseWriter(fn *ast.FuncDecl) bool {
	for _, p := range fn.Type.Params.List {
		if sel, ok := p.Type.(*ast.SelectorExpr); ok && sel.Sel.Name == "ResponseWriter" {
			if x, ok := sel.X.(*ast.Ident); ok && x.Name == "http" {
				return true
			}
		}
	}
	return false
}
