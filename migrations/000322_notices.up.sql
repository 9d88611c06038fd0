-- Party affairs made public (党务公开), owned by internal/notices: a
-- branch's notices to its members with a publication period, and for a
-- public notice (the one before naming a 发展对象) members' objections,
-- each answered by the branch.
CREATE TABLE notices (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    branch_id    bigint NOT NULL REFERENCES organisations (id),
    kind         text NOT NULL CHECK (kind IN ('meeting_result', 'dues', 'pre_target', 'other')),
    title        text NOT NULL CHECK (length(btrim(title)) BETWEEN 1 AND 200),
    body         text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 5000),
    publish_from date NOT NULL,
    publish_to   date NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CHECK (publish_to >= publish_from)
);
CREATE INDEX notices_branch_idx ON notices (branch_id, publish_from DESC);

CREATE TABLE notice_objections (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    notice_id   bigint NOT NULL REFERENCES notices (id) ON DELETE CASCADE,
    member_id   bigint NOT NULL REFERENCES members (id),
    body        text NOT NULL CHECK (length(btrim(body)) BETWEEN 1 AND 2000),
    raised_on   date NOT NULL,
    raised_at   timestamptz NOT NULL DEFAULT now(),
    answer      text CHECK (answer IS NULL OR length(btrim(answer)) BETWEEN 1 AND 2000),
    answered_at timestamptz,
    answered_by bigint REFERENCES accounts (id),
    CHECK ((answer IS NULL) = (answered_at IS NULL))
);
CREATE INDEX notice_objections_notice_idx ON notice_objections (notice_id);
CREATE INDEX notice_objections_member_idx ON notice_objections (member_id);
CREATE INDEX notice_objections_answerer_idx ON notice_objections (answered_by);
