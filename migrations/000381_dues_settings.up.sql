-- The dues settings (issue 21): the monthly amount a member is asked for is
-- normally at most 1000 元; more only when the member pays it voluntarily
-- (组电明字〔2017〕5号, rules.md §2). The threshold is a setting, edited by
-- a system administrator at /admin/dues-settings.
CREATE TABLE dues_settings (
    id              integer PRIMARY KEY DEFAULT 1 CHECK (id = 1),
    monthly_cap_fen bigint NOT NULL CHECK (monthly_cap_fen BETWEEN 1 AND 100000000),
    cap_source      text NOT NULL CHECK (length(btrim(cap_source)) BETWEEN 1 AND 300),
    updated_by      bigint REFERENCES accounts (id),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dues_settings_updated_by_idx ON dues_settings (updated_by);
INSERT INTO dues_settings (monthly_cap_fen, cap_source) VALUES (100000, '组电明字〔2017〕5号');

-- capped: the base's standard amount is the threshold, not base × rate.
ALTER TABLE dues_bases ADD COLUMN capped boolean NOT NULL DEFAULT false;
