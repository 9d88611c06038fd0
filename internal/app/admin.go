package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"zhibu/internal/admin"
	"zhibu/internal/audit"
)

// cliActor is the actor of the audit rows the command line writes.
const cliActor = "zhibu command line"

// adminCmd runs "zhibu admin create --role R --username U --name N": the
// first account of an administrator role, with a one-time password.
func adminCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("admin create", env, stderr, &cfg)
	role := fs.String("role", "", "sysadmin (accounts), secadmin (roles and security settings) or auditadmin (audit trail)")
	username := fs.String("username", "", "the sign-in name: 3 to 32 of a-z, 0-9, _ . -")
	name := fs.String("name", "", "the person's name as pages show it")
	fs.Usage = UsageFunc(fs, `Usage: zhibu admin create --role sysadmin|secadmin|auditadmin --username U --name N [flags]

Creates the first account of one of the three administrator roles (三员分立) on a
new install and prints its one-time password, which must be changed at the first
sign-in (administrators then enrol a second factor). Run it once per role: it
refuses a role that an account already holds; after that, the system
administrator creates accounts and the security administrator grants roles in
the application. Each creation is written to the audit trail.`, "")
	if len(args) == 0 || args[0] != "create" {
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			fs.Usage()
			return nil
		}
		fs.Usage()
		return errors.New("admin: say create")
	}
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("admin create: unexpected %q", fs.Arg(0))
	}
	if *role == "" || *username == "" || *name == "" {
		fs.Usage()
		return errors.New("admin create: --role, --username and --name are required")
	}
	pool, closeDB, err := OpenPool(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	ctx = audit.WithActor(ctx, audit.Actor{Name: cliActor})
	a, err := admin.CreateFirstAdmin(ctx, pool, *role, *username, *name)
	if errors.Is(err, admin.ErrAdminExists) {
		return fmt.Errorf("admin create: an account already holds the %s role; create further accounts in the application (the system administrator creates them, the security administrator grants roles)", *role)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "created %s account %q (id %d)\none-time password: %s\nGive it to the person in person; it must be changed at the first sign-in.\n", a.Role, a.Username, a.ID, a.Password)
	return nil
}
