package pii

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// The sealed columns, and what each holds:
//
//	members.id_number_enc   Seal(ID number)       members.id_number_hash  Hash(ID number)
//	members.phone_enc       Seal(phone number)
//	accounts.totp_secret    base64(Seal(secret))  accounts.totp_pending   base64(Seal(secret))
//
// A rotation reseals each under the new key and recomputes the hash. The
// packages that own these tables write them through the same Sealer, so
// while a rotation runs (servers started with the new key as current and
// the old one as previous) every new value is sealed under the new key.

// RekeyOptions tunes a rotation.
type RekeyOptions struct {
	// BatchSize is the number of rows read and resealed in one
	// transaction (default 500).
	BatchSize int
	// Progress, when set, is called after each batch has committed.
	Progress func(RekeyStats)
}

// RekeyStats counts what a rotation saw and did.
type RekeyStats struct {
	Members          int // member rows read
	MembersResealed  int // member rows resealed under the current key
	Accounts         int // accounts with a TOTP secret read
	AccountsResealed int // accounts resealed under the current key
	// Changed counts rows that were edited between being read and being
	// resealed: the edit sealed them under the current key already (or the
	// final check says otherwise).
	Changed int
}

// ErrStillUnderPrevious means that after the pass some values are still
// sealed under a previous key: a server still seals with it (it was not
// restarted with the new key), or a row changed during the pass.
var ErrStillUnderPrevious = errors.New("pii: some values are still sealed under a previous data key")

// Rekey reseals every sealed field that is still under one of s's previous
// keys under its current key, and recomputes the keyed hashes, in batches
// of rows ordered by id, each batch in its own transaction. It can be
// interrupted at any point and run again: a value already under the
// current key is recognised (it opens under that key) and left alone. A
// value sealed under none of the keys stops it with ErrNoKeyOpens. At the
// end it checks, with the current key alone, that every value opens: then
// the previous key is no longer needed.
func Rekey(ctx context.Context, pool *pgxpool.Pool, s *Sealer, opt RekeyOptions) (RekeyStats, error) {
	if opt.BatchSize <= 0 {
		opt.BatchSize = 500
	}
	var st RekeyStats
	type batchFunc func(context.Context, *pgxpool.Pool, *Sealer, int64, int, *RekeyStats) (int64, bool, error)
	for _, batch := range []batchFunc{rekeyMembers, rekeyAccounts} {
		for after := int64(0); ; {
			last, done, err := batch(ctx, pool, s, after, opt.BatchSize, &st)
			if err != nil {
				return st, err
			}
			if opt.Progress != nil {
				opt.Progress(st)
			}
			if done {
				break
			}
			after = last
		}
	}
	left, err := Unreadable(ctx, pool, s.Current())
	if err != nil {
		return st, err
	}
	if left > 0 {
		return st, fmt.Errorf("%w: %d rows; restart every zhibu server with the new ZHIBU_DATA_KEY and run the rotation again", ErrStillUnderPrevious, left)
	}
	return st, nil
}

// rekeyMembers reseals one batch of members after the id after; done when
// it was the last.
func rekeyMembers(ctx context.Context, pool *pgxpool.Pool, s *Sealer, after int64, size int, st *RekeyStats) (last int64, done bool, err error) {
	var ids []int64
	var oldID, oldPhone, newID, newPhone, newHash [][]byte
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `SELECT id, id_number_enc, phone_enc, id_number_hash FROM members WHERE id > $1 ORDER BY id LIMIT $2`, after, size)
		if err != nil {
			return err
		}
		n := 0
		var id int64
		var idEnc, phoneEnc, hash []byte
		_, err = pgx.ForEachRow(rows, []any{&id, &idEnc, &phoneEnc, &hash}, func() error {
			n++
			last = id
			idNumber, idCurrent, err := s.OpenKey(idEnc)
			if err != nil {
				return fmt.Errorf("member %d: ID number: %w", id, err)
			}
			phone, phoneCurrent, err := s.OpenKey(phoneEnc)
			if err != nil {
				return fmt.Errorf("member %d: phone: %w", id, err)
			}
			wantHash := s.Hash(idNumber)
			if idCurrent && phoneCurrent && bytes.Equal(hash, wantHash) {
				return nil
			}
			ids = append(ids, id)
			oldID, oldPhone = append(oldID, idEnc), append(oldPhone, phoneEnc)
			newID, newPhone, newHash = append(newID, reseal(s, idEnc, idNumber, idCurrent)), append(newPhone, reseal(s, phoneEnc, phone, phoneCurrent)), append(newHash, wantHash)
			return nil
		})
		if err != nil {
			return err
		}
		st.Members += n
		done = n < size
		if len(ids) == 0 {
			return nil
		}
		// One statement for the batch: the members' statement trigger runs once.
		tag, err := tx.Exec(ctx, `
UPDATE members m SET id_number_enc = u.id_enc, phone_enc = u.phone_enc, id_number_hash = u.hash
  FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::bytea[], $5::bytea[], $6::bytea[]) AS u(id, old_id, old_phone, id_enc, phone_enc, hash)
 WHERE m.id = u.id AND m.id_number_enc IS NOT DISTINCT FROM u.old_id AND m.phone_enc IS NOT DISTINCT FROM u.old_phone`,
			ids, oldID, oldPhone, newID, newPhone, newHash)
		if err != nil {
			return err
		}
		st.MembersResealed += int(tag.RowsAffected())
		st.Changed += len(ids) - int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("pii: rekey members after %d: %w", after, err)
	}
	return last, done, nil
}

