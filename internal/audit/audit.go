// Package audit writes and reads the append-only audit trail: who did
// what to which record, when, from where, with the values before and after.
package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"zhibu/internal/db"
)

// Actor is who acts in a request; the auth middleware puts it in the context.
type Actor struct {
	ID   int64
	Name string
	Role string
	IP   string
}

type actorKey struct{}

// WithActor returns a context naming the acting person.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorOf returns the acting person of the context (zero when anonymous).
func ActorOf(ctx context.Context) Actor {
	a, _ := ctx.Value(actorKey{}).(Actor)
	return a
}

// Outcomes of an audited action.
const (
	OK     = "ok"
	Denied = "denied"
	Failed = "failed"
)

// Event is one audit record. Before and After are marshalled to JSON;
// callers mask sensitive fields before passing them.
type Event struct {
	Action   string
	Entity   string
	EntityID int64
	Before   any
	After    any
	Outcome  string
}

const insertSQL = `
INSERT INTO audit_events (actor_id, actor, role, ip, action, entity, entity_id, before, after, outcome)
VALUES (NULLIF($1, 0), $2, $3, $4, $5, $6, NULLIF($7, 0), $8, $9, $10)`

// Record writes e with the context's actor, in q's transaction when q is one,
// so that the audit row and the change it describes commit together.
func Record(ctx context.Context, q db.Querier, e Event) error {
	a := ActorOf(ctx)
	before, err := toJSON(e.Before)
	if err != nil {
		return fmt.Errorf("audit: before: %w", err)
	}
	after, err := toJSON(e.After)
	if err != nil {
		return fmt.Errorf("audit: after: %w", err)
	}
	outcome := e.Outcome
	if outcome == "" {
		outcome = OK
	}
	if _, err := q.Exec(ctx, insertSQL, a.ID, a.Name, a.Role, a.IP, e.Action, e.Entity, e.EntityID, before, after, outcome); err != nil {
		return fmt.Errorf("audit: record %s: %w", e.Action, err)
	}
	return nil
}

func toJSON(v any) ([]byte, error) {
	if v == nil {
		return nil, nil
	}
	return json.Marshal(v)
}
