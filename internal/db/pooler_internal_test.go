package db

import (
	"testing"

	"github.com/jackc/pgx/v5"
)

// Behind PgBouncer no statement is prepared on a server connection; a
// URL's own default_query_exec_mode wins; off changes nothing.
func TestForPgBouncer(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		url  string
		on   bool
		want pgx.QueryExecMode
		keep bool // statement cache kept
	}{
		{"postgres://u@h/db", false, pgx.QueryExecModeCacheStatement, true},
		{"postgres://u@h/db", true, pgx.QueryExecModeCacheDescribe, false},
		{"postgres://u@h/db?default_query_exec_mode=simple_protocol", true, pgx.QueryExecModeSimpleProtocol, false},
	} {
		cfg, err := poolConfig(c.url, ForPgBouncer(c.on))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.ConnConfig.DefaultQueryExecMode; got != c.want {
			t.Errorf("%s on=%v: mode %v, want %v", c.url, c.on, got, c.want)
		}
		if kept := cfg.ConnConfig.StatementCacheCapacity > 0; kept != c.keep {
			t.Errorf("%s on=%v: statement cache %d", c.url, c.on, cfg.ConnConfig.StatementCacheCapacity)
		}
		if cfg.ConnConfig.RuntimeParams["application_name"] != "zhibu" {
			t.Errorf("application_name %q", cfg.ConnConfig.RuntimeParams["application_name"])
		}
	}
}
