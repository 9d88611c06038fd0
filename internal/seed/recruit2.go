package seed

import (
	"context"
	"fmt"
)

// pipelineLogin is the demo account of a person in the recruitment
// pipeline: 褚航, the probationary member whose probation ends within 30
// days, who reads their own file at /recruitment/{id} from /me (issue 20).
const pipelineLogin = "probationer"

// recruit2 gives the pipeline person their demo account (the member role,
// no scope: they read only their own records).
func (g *gen) recruit2(ctx context.Context) error {
	var id int64
	err := g.tx.QueryRow(ctx, `
INSERT INTO accounts (username, display_name, password_hash, member_id, must_change_password, demo)
SELECT $1, m.name, $3, m.id, false, true FROM members m WHERE m.branch_id = $2 AND m.name = '褚航' AND m.category = 'probationary'
RETURNING id`, pipelineLogin, g.branches[0].id, g.hash).Scan(&id)
	if err != nil {
		return fmt.Errorf("recruit2: account: %w", err)
	}
	if _, err := g.tx.Exec(ctx, `INSERT INTO account_roles (account_id, role) VALUES ($1, 'member')`, id); err != nil {
		return fmt.Errorf("recruit2: role: %w", err)
	}
	return nil
}
