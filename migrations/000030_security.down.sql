DROP TABLE login_challenges;
DROP TABLE recovery_codes;
ALTER TABLE accounts
    DROP CONSTRAINT accounts_totp_enabled_ck,
    DROP COLUMN totp_last_step,
    DROP COLUMN totp_enabled_at,
    DROP COLUMN totp_pending;
DROP TABLE security_settings;
