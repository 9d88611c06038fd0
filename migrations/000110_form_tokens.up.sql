-- One-time form tokens: a create form carries a random token in a hidden
-- field (issued when the form is rendered, written nowhere then); the
-- transaction that creates the record claims the token here and notes the
-- record, so the same form sent twice (a double click, a resend) creates
-- one record and the second post is sent to it. Written only by
-- internal/formtoken; rows older than a day are swept.
CREATE TABLE form_tokens (
    token      text PRIMARY KEY CHECK (token ~ '^[0-9a-f]{32}$'),
    form       text NOT NULL CHECK (length(form) BETWEEN 1 AND 50),
    account_id bigint REFERENCES accounts (id) ON DELETE CASCADE,
    record_id  bigint,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX form_tokens_created_idx ON form_tokens (created_at);
CREATE INDEX form_tokens_account_idx ON form_tokens (account_id);
