-- Organisational life: meetings, attendance, minutes revisions and study hours.

CREATE TABLE meetings (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id       bigint NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('general', 'committee', 'group', 'lecture', 'party_day', 'study', 'org_life', 'appraisal', 'talks', 'democratic_life', 'other')),
    topic        text NOT NULL CHECK (length(btrim(topic)) BETWEEN 1 AND 200),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    place        text NOT NULL DEFAULT '' CHECK (length(place) <= 200),
    host_id      bigint REFERENCES members (id),
    recorder_id  bigint REFERENCES members (id),
    lecturer     text NOT NULL DEFAULT '' CHECK (length(lecturer) <= 100),
    agenda       text NOT NULL DEFAULT '' CHECK (length(agenda) <= 20000),
    minutes      text NOT NULL DEFAULT '' CHECK (length(minutes) <= 100000),
    decisions    text NOT NULL DEFAULT '' CHECK (length(decisions) <= 20000),
    study_form   text CHECK (study_form IN ('central', 'lecture', 'online', 'self')),
    study_hours  numeric(5,1) NOT NULL DEFAULT 0 CHECK (study_hours >= 0 AND study_hours <= 100),
    status       text NOT NULL DEFAULT 'draft' CHECK (status IN ('planned', 'draft', 'submitted')),
    late_entry   boolean NOT NULL DEFAULT false,
    entered_at   timestamptz NOT NULL DEFAULT now(),
    submitted_at timestamptz,
    created_by   bigint REFERENCES accounts (id),
    version      integer NOT NULL DEFAULT 1,
    CHECK (ends_at >= starts_at),
    CHECK ((status = 'submitted') = (submitted_at IS NOT NULL))
);
CREATE INDEX meetings_org_idx ON meetings (org_id, starts_at DESC);
CREATE INDEX meetings_host_idx ON meetings (host_id);
CREATE INDEX meetings_recorder_idx ON meetings (recorder_id);
CREATE INDEX meetings_created_by_idx ON meetings (created_by);

CREATE TABLE meeting_revisions (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id),
    n          integer NOT NULL CHECK (n > 0),
    minutes    text NOT NULL,
    decisions  text NOT NULL,
    changed_by bigint REFERENCES accounts (id),
    changed_at timestamptz NOT NULL DEFAULT now(),
    reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    UNIQUE (meeting_id, n)
);
CREATE INDEX meeting_revisions_changed_by_idx ON meeting_revisions (changed_by);

CREATE TABLE attendance (
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    member_id  bigint NOT NULL REFERENCES members (id),
    status     text NOT NULL CHECK (status IN ('present', 'leave', 'absent', 'observer')),
    reason     text NOT NULL DEFAULT '' CHECK (length(reason) <= 200),
    hours      numeric(5,1) NOT NULL DEFAULT 0 CHECK (hours >= 0 AND hours <= 100),
    PRIMARY KEY (meeting_id, member_id),
    CHECK (status <> 'leave' OR length(btrim(reason)) > 0)
);
CREATE INDEX attendance_member_idx ON attendance (member_id, meeting_id);

CREATE TABLE meeting_attachments (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id   bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   integer NOT NULL CHECK (size_bytes > 0 AND size_bytes <= 10485760),
    data         bytea NOT NULL,
    uploaded_by  bigint REFERENCES accounts (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX meeting_attachments_meeting_idx ON meeting_attachments (meeting_id);
CREATE INDEX meeting_attachments_uploaded_by_idx ON meeting_attachments (uploaded_by);

-- study_credits: hours earned. Rows with a meeting are derived from
-- attendance; rows without one are individual records (online course ...).
CREATE TABLE study_credits (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id  bigint NOT NULL REFERENCES members (id),
    meeting_id bigint REFERENCES meetings (id) ON DELETE CASCADE,
    hours      numeric(5,1) NOT NULL CHECK (hours > 0 AND hours <= 100),
    kind       text NOT NULL CHECK (kind IN ('meeting', 'central', 'lecture', 'online', 'self', 'training')),
    earned_on  date NOT NULL,
    evidence   text NOT NULL DEFAULT '' CHECK (length(evidence) <= 500),
    created_by bigint REFERENCES accounts (id),
    UNIQUE (member_id, meeting_id)
);
CREATE INDEX study_credits_member_idx ON study_credits (member_id, earned_on);
CREATE INDEX study_credits_meeting_idx ON study_credits (meeting_id);
CREATE INDEX study_credits_created_by_idx ON study_credits (created_by);
