package backup

import (
	"context"
	"slices"
	"strings"
	"testing"
)

func TestThePasswordStaysOffTheCommandLine(t *testing.T) {
	const pw = `s3cret p@ss/w'rd`
	for _, tc := range []struct{ conn, want, password string }{
		{"postgres://zhibu:s3cret%20p%40ss%2Fw%27rd@db.internal:5432/zhibu?sslmode=verify-full", "postgres://zhibu@db.internal:5432/zhibu?sslmode=verify-full", pw},
		{"postgresql://zhibu@db.internal/zhibu?password=s3cret+p%40ss%2Fw%27rd&sslmode=require", "postgresql://zhibu@db.internal/zhibu?sslmode=require", pw},
		{`host=db.internal user=zhibu password='s3cret p@ss/w\'rd' dbname=zhibu sslmode=verify-full`, "host=db.internal user=zhibu dbname=zhibu sslmode=verify-full", pw},
		{"host=db.internal password=plain dbname='my db'", "host=db.internal dbname='my db'", "plain"},
		{"postgres://postgres@127.0.0.1:5432/zhibu", "postgres://postgres@127.0.0.1:5432/zhibu", ""},
	} {
		cmd, err := clientCommand(context.Background(), "/usr/bin/pg_dump", tc.conn, "--format=custom")
		if err != nil {
			t.Fatalf("%s: %v", tc.conn, err)
		}
		for _, a := range cmd.Args {
			if tc.password != "" && (strings.Contains(a, tc.password) || strings.Contains(a, "s3cret") || strings.Contains(a, "plain")) {
				t.Errorf("%s: the password is on the command line: %q", tc.conn, cmd.Args)
			}
		}
		if !slices.Contains(cmd.Args, "--dbname="+tc.want) {
			t.Errorf("%s: args %q, want --dbname=%s", tc.conn, cmd.Args, tc.want)
		}
		var env []string
		for _, e := range cmd.Env {
			if strings.HasPrefix(e, "PGPASSWORD=") {
				env = append(env, e)
			}
		}
		switch {
		case tc.password != "" && (len(env) == 0 || env[len(env)-1] != "PGPASSWORD="+tc.password):
			t.Errorf("%s: child environment has %q, want PGPASSWORD=%s last", tc.conn, env, tc.password)
		case tc.password == "" && len(env) > 0 && strings.Contains(strings.Join(env, ""), "s3cret"):
			t.Errorf("%s: unexpected PGPASSWORD %q", tc.conn, env)
		}
	}
	if _, err := clientCommand(context.Background(), "pg_dump", "host=x password='unterminated", "--format=custom"); err == nil {
		t.Error("an unterminated quote was accepted")
	}
}

func TestClientMajorVersionMustMatchTheServer(t *testing.T) {
	for _, tc := range []struct {
		out, server string
		ok          bool
	}{
		{"pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)\n", "15", true},
		{"pg_dump (PostgreSQL) 16.4\n", "15", false},
		{"pg_dump (PostgreSQL) 14.2\n", "15", false},
		{"pg_dump (PostgreSQL) 17beta1\n", "17", true},
		{"pg_dump (PostgreSQL) 9.6.24\n", "9.6", true},
		{"pg_dump (PostgreSQL) 9.5.1\n", "9.6", false},
		{"something else\n", "15", false},
	} {
		err := checkMajor("pg_dump", tc.out, tc.server)
		if (err == nil) != tc.ok {
			t.Errorf("checkMajor(%q, %s) = %v, want ok=%v", tc.out, tc.server, err, tc.ok)
		}
		if err != nil && tc.out != "something else\n" && !strings.Contains(err.Error(), "postgresql-client-"+tc.server) {
			t.Errorf("the refusal does not say what to install: %v", err)
		}
	}
	for num, want := range map[int]string{150018: "15", 170000: "17", 90624: "9.6", 100023: "10"} {
		if got := majorOfNum(num); got != want {
			t.Errorf("majorOfNum(%d) = %s, want %s", num, got, want)
		}
	}
}
