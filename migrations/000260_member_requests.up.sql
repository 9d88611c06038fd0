-- Requests members make for themselves, decided by the branch secretary:
-- leave from a planned meeting (approved leave is an excused absence in
-- attendance) and study credits earned elsewhere. Owned by internal/meeting.
CREATE TABLE leave_requests (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id   bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id    bigint NOT NULL REFERENCES members (id),
    reason       text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 200),
    status       text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
    requested_at timestamptz NOT NULL DEFAULT now(),
    decided_at   timestamptz,
    decided_by   bigint REFERENCES accounts (id),
    note         text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    UNIQUE (meeting_id, member_id),
    CHECK ((status = 'pending') = (decided_at IS NULL))
);
CREATE INDEX leave_requests_member_idx ON leave_requests (member_id);
CREATE INDEX leave_requests_decided_by_idx ON leave_requests (decided_by);
CREATE INDEX leave_requests_pending_idx ON leave_requests (meeting_id) WHERE status = 'pending';

CREATE TABLE credit_requests (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id      bigint NOT NULL REFERENCES members (id),
    title          text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    kind           text NOT NULL CHECK (kind IN ('online', 'training', 'lecture', 'self')),
    hours          numeric(5,1) NOT NULL CHECK (hours > 0 AND hours <= 100),
    earned_on      date NOT NULL,
    certificate_no text NOT NULL DEFAULT '' CHECK (length(certificate_no) <= 100),
    file_name      text CHECK (length(file_name) BETWEEN 1 AND 200),
    file_type      text CHECK (file_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    file_data      bytea CHECK (octet_length(file_data) <= 10485760),
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'refused')),
    requested_at   timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    decided_by     bigint REFERENCES accounts (id),
    note           text NOT NULL DEFAULT '' CHECK (length(note) <= 200),
    credit_id      bigint REFERENCES study_credits (id) ON DELETE SET NULL,
    CHECK (btrim(certificate_no) <> '' OR file_data IS NOT NULL),
    CHECK ((file_data IS NULL) = (file_name IS NULL) AND (file_data IS NULL) = (file_type IS NULL)),
    CHECK ((status = 'pending') = (decided_at IS NULL)),
    CHECK (status = 'approved' OR credit_id IS NULL)
);
CREATE INDEX credit_requests_member_idx ON credit_requests (member_id, requested_at DESC);
CREATE INDEX credit_requests_decided_by_idx ON credit_requests (decided_by);
CREATE INDEX credit_requests_credit_idx ON credit_requests (credit_id);
CREATE INDEX credit_requests_pending_idx ON credit_requests (member_id) WHERE status = 'pending';

-- A member's confirmation of having read the minutes of a meeting missed.
CREATE TABLE minutes_reads (
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id  bigint NOT NULL REFERENCES members (id),
    read_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (meeting_id, member_id)
);
CREATE INDEX minutes_reads_member_idx ON minutes_reads (member_id);
