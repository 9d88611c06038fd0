package admin

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/audit"
	"zhibu/internal/auth"
)

// ErrAdminExists means an account already holds the administrator role
// that the command line was asked to create: from then on, that
// administrator's colleagues create and grant accounts in the application.
var ErrAdminExists = errors.New("admin: an account already holds this administrator role")

// ErrBadFirstAdmin means the role, username or name given for a first
// administrator is not acceptable; the error says which.
var ErrBadFirstAdmin = errors.New("admin: invalid first administrator")

// FirstAdmin is an administrator created from the command line.
type FirstAdmin struct {
	ID       int64
	Username string
	Role     string
	// Password is the one-time password, shown once; the account must
	// change it at its first sign-in.
	Password string
}

// CreateFirstAdmin creates the first account of one of the three
// administrator roles (sysadmin, secadmin, auditadmin) on an install where
// no account holds that role yet, with a random one-time password that
// must be changed at first sign-in. It is how an install with an empty
// accounts table gets the administrators who then do everything else in
// the application (三员分立: one account per role, none holding two). The
// account and its role are written with their audit rows, whose actor is
// the context's (the command line), in one transaction; ErrAdminExists
// when the role is already held.
func CreateFirstAdmin(ctx context.Context, pool *pgxpool.Pool, role, username, name string) (FirstAdmin, error) {
	username = strings.ToLower(strings.TrimSpace(username))
	name = strings.TrimSpace(name)
	switch {
	case !isAdminRole(role):
		return FirstAdmin{}, fmt.Errorf("%w: role %q: want sysadmin, secadmin or auditadmin", ErrBadFirstAdmin, role)
	case !usernameRE.MatchString(username):
		return FirstAdmin{}, fmt.Errorf("%w: username %q: 3 to 32 of a-z, 0-9, _ . -", ErrBadFirstAdmin, username)
	case !utf8.ValidString(name) || utf8.RuneCountInString(name) < 1 || utf8.RuneCountInString(name) > 50:
		return FirstAdmin{}, fmt.Errorf("%w: name: 1 to 50 characters", ErrBadFirstAdmin)
	}
	settings, err := auth.LoadSettings(ctx, pool)
	if err != nil {
		return FirstAdmin{}, err
	}
	password, err := OneTimePassword(settings, username)
	if err != nil {
		return FirstAdmin{}, err
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return FirstAdmin{}, err
	}
	a := FirstAdmin{Username: username, Role: role, Password: password}
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// Two commands run at once for the same role: the second waits
		// here and then sees the first one's account.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(hashtext('zhibu.first_admin'))`); err != nil {
			return err
		}
		var held bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM account_roles WHERE role = $1)`, role).Scan(&held); err != nil {
			return err
		}
		if held {
			return ErrAdminExists
		}
		var err error
		if a.ID, err = auth.CreateAccount(ctx, tx, username, name, hash, nil); err != nil {
			return err
		}
		if err := audit.Record(ctx, tx, audit.Event{Action: "account.created", Entity: "account", EntityID: a.ID,
			After: map[string]any{"username": username, "display_name": name, "member_id": nil, "must_change_password": true}}); err != nil {
			return err
		}
		if err := auth.GrantRole(ctx, tx, a.ID, role, nil); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "role.granted", Entity: "account", EntityID: a.ID,
			After: map[string]any{"username": username, "roles": []string{role}}})
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		return FirstAdmin{}, fmt.Errorf("%w: username %q is taken", ErrBadFirstAdmin, username)
	}
	if err != nil {
		return FirstAdmin{}, fmt.Errorf("admin: create first %s %q: %w", role, username, err)
	}
	return a, nil
}

// oneTimeAlphabet leaves out characters that are easily misread (0 O 1 l I).
const oneTimeAlphabet = "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"

// OneTimePassword returns a random password that meets the password
// policy: groups of five letters and digits joined by hyphens (the
// hyphen is the symbol the policy asks for), at least 23 characters.
func OneTimePassword(settings auth.Settings, username string) (string, error) {
	groups := max(4, (settings.PasswordMinLength+6)/6)
	for range 100 {
		var b strings.Builder
		for g := range groups {
			if g > 0 {
				b.WriteByte('-')
			}
			for range 5 {
				n, err := rand.Int(rand.Reader, big.NewInt(int64(len(oneTimeAlphabet))))
				if err != nil {
					return "", fmt.Errorf("admin: one-time password: %w", err)
				}
				b.WriteByte(oneTimeAlphabet[n.Int64()])
			}
		}
		if p := b.String(); settings.PasswordProblem(p, username) == "" {
			return p, nil
		}
	}
	return "", errors.New("admin: could not draw a one-time password that meets the policy")
}