// rekeyAccounts reseals one batch of accounts' TOTP secrets.
func rekeyAccounts(ctx context.Context, pool *pgxpool.Pool, s *Sealer, after int64, size int, st *RekeyStats) (last int64, done bool, err error) {
	var ids []int64
	var oldSecret, oldPending, newSecret, newPending []*string
	err = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
SELECT id, totp_secret, totp_pending FROM accounts
 WHERE id > $1 AND (totp_secret IS NOT NULL OR totp_pending IS NOT NULL) ORDER BY id LIMIT $2`, after, size)
		if err != nil {
			return err
		}
		n := 0
		var id int64
		var secret, pending *string
		_, err = pgx.ForEachRow(rows, []any{&id, &secret, &pending}, func() error {
			n++
			last = id
			ns, secretCurrent, err := resealText(s, secret)
			if err != nil {
				return fmt.Errorf("account %d: TOTP secret: %w", id, err)
			}
			np, pendingCurrent, err := resealText(s, pending)
			if err != nil {
				return fmt.Errorf("account %d: pending TOTP secret: %w", id, err)
			}
			if secretCurrent && pendingCurrent {
				return nil
			}
			ids = append(ids, id)
			oldSecret, oldPending = append(oldSecret, secret), append(oldPending, pending)
			newSecret, newPending = append(newSecret, ns), append(newPending, np)
			return nil
		})
		if err != nil {
			return err
		}
		st.Accounts += n
		done = n < size
		if len(ids) == 0 {
			return nil
		}
		tag, err := tx.Exec(ctx, `
UPDATE accounts a SET totp_secret = u.secret, totp_pending = u.pending
  FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[]) AS u(id, old_secret, old_pending, secret, pending)
 WHERE a.id = u.id AND a.totp_secret IS NOT DISTINCT FROM u.old_secret AND a.totp_pending IS NOT DISTINCT FROM u.old_pending`,
			ids, oldSecret, oldPending, newSecret, newPending)
		if err != nil {
			return err
		}
		st.AccountsResealed += int(tag.RowsAffected())
		st.Changed += len(ids) - int(tag.RowsAffected())
		return nil
	})
	if err != nil {
		return 0, false, fmt.Errorf("pii: rekey accounts after %d: %w", after, err)
	}
	return last, done, nil
}

// reseal returns the value sealed under the current key: the same bytes
// when it already is.
func reseal(s *Sealer, sealed []byte, plain string, current bool) []byte {
	if current {
		return sealed
	}
	return s.Seal(plain)
}

// resealText reseals a base64 text column (the TOTP secrets); nil stays nil.
func resealText(s *Sealer, stored *string) (*string, bool, error) {
	if stored == nil {
		return nil, true, nil
	}
	b, err := base64.StdEncoding.DecodeString(*stored)
	if err != nil {
		return nil, false, err
	}
	plain, current, err := s.OpenKey(b)
	if err != nil || current {
		return stored, current, err
	}
	out := base64.StdEncoding.EncodeToString(s.Seal(plain))
	return &out, false, nil
}

// Unreadable counts the rows holding a sealed value that s cannot open,
// or an ID number hash that is none of s's keys': zero means s reads, and
// finds, every sealed field.
func Unreadable(ctx context.Context, pool *pgxpool.Pool, s *Sealer) (int, error) {
	bad := 0
	rows, err := pool.Query(ctx, `SELECT id_number_enc, phone_enc, id_number_hash FROM members WHERE id_number_enc IS NOT NULL OR phone_enc IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("pii: check members: %w", err)
	}
	var idEnc, phoneEnc, hash []byte
	if _, err := pgx.ForEachRow(rows, []any{&idEnc, &phoneEnc, &hash}, func() error {
		idNumber, err1 := s.Open(idEnc)
		_, err2 := s.Open(phoneEnc)
		hashOK := idNumber == "" && hash == nil || slices.ContainsFunc(s.Hashes(idNumber), func(h []byte) bool { return bytes.Equal(h, hash) })
		if err1 != nil || err2 != nil || !hashOK {
			bad++
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("pii: check members: %w", err)
	}
	rows, err = pool.Query(ctx, `SELECT totp_secret, totp_pending FROM accounts WHERE totp_secret IS NOT NULL OR totp_pending IS NOT NULL`)
	if err != nil {
		return 0, fmt.Errorf("pii: check accounts: %w", err)
	}
	var secret, pending *string
	if _, err := pgx.ForEachRow(rows, []any{&secret, &pending}, func() error {
		_, _, err1 := resealText(s, secret)
		_, _, err2 := resealText(s, pending)
		if err1 != nil || err2 != nil {
			bad++
		}
		return nil
	}); err != nil {
		return 0, fmt.Errorf("pii: check accounts: %w", err)
	}
	return bad, nil
}
