-- Roster keeping: where a transfer goes or comes from and its letter
-- number on the member's events, and uploaded roster files awaiting the
-- secretary's confirmation.

ALTER TABLE member_events
    ADD COLUMN place     text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    ADD COLUMN letter_no text NOT NULL DEFAULT '' CHECK (length(letter_no) <= 50);

-- member_imports holds a checked roster file between its preview and the
-- confirmation that writes it; used_at marks it written.
CREATE TABLE member_imports (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id  bigint NOT NULL REFERENCES organisations (id),
    account_id bigint NOT NULL REFERENCES accounts (id),
    filename   text NOT NULL DEFAULT '' CHECK (length(filename) <= 255),
    data       bytea NOT NULL,
    row_count  integer NOT NULL CHECK (row_count >= 0),
    created_at timestamptz NOT NULL DEFAULT now(),
    used_at    timestamptz
);
CREATE INDEX member_imports_branch_idx ON member_imports (branch_id);
CREATE INDEX member_imports_account_idx ON member_imports (account_id);
