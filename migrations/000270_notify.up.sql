-- The in-app inbox and each person's mail preferences (internal/notify).
-- Messages to mail go through River's job queue (migration 000261): a
-- notification and its mail job are written in one transaction.
CREATE TABLE notifications (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind       text NOT NULL CHECK (kind IN ('meeting_notice', 'reminder', 'leave_decision', 'credit_decision', 'overdue')),
    title      text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 300),
    body       text NOT NULL DEFAULT '' CHECK (length(body) <= 4000),
    url        text NOT NULL DEFAULT '' CHECK (url = '' OR url LIKE '/%'),
    meeting_id bigint REFERENCES meetings (id) ON DELETE SET NULL,
    -- dedupe_key makes a scheduled message (a reminder, an overdue notice)
    -- once per person however often or wherever the scheduler runs.
    dedupe_key text UNIQUE CHECK (length(dedupe_key) <= 200),
    created_at timestamptz NOT NULL DEFAULT now(),
    read_at    timestamptz,
    mailed_at  timestamptz
);
CREATE INDEX notifications_account_idx ON notifications (account_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (account_id) WHERE read_at IS NULL;
CREATE INDEX notifications_meeting_idx ON notifications (meeting_id);

CREATE TABLE mail_prefs (
    account_id     bigint PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    -- the address, sealed with the PII key like phone numbers
    email_sealed   bytea,
    meeting_notice boolean NOT NULL DEFAULT true,
    reminder       boolean NOT NULL DEFAULT true,
    decision       boolean NOT NULL DEFAULT true,
    overdue        boolean NOT NULL DEFAULT true,
    -- digest: one mail a day with everything instead of one mail each
    digest         boolean NOT NULL DEFAULT false,
    updated_at     timestamptz NOT NULL DEFAULT now()
);

-- Settings of the notifier, editable by the system administrator.
CREATE TABLE notify_settings (
    key   text PRIMARY KEY CHECK (key IN ('reminder_days')),
    value integer NOT NULL CHECK (value BETWEEN 0 AND 30)
);
INSERT INTO notify_settings (key, value) VALUES ('reminder_days', 1);
