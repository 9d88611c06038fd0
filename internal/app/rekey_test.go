package app

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/member"
	"zhibu/internal/pii"
)

func mustSealer(t *testing.T, key string, old ...string) *pii.Sealer {
	t.Helper()
	k, err := pii.ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	var prev [][]byte
	for _, o := range old {
		p, err := pii.ParseKey(o)
		if err != nil {
			t.Fatal(err)
		}
		prev = append(prev, p)
	}
	s, err := pii.New(k, prev...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// TestDataKeyRotation seals the demo data under key A, rotates to key B
// and is interrupted after one batch, reads every record in the middle,
// then resumes: at the end key B alone opens everything.
func TestDataKeyRotation(t *testing.T) {
	app := apptest.New(t) // the demo data, sealed under apptest.TestKey
	ctx := t.Context()
	keyA, keyB := apptest.TestKey, pii.NewKey()
	a, b, rotating := mustSealer(t, keyA), mustSealer(t, keyB), mustSealer(t, keyB, keyA)

	// An enrolled and a pending TOTP secret, sealed under A as the server seals them.
	secret := base64.StdEncoding.EncodeToString(a.Seal("JBSWY3DPEHPK3PXP"))
	if _, err := app.Pool.Exec(ctx, `UPDATE accounts SET totp_secret = $1, totp_enabled_at = now() WHERE username = 'admin'`, secret); err != nil {
		t.Fatal(err)
	}
	if _, err := app.Pool.Exec(ctx, `UPDATE accounts SET totp_pending = $1 WHERE username = 'reviewer'`, secret); err != nil {
		t.Fatal(err)
	}
	var total int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM members WHERE id_number_enc IS NOT NULL`).Scan(&total); err != nil || total < 50 {
		t.Fatalf("demo members with an ID number: %d %v", total, err)
	}
	if n, err := pii.Unreadable(ctx, app.Pool, b); err != nil || n != total+2 {
		t.Fatalf("before: %d rows unreadable under B, want %d (%v)", n, total+2, err)
	}

	// Interrupted after the first batch of 20.
	cctx, cancel := context.WithCancel(ctx)
	batches := 0
	_, err := pii.Rekey(cctx, app.Pool, rotating, pii.RekeyOptions{BatchSize: 20, Progress: func(pii.RekeyStats) {
		batches++
		cancel()
	}})
	if !errors.Is(err, context.Canceled) || batches != 1 {
		t.Fatalf("interrupted rotation: %v after %d batches", err, batches)
	}
	underB, err := pii.Unreadable(ctx, app.Pool, a)
	if err != nil || underB == 0 || underB >= total {
		t.Fatalf("half way: %d rows under B of %d (%v)", underB, total, err)
	}

	// Half way, a server with both keys reads every member, and finds a
	// member by ID number whether the row was resealed or not.
	if n, err := pii.Unreadable(ctx, app.Pool, rotating); err != nil || n != 0 {
		t.Fatalf("half way, %d rows unreadable with both keys (%v)", n, err)
	}
	store := member.NewStore(app.Pool, rotating)
	var first, last int64
	if err := app.Pool.QueryRow(ctx, `SELECT min(id), max(id) FROM members WHERE id_number_enc IS NOT NULL`).Scan(&first, &last); err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{first, last} {
		m, err := store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		idNumber, _, err := store.Open(m)
		if err != nil || idNumber == "" {
			t.Fatalf("member %d half way: %q %v", id, idNumber, err)
		}
		if taken, err := store.IDNumberTaken(ctx, idNumber, 0); err != nil || !taken {
			t.Errorf("member %d's ID number not found by its hash half way: %v %v", id, taken, err)
		}
	}

	// Resumed from the command line.
	env := envOf(map[string]string{"DATABASE_URL": app.DBURL, "ZHIBU_DATA_KEY": keyB, "ZHIBU_OLD_DATA_KEY": keyA, "ZHIBU_DATA_DIR": t.TempDir()})
	var out, errb bytes.Buffer
	if err := Run(ctx, []string{"rekey", "--batch", "25"}, env, &out, &errb); err != nil {
		t.Fatalf("rekey: %v\n%s", err, errb.String())
	}
	if !strings.Contains(out.String(), "data key rotated to "+b.KeyID()) {
		t.Errorf("rekey said %q", out.String())
	}
	// B alone opens everything; A opens nothing any more.
	if n, err := pii.Unreadable(ctx, app.Pool, b); err != nil || n != 0 {
		t.Errorf("after: %d rows unreadable under B alone (%v)", n, err)
	}
	if n, err := pii.Unreadable(ctx, app.Pool, a); err != nil || n != total+2 {
		t.Errorf("after: %d rows unreadable under A, want all %d", n, total+2)
	}
	m, err := member.NewStore(app.Pool, b).Get(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if id, _, err := member.NewStore(app.Pool, b).Open(m); err != nil || id == "" {
		t.Errorf("member %d under B alone: %q %v", first, id, err)
	}
	var actor string
	if err := app.Pool.QueryRow(ctx, `SELECT actor FROM audit_events WHERE action = 'data_key.rekey' AND outcome = 'ok'`).Scan(&actor); err != nil || actor != cliActor {
		t.Errorf("audit of the rotation: %q %v", actor, err)
	}

	// Run again, it has nothing left to do; without the old key it refuses.
	out.Reset()
	if err := Run(ctx, []string{"rekey"}, env, &out, &errb); err != nil || !strings.Contains(out.String(), "0 members and 0 accounts resealed") {
		t.Errorf("second run: %v %q", err, out.String())
	}
	noOld := envOf(map[string]string{"DATABASE_URL": app.DBURL, "ZHIBU_DATA_KEY": keyB})
	if err := Run(ctx, []string{"rekey"}, noOld, &out, &errb); err == nil || !strings.Contains(err.Error(), "ZHIBU_OLD_DATA_KEY") {
		t.Errorf("rekey without the old key: %v", err)
	}
}

// TestRekeyStopsAtAValueNoKeyOpens: a value sealed under a third key is
// reported, not overwritten.
func TestRekeyStopsAtAValueNoKeyOpens(t *testing.T) {
	app := apptest.New(t)
	ctx := t.Context()
	stranger := mustSealer(t, pii.NewKey())
	if _, err := app.Pool.Exec(ctx, `UPDATE members SET phone_enc = $1 WHERE id = (SELECT max(id) FROM members)`, stranger.Seal("13900000000")); err != nil {
		t.Fatal(err)
	}
	_, err := pii.Rekey(ctx, app.Pool, mustSealer(t, pii.NewKey(), apptest.TestKey), pii.RekeyOptions{})
	if !errors.Is(err, pii.ErrNoKeyOpens) {
		t.Fatalf("got %v, want ErrNoKeyOpens", err)
	}
}
