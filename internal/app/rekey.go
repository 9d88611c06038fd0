package app

import (
	"context"
	"errors"
	"fmt"
	"io"

	"zhibu/internal/audit"
	"zhibu/internal/pii"
)

// rekeyCmd runs "zhibu rekey": every sealed field under the old data key
// is resealed under the new one.
func rekeyCmd(ctx context.Context, args []string, env Env, stdout, stderr io.Writer) error {
	var cfg Config
	fs := DBFlags("rekey", env, stderr, &cfg)
	batch := fs.Int("batch", 500, "rows resealed in one transaction")
	fs.Usage = UsageFunc(fs, `Usage: zhibu rekey [--batch N] [flags]

Rotates the data key: reseals every ID number, phone number and TOTP secret
that is still under the old key (ZHIBU_OLD_DATA_KEY) under the new one
(ZHIBU_DATA_KEY) and recomputes the ID numbers' lookup hashes, in batches.
Interrupted, it can be run again and goes on where it stopped. At the end it
checks that the new key alone opens every sealed value: then the old key is
no longer needed by the database (older backups still need it).
Servers keep running during the rotation if they are restarted first with
both variables set (they then seal under the new key and read both).
docs/operations.md has the whole procedure.`,
		`Environment:
  ZHIBU_DATA_KEY       the new data key (64 hexadecimal digits; openssl rand -hex 32)
  ZHIBU_OLD_DATA_KEY   the key being replaced
`)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if v, ok := env("ZHIBU_OLD_DATA_KEY"); !ok || v == "" {
		return errors.New("rekey: set ZHIBU_OLD_DATA_KEY to the key being replaced and ZHIBU_DATA_KEY to the new one")
	}
	if v, ok := env("ZHIBU_DATA_KEY"); !ok || v == "" {
		return errors.New("rekey: set ZHIBU_DATA_KEY to the new key (openssl rand -hex 32)")
	}
	seal, err := Sealer(cfg, env, false)
	if err != nil {
		return err
	}
	pool, closeDB, err := OpenPool(ctx, cfg, stderr)
	if err != nil {
		return err
	}
	defer closeDB()
	st, err := pii.Rekey(ctx, pool, seal, pii.RekeyOptions{BatchSize: *batch, Progress: func(st pii.RekeyStats) {
		fmt.Fprintf(stderr, "rekey: %d members read, %d resealed; %d accounts read, %d resealed\n", st.Members, st.MembersResealed, st.Accounts, st.AccountsResealed)
	}})
	// The run is audited however it ended (an interrupted one included).
	outcome := audit.OK
	if err != nil {
		outcome = audit.Failed
	}
	actx := audit.WithActor(context.WithoutCancel(ctx), audit.Actor{Name: cliActor})
	if aerr := audit.Record(actx, pool, audit.Event{Action: "data_key.rekey", Entity: "data_key", Outcome: outcome,
		After: map[string]any{"key_id": seal.KeyID(), "members_resealed": st.MembersResealed, "accounts_resealed": st.AccountsResealed, "changed_meanwhile": st.Changed}}); aerr != nil && err == nil {
		err = aerr
	}
	if err != nil {
		return fmt.Errorf("rekey (run it again to go on): %w", err)
	}
	fmt.Fprintf(stdout, "data key rotated to %s: %d members and %d accounts resealed; the new key alone opens every sealed value.\nRemove ZHIBU_OLD_DATA_KEY from the servers' environment and restart them; keep the old key in escrow as long as backups made before the rotation are kept.\n",
		seal.KeyID(), st.MembersResealed, st.AccountsResealed)
	return nil
}
