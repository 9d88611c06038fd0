-- Organisations, members, accounts, sessions and the audit trail.

CREATE TABLE organisations (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    parent_id      bigint REFERENCES organisations (id),
    kind           text NOT NULL CHECK (kind IN ('committee', 'general_branch', 'branch', 'group')),
    name           text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 200),
    code           text UNIQUE,
    established_on date NOT NULL,
    dissolved_on   date,
    -- path lists the ids from the root down to this organisation itself;
    -- kept by trigger, it answers "is X inside Y's subtree" with one index.
    path           bigint[] NOT NULL DEFAULT '{}',
    version        integer NOT NULL DEFAULT 1,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK (dissolved_on IS NULL OR dissolved_on >= established_on),
    CHECK ((kind = 'committee') OR parent_id IS NOT NULL),
    CHECK (parent_id IS NULL OR parent_id <> id)
);
CREATE INDEX organisations_parent_idx ON organisations (parent_id);
CREATE INDEX organisations_path_idx ON organisations USING gin (path);

CREATE FUNCTION organisations_set_path() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    parent_path bigint[];
BEGIN
    IF NEW.parent_id IS NULL THEN
        NEW.path := ARRAY[NEW.id];
    ELSE
        SELECT path INTO parent_path FROM organisations WHERE id = NEW.parent_id;
        IF NEW.id = ANY (parent_path) THEN
            RAISE EXCEPTION 'organisation % cannot move under its own descendant', NEW.id;
        END IF;
        NEW.path := parent_path || NEW.id;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER organisations_path_ins BEFORE INSERT ON organisations
    FOR EACH ROW EXECUTE FUNCTION organisations_set_path();
CREATE TRIGGER organisations_path_upd BEFORE UPDATE OF parent_id ON organisations
    FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) EXECUTE FUNCTION organisations_set_path();

CREATE FUNCTION organisations_move_descendants() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE organisations
       SET path = NEW.path || path[array_position(path, NEW.id) + 1:]
     WHERE path @> ARRAY[NEW.id] AND id <> NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER organisations_path_moved AFTER UPDATE OF parent_id ON organisations
    FOR EACH ROW WHEN (OLD.parent_id IS DISTINCT FROM NEW.parent_id) EXECUTE FUNCTION organisations_move_descendants();

CREATE UNIQUE INDEX organisations_sibling_name_uq ON organisations (coalesce(parent_id, 0), name) WHERE dissolved_on IS NULL;

-- committee_terms: the elected committee (or secretary) of an organisation.
CREATE TABLE committee_terms (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    org_id     bigint NOT NULL REFERENCES organisations (id),
    term_no    integer NOT NULL CHECK (term_no > 0),
    elected_on date NOT NULL,
    due_on     date NOT NULL,
    ended_on   date,
    CHECK (due_on > elected_on),
    CHECK (ended_on IS NULL OR ended_on >= elected_on),
    UNIQUE (org_id, term_no)
);
CREATE INDEX committee_terms_org_idx ON committee_terms (org_id);

CREATE TABLE members (
    id                    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id             bigint NOT NULL REFERENCES organisations (id),
    group_id              bigint REFERENCES organisations (id),
    name                  text NOT NULL CHECK (length(btrim(name)) BETWEEN 1 AND 50),
    gender                text NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity             text NOT NULL DEFAULT '' CHECK (length(ethnicity) <= 20),
    birth_date            date NOT NULL,
    native_place          text NOT NULL DEFAULT '' CHECK (length(native_place) <= 100),
    education             text NOT NULL DEFAULT '' CHECK (education IN ('', 'postgraduate', 'university', 'college', 'secondary', 'primary')),
    id_number_enc         bytea,
    id_number_hash        bytea,
    id_number_tail        text NOT NULL DEFAULT '' CHECK (length(id_number_tail) <= 4),
    phone_enc             bytea,
    phone_tail            text NOT NULL DEFAULT '' CHECK (length(phone_tail) <= 4),
    department            text NOT NULL DEFAULT '' CHECK (length(department) <= 100),
    job_title             text NOT NULL DEFAULT '' CHECK (length(job_title) <= 100),
    category              text NOT NULL CHECK (category IN ('applicant', 'activist', 'target', 'probationary', 'full')),
    applied_on            date,
    activist_on           date,
    target_on             date,
    admitted_on           date,
    converted_on          date,
    probation_extended_to date,
    party_status          text NOT NULL DEFAULT 'normal' CHECK (party_status IN ('normal', 'suspended', 'struck_off', 'expelled', 'deceased', 'transferred_out')),
    notes                 text NOT NULL DEFAULT '' CHECK (length(notes) <= 2000),
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    CHECK (birth_date < coalesce(applied_on, 'infinity')),
    CHECK (activist_on IS NULL OR applied_on IS NULL OR activist_on >= applied_on),
    CHECK (target_on IS NULL OR activist_on IS NULL OR target_on >= activist_on),
    CHECK (admitted_on IS NULL OR target_on IS NULL OR admitted_on >= target_on),
    CHECK (converted_on IS NULL OR (admitted_on IS NOT NULL AND converted_on >= admitted_on)),
    CHECK (category NOT IN ('probationary', 'full') OR admitted_on IS NOT NULL),
    CHECK (category <> 'full' OR converted_on IS NOT NULL),
    CHECK (probation_extended_to IS NULL OR (admitted_on IS NOT NULL AND probation_extended_to <= admitted_on + interval '2 years'))
);
CREATE INDEX members_branch_idx ON members (branch_id, name);
CREATE INDEX members_group_idx ON members (group_id);
CREATE UNIQUE INDEX members_id_number_hash_uq ON members (id_number_hash) WHERE id_number_hash IS NOT NULL;

