-- Files as evidence of a plan task's answer (issue 23: "a link to its
-- meeting record, a file, a note"). Several per answer; a returned answer
-- answered again keeps the earlier files beside the new ones. The type is
-- the one sniffed from the content when it was uploaded.
CREATE TABLE plan_answer_files (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    answer_id    bigint NOT NULL REFERENCES plan_answers (id) ON DELETE CASCADE,
    filename     text NOT NULL CHECK (length(filename) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png', 'application/pdf')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    data         bytea NOT NULL CHECK (octet_length(data) = size_bytes),
    uploaded_by  bigint REFERENCES accounts (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX plan_answer_files_answer_idx ON plan_answer_files (answer_id);
CREATE INDEX plan_answer_files_uploaded_by_idx ON plan_answer_files (uploaded_by);
