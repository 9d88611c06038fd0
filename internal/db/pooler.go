package db

import (
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// ForPgBouncer makes a pool work behind PgBouncer in transaction mode
// (ZHIBU_PGBOUNCER=1): consecutive transactions of one pool connection may
// run on different server connections there, so nothing may rely on a
// server connection's own state. pgx's default keeps named prepared
// statements per connection, which live on one server connection only;
// this mode (QueryExecModeCacheDescribe) sends every statement as the
// unnamed statement, parsed, bound and executed in one round trip, with
// the parameter and result types it learnt by describing the statement
// once (a description is the same on every server connection). pgx's
// QueryExecModeExec would guess the types from the Go values instead,
// which fails on Zhibu's jsonb parameters.
//
// The rest of Zhibu keeps no session state across transactions: settings
// are SET LOCAL (or connection start-up parameters, which PgBouncer tracks:
// application_name, TimeZone), advisory locks are transaction-level
// (pg_advisory_xact_lock), and LISTEN runs on a direct connection to the
// primary (DATABASE_DIRECT_URL), never through the pooler. A URL's own
// default_query_exec_mode parameter, when given, wins.
func ForPgBouncer(on bool) PoolOption {
	return func(cfg *pgxpool.Config) {
		if !on {
			return
		}
		if !strings.Contains(cfg.ConnString(), "default_query_exec_mode") {
			cfg.ConnConfig.DefaultQueryExecMode = pgx.QueryExecModeCacheDescribe
		}
		cfg.ConnConfig.StatementCacheCapacity = 0
	}
}

// Named sets the application_name a pool's connections show in
// pg_stat_activity ("zhibu" by default), so an operator tells the primary's,
// the replicas' and the listener's connections apart.
func Named(name string) PoolOption {
	return func(cfg *pgxpool.Config) {
		cfg.ConnConfig.RuntimeParams["application_name"] = name
	}
}
