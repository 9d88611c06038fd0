-- Photos of exemplary cases (issue 23: "a branch submits a case: title,
-- text, photos, the meetings it rests on"), replacing 000321's "text
-- only". A few JPEG or PNG photos per case, each with a caption; the type
-- is the one sniffed from the content when it was uploaded.
CREATE TABLE case_photos (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    case_id      bigint NOT NULL REFERENCES cases (id) ON DELETE CASCADE,
    caption      text NOT NULL CHECK (length(btrim(caption)) BETWEEN 1 AND 200),
    content_type text NOT NULL CHECK (content_type IN ('image/jpeg', 'image/png')),
    size_bytes   integer NOT NULL CHECK (size_bytes BETWEEN 1 AND 10485760),
    data         bytea NOT NULL CHECK (octet_length(data) = size_bytes),
    uploaded_by  bigint REFERENCES accounts (id),
    uploaded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX case_photos_case_idx ON case_photos (case_id, id);
CREATE INDEX case_photos_uploaded_by_idx ON case_photos (uploaded_by);
