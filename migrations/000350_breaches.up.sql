-- breaches: the breach ledger, owned by internal/review. When the
-- background computation of branch_status finds a rule missed for a
-- branch and period (per member for member rules), it records it here;
-- when a later computation finds the same period met, the row stays and
-- corrected_on marks the late correction. Nothing is deleted, so what a
-- past month looked like does not change when data are entered later,
-- except for the late mark. month is the first day of the month the
-- breach belongs to (the end of its period, or the day it fell due).
CREATE TABLE breaches (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id    bigint NOT NULL REFERENCES organisations (id) ON DELETE CASCADE,
    rule_code    text NOT NULL CHECK (length(rule_code) BETWEEN 1 AND 100),
    period       text NOT NULL CHECK (period ~ '^[0-9]{4}(-Q[1-4]|-(0[1-9]|1[0-2]))?$'),
    month        date NOT NULL CHECK (extract(day FROM month) = 1),
    member_id    bigint REFERENCES members (id) ON DELETE CASCADE,
    subject      text NOT NULL DEFAULT '' CHECK (length(subject) <= 200),
    level        integer NOT NULL DEFAULT 0 CHECK (level >= 0),
    first_seen   date NOT NULL,
    corrected_on date CHECK (corrected_on >= first_seen)
);
CREATE UNIQUE INDEX breaches_key_uq ON breaches (branch_id, rule_code, period, coalesce(member_id, 0));
CREATE INDEX breaches_branch_month_idx ON breaches (branch_id, month);
CREATE INDEX breaches_member_idx ON breaches (member_id);
