package formtoken

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/dbtest"
)

func TestMain(m *testing.M) { dbtest.Main(m) }

func TestClaimOnceThenFindTheRecord(t *testing.T) {
	pool := dbtest.New(t)
	var account, other int64
	for _, name := range []string{"ft_a", "ft_b"} {
		var id int64
		if err := pool.QueryRow(context.Background(), `INSERT INTO accounts (username, display_name, password_hash) VALUES ($1, $1, 'x') RETURNING id`, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		if account == 0 {
			account = id
		} else {
			other = id
		}
	}
	ctx := audit.WithActor(context.Background(), audit.Actor{ID: account})
	claim := func(ctx context.Context, token, form string, create int64) (id int64, done bool, err error) {
		err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
			id, done, err = Claim(ctx, tx, token, form)
			if err != nil || done {
				return err
			}
			return Done(ctx, tx, token, create)
		})
		return id, done, err
	}
	tok := New()
	if !Valid(tok) || Valid("x") || Valid(tok+"0") || New() == tok {
		t.Fatalf("tokens: %q", tok)
	}
	if _, done, err := claim(ctx, tok, "meeting", 41); done || err != nil {
		t.Fatalf("first claim: done %v, %v", done, err)
	}
	if id, done, err := claim(ctx, tok, "meeting", 42); !done || id != 41 || err != nil {
		t.Errorf("second claim: %d, done %v, %v; want the first record 41", id, done, err)
	}
	if _, _, err := claim(ctx, tok, "talk", 43); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("the token on another form: %v, want a conflict", err)
	}
	if _, _, err := claim(audit.WithActor(ctx, audit.Actor{ID: other}), tok, "meeting", 44); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("the token from another account: %v, want a conflict", err)
	}
	for _, bad := range []string{"", "not-a-token"} {
		if _, done, err := claim(ctx, bad, "meeting", 45); done || err != nil {
			t.Errorf("token %q: done %v, %v; want no claim", bad, done, err)
		}
	}
}
