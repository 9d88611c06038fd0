package arch

import (
	"go/ast"
	"testing"
)

// dbCalls are the database methods whose first result is useless when
// their error is dropped.
var dbCalls = map[string]bool{
	"Query": true, "Exec": true, "Begin": true, "BeginTx": true, "Acquire": true,
	"CopyFrom": true, "SendBatch": true, "Prepare": true, "Connect": true,
}

// TestNoIgnoredQueryErrors fails on `rows, _ := q.Query(…)` and the like
// in production code: the result is used while the error that says it is
// empty or broken is thrown away. (`_, _ = conn.Exec(…)` for a
// best-effort clean-up drops everything on purpose and is not matched.)
func TestNoIgnoredQueryErrors(t *testing.T) {
	calls := 0
	for _, f := range productionFiles(t) {
		ast.Inspect(f.file, func(n ast.Node) bool {
			as, ok := n.(*ast.AssignStmt)
			if !ok || len(as.Rhs) != 1 || len(as.Lhs) < 2 {
				return true
			}
			call, ok := as.Rhs[0].(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok || !dbCalls[sel.Sel.Name] {
				return true
			}
			calls++
			if isBlank(as.Lhs[len(as.Lhs)-1]) && !isBlank(as.Lhs[0]) {
				t.Errorf("%s: the error of %s is dropped; handle it", f.fset.Position(as.Pos()), sel.Sel.Name)
			}
			return true
		})
	}
	if calls < 50 {
		t.Fatalf("found only %d database calls: the scan is broken", calls)
	}
}

func isBlank(e ast.Expr) bool {
	id, ok := e.(*ast.Ident)
	return ok && id.Name == "_"
}
