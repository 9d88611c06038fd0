-- Security settings the security administrator tunes, TOTP second factors,
-- recovery codes and the half-signed-in state between password and TOTP.

-- security_settings holds exactly one row (id = 1).
CREATE TABLE security_settings (
    id                    integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    lock_after            integer NOT NULL DEFAULT 5 CHECK (lock_after BETWEEN 3 AND 20),
    lock_minutes          integer NOT NULL DEFAULT 30 CHECK (lock_minutes BETWEEN 1 AND 1440),
    password_min_length   integer NOT NULL DEFAULT 8 CHECK (password_min_length BETWEEN 8 AND 64),
    password_max_age_days integer NOT NULL DEFAULT 90 CHECK (password_max_age_days BETWEEN 1 AND 365),
    version               integer NOT NULL DEFAULT 1,
    updated_at            timestamptz NOT NULL DEFAULT now()
);
INSERT INTO security_settings (id) VALUES (1);

-- A TOTP secret is pending (totp_pending) until the user proves it with a
-- code; then it moves to accounts.totp_secret and totp_enabled_at is set.
ALTER TABLE accounts
    ADD COLUMN totp_pending    text,
    ADD COLUMN totp_enabled_at timestamptz,
    ADD COLUMN totp_last_step  bigint NOT NULL DEFAULT 0,
    ADD CONSTRAINT accounts_totp_enabled_ck CHECK ((totp_enabled_at IS NULL) = (totp_secret IS NULL));

CREATE TABLE recovery_codes (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    code_hash  bytea NOT NULL,
    used_at    timestamptz,
    created_at timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, code_hash)
);
CREATE INDEX recovery_codes_account_idx ON recovery_codes (account_id);

-- login_challenges: a password was right and a TOTP code is awaited. It is
-- not a session: it opens no page but the code form and lives 5 minutes.
CREATE TABLE login_challenges (
    token_hash bytea PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    next_path  text NOT NULL DEFAULT '/',
    expires_at timestamptz NOT NULL,
    attempts   integer NOT NULL DEFAULT 0 CHECK (attempts >= 0)
);
CREATE INDEX login_challenges_account_idx ON login_challenges (account_id);
CREATE INDEX login_challenges_expires_idx ON login_challenges (expires_at);
