// Package formtoken makes create forms idempotent. A form carries a
// one-time token in a hidden field, issued when the form is rendered
// (random, so rendering writes nothing); the transaction that creates the
// record claims the token and notes the record's id. The same form sent
// again, even at the same moment, finds its token claimed, creates nothing
// and is sent to the record the first post created.
//
// A handler puts New() into the form's hidden Field (keeping the posted
// token when it re-renders the form with errors); the store, inside its
// transaction and before its insert, calls Claim, and after the insert
// Done.
package formtoken

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"regexp"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/db"
)

// Field is the name of the hidden input that carries the token.
const Field = "form_token"

// New returns a fresh token.
func New() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return hex.EncodeToString(b)
}

var valid = regexp.MustCompile(`^[0-9a-f]{32}$`)

// Valid reports whether s has a token's shape; a form posted without one
// (or with something else) creates its record without this protection.
func Valid(s string) bool { return valid.MatchString(s) }

const claimSQL = `
INSERT INTO form_tokens (token, form, account_id) VALUES ($1, $2, NULLIF($3, 0))
ON CONFLICT (token) DO NOTHING`

const earlierSQL = `SELECT form, coalesce(account_id, 0), record_id FROM form_tokens WHERE token = $1`

// Claim takes the token for form inside tx, the transaction that is about
// to create the record. When the token was claimed before, it returns
// done = true and the id of the record then created: the caller creates
// nothing and sends the user there. A post that comes while the first is
// still being saved waits for it (the token's key), then finds it. An
// empty or malformed token claims nothing (done = false).
func Claim(ctx context.Context, tx db.Querier, token, form string) (recordID int64, done bool, err error) {
	if !Valid(token) {
		return 0, false, nil
	}
	account := audit.ActorOf(ctx).ID
	tag, err := tx.Exec(ctx, claimSQL, token, form, account)
	if err != nil {
		return 0, false, fmt.Errorf("formtoken: claim: %w", err)
	}
	if tag.RowsAffected() == 1 {
		if mrand.IntN(100) == 0 {
			if _, err := tx.Exec(ctx, `DELETE FROM form_tokens WHERE created_at < now() - interval '1 day'`); err != nil {
				return 0, false, fmt.Errorf("formtoken: sweep: %w", err)
			}
		}
		return 0, false, nil
	}
	var gotForm string
	var gotAccount int64
	var rec *int64
	err = tx.QueryRow(ctx, earlierSQL, token).Scan(&gotForm, &gotAccount, &rec)
	if errors.Is(err, pgx.ErrNoRows) {
		// Swept between the two statements: long past, so refuse.
		return 0, false, fmt.Errorf("formtoken: %s: token expired: %w", form, apperr.ErrConflict)
	}
	if err != nil {
		return 0, false, fmt.Errorf("formtoken: earlier: %w", err)
	}
	if gotForm != form || gotAccount != account || rec == nil {
		return 0, false, fmt.Errorf("formtoken: %s: token of another form or account: %w", form, apperr.ErrConflict)
	}
	return *rec, true, nil
}

// Done notes the record created under the token, in the same transaction.
func Done(ctx context.Context, tx db.Querier, token string, recordID int64) error {
	if !Valid(token) {
		return nil
	}
	if _, err := tx.Exec(ctx, `UPDATE form_tokens SET record_id = $2 WHERE token = $1`, token, recordID); err != nil {
		return fmt.Errorf("formtoken: done: %w", err)
	}
	return nil
}
