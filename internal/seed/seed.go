// Package seed loads the demo data set: one agency committee with its
// branches, about 150 members, a year of meetings with attendance and
// study hours, a democratic-life meeting, commendations and the demo
// accounts. Loading is idempotent.
package seed

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/auth"
	"zhibu/internal/i18n"
	"zhibu/internal/pii"
)

// DemoPassword is the password of every demo account.
const DemoPassword = "Zhibu@2026"

// DemoLogin is one demo account.
type DemoLogin struct {
	Username string
	Role     auth.Role
}

// DemoLogins lists the demo accounts.
var DemoLogins = []DemoLogin{
	{"admin", auth.RoleSysAdmin},
	{"reviewer", auth.RoleReviewer},
	{"secretary", auth.RoleSecretary},
	{"member", auth.RoleMember},
	{"security", auth.RoleSecAdmin},
	{"auditor", auth.RoleAuditAdmin},
	{pipelineLogin, auth.RoleMember}, // recruit2: a probationary member's own recruitment file
}

// DemoLoginsText is the one-line list printed at start.
func DemoLoginsText() string {
	var parts []string
	for _, l := range DemoLogins {
		parts = append(parts, fmt.Sprintf("%s (%s)", l.Username, i18n.TL(i18n.EN, "role."+string(l.Role))))
	}
	return strings.Join(parts, ", ")
}

const demoCode = "demo"

// HasDemo reports whether the demo data set is loaded.
func HasDemo(ctx context.Context, pool *pgxpool.Pool) (bool, error) {
	var ok bool
	err := pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE code = $1)`, demoCode).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("seed: check demo: %w", err)
	}
	return ok, nil
}

// DemoIfEmpty loads the demo data only into a database with no organisation.
func DemoIfEmpty(ctx context.Context, pool *pgxpool.Pool, sealer *pii.Sealer) (bool, error) {
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM organisations`).Scan(&n); err != nil {
		return false, fmt.Errorf("seed: count organisations: %w", err)
	}
	if n > 0 {
		return false, nil
	}
	return Demo(ctx, pool, sealer)
}

// Demo loads the demo data set in one transaction unless it is already
// there. It reports whether it loaded anything.
func Demo(ctx context.Context, pool *pgxpool.Pool, sealer *pii.Sealer) (bool, error) {
	return load(ctx, pool, sealer, false)
}

// Core loads only the part of the demo data that the first schema
// (migrations 1–3) holds, so it can be loaded at any older version.
func Core(ctx context.Context, pool *pgxpool.Pool, sealer *pii.Sealer) (bool, error) {
	return load(ctx, pool, sealer, true)
}

func load(ctx context.Context, pool *pgxpool.Pool, sealer *pii.Sealer, coreOnly bool) (bool, error) {
	hash, err := auth.HashPassword(ctx, DemoPassword)
	if err != nil {
		return false, err
	}
	loaded := false
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		// One loader at a time; the second finds the data present.
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock(7410001)`); err != nil {
			return err
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM organisations WHERE code = $1)`, demoCode).Scan(&exists); err != nil {
			return err
		}
		if exists {
			return nil
		}
		g := &gen{tx: tx, rnd: rand.New(rand.NewPCG(2026, 71)), sealer: sealer, today: today(), hash: hash, coreOnly: coreOnly}
		if err := g.run(ctx); err != nil {
			return err
		}
		loaded = true
		return nil
	})
	if err != nil {
		return false, fmt.Errorf("seed: demo: %w", err)
	}
	return loaded, nil
}

func today() time.Time {
	n := time.Now().In(i18n.Shanghai)
	return time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, time.UTC)
}