CREATE TABLE committee_posts (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    term_id   bigint NOT NULL REFERENCES committee_terms (id) ON DELETE CASCADE,
    member_id bigint NOT NULL REFERENCES members (id),
    post      text NOT NULL CHECK (post IN ('secretary', 'deputy', 'organisation', 'publicity', 'discipline', 'member')),
    UNIQUE (term_id, member_id)
);
CREATE INDEX committee_posts_member_idx ON committee_posts (member_id);
CREATE UNIQUE INDEX committee_posts_one_secretary_uq ON committee_posts (term_id) WHERE post = 'secretary';

CREATE TABLE member_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    member_id   bigint NOT NULL REFERENCES members (id),
    kind        text NOT NULL CHECK (kind IN ('created', 'applied', 'activist', 'target', 'admitted', 'converted', 'probation_extended', 'transferred_in', 'transferred_out', 'moved', 'status_changed', 'updated')),
    occurred_on date NOT NULL,
    from_org_id bigint REFERENCES organisations (id),
    to_org_id   bigint REFERENCES organisations (id),
    details     text NOT NULL DEFAULT '' CHECK (length(details) <= 1000),
    actor_id    bigint,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX member_events_member_idx ON member_events (member_id, occurred_on);
CREATE INDEX member_events_from_idx ON member_events (from_org_id);
CREATE INDEX member_events_to_idx ON member_events (to_org_id);

CREATE TABLE accounts (
    id                   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    username             text NOT NULL CHECK (username ~ '^[a-z0-9_.-]{3,32}$'),
    display_name         text NOT NULL DEFAULT '',
    password_hash        text NOT NULL,
    member_id            bigint UNIQUE REFERENCES members (id),
    language             text NOT NULL DEFAULT '' CHECK (language IN ('', 'zh', 'en')),
    must_change_password boolean NOT NULL DEFAULT true,
    password_changed_at  timestamptz NOT NULL DEFAULT now(),
    failed_logins        integer NOT NULL DEFAULT 0 CHECK (failed_logins >= 0),
    locked_until         timestamptz,
    totp_secret          text,
    demo                 boolean NOT NULL DEFAULT false,
    calendar_token       text UNIQUE,
    disabled_at          timestamptz,
    created_at           timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX accounts_username_uq ON accounts (lower(username));

CREATE TABLE account_roles (
    account_id bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       text NOT NULL CHECK (role IN ('member', 'secretary', 'branch_committee', 'reviewer', 'sysadmin', 'secadmin', 'auditadmin')),
    org_id     bigint REFERENCES organisations (id),
    granted_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((role IN ('secretary', 'branch_committee', 'reviewer')) = (org_id IS NOT NULL)),
    PRIMARY KEY (account_id, role)
);
CREATE INDEX account_roles_org_idx ON account_roles (org_id);
-- Separation of the three administrators: no account holds two admin roles.
CREATE UNIQUE INDEX account_roles_one_admin_uq ON account_roles (account_id) WHERE role IN ('sysadmin', 'secadmin', 'auditadmin');

CREATE TABLE sessions (
    token_hash  bytea PRIMARY KEY,
    account_id  bigint NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at  timestamptz NOT NULL DEFAULT now(),
    last_seen   timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    ip          text NOT NULL DEFAULT '',
    user_agent  text NOT NULL DEFAULT ''
);
CREATE INDEX sessions_account_idx ON sessions (account_id);
CREATE INDEX sessions_expires_idx ON sessions (expires_at);

CREATE TABLE audit_events (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        timestamptz NOT NULL DEFAULT now(),
    actor_id  bigint,
    actor     text NOT NULL DEFAULT '',
    role      text NOT NULL DEFAULT '',
    ip        text NOT NULL DEFAULT '',
    action    text NOT NULL,
    entity    text NOT NULL DEFAULT '',
    entity_id bigint,
    before    jsonb,
    after     jsonb,
    outcome   text NOT NULL DEFAULT 'ok' CHECK (outcome IN ('ok', 'denied', 'failed'))
);
CREATE INDEX audit_events_at_idx ON audit_events (at);
CREATE INDEX audit_events_entity_idx ON audit_events (entity, entity_id);
CREATE INDEX audit_events_actor_idx ON audit_events (actor_id, at);

CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_events is append-only';
END $$;
CREATE TRIGGER audit_events_no_update BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();
