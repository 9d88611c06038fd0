package app

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"zhibu/internal/pii"
)

// Sealer builds the personal-data sealer from ZHIBU_DATA_KEY and, while a
// key rotation runs, ZHIBU_OLD_DATA_KEY (the key being replaced: still
// read, never written). In demo mode without a key, one is generated once
// into the data folder; otherwise a missing key is an error, so that real
// data is never stored unprotected.
func Sealer(cfg Config, env Env, demo bool) (*pii.Sealer, error) {
	if v, ok := env("ZHIBU_DATA_KEY"); ok && v != "" {
		key, err := pii.ParseKey(v)
		if err != nil {
			return nil, fmt.Errorf("ZHIBU_DATA_KEY: %w", err)
		}
		var old [][]byte
		if v, ok := env("ZHIBU_OLD_DATA_KEY"); ok && v != "" {
			k, err := pii.ParseKey(v)
			if err != nil {
				return nil, fmt.Errorf("ZHIBU_OLD_DATA_KEY: %w", err)
			}
			old = append(old, k)
		}
		s, err := pii.New(key, old...)
		if err != nil {
			return nil, fmt.Errorf("ZHIBU_DATA_KEY, ZHIBU_OLD_DATA_KEY: %w", err)
		}
		return s, nil
	}
	if !demo {
		return nil, errors.New("ZHIBU_DATA_KEY is not set: generate one with `openssl rand -hex 32` and keep it safe (it encrypts ID and phone numbers), or run in demo mode with --seed-demo")
	}
	path := filepath.Join(cfg.DataDir, "data.key")
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		if err := os.MkdirAll(cfg.DataDir, 0o755); err != nil {
			return nil, fmt.Errorf("data dir: %w", err)
		}
		b = []byte(pii.NewKey())
		if err := os.WriteFile(path, b, 0o600); err != nil {
			return nil, fmt.Errorf("write demo data key: %w", err)
		}
	} else if err != nil {
		return nil, fmt.Errorf("read demo data key: %w", err)
	}
	key, err := pii.ParseKey(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return pii.New(key)
}
