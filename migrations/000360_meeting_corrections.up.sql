-- meeting_corrections: the trail of corrections to a submitted meeting's
-- attendance, time and place. Each row keeps who changed what, when, the
-- value before and after, and the reason (the minutes and decisions keep
-- theirs in meeting_revisions). Written by internal/meeting.
CREATE TABLE meeting_corrections (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    meeting_id bigint NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
    field      text NOT NULL CHECK (field IN ('attendance', 'time', 'place')),
    member_id  bigint REFERENCES members (id) ON DELETE CASCADE,
    before     jsonb NOT NULL,
    after      jsonb NOT NULL,
    reason     text NOT NULL CHECK (length(btrim(reason)) BETWEEN 1 AND 500),
    changed_by bigint REFERENCES accounts (id),
    changed_at timestamptz NOT NULL DEFAULT now(),
    CHECK ((field = 'attendance') = (member_id IS NOT NULL))
);
CREATE INDEX meeting_corrections_meeting_idx ON meeting_corrections (meeting_id, id);
CREATE INDEX meeting_corrections_member_idx ON meeting_corrections (member_id);
CREATE INDEX meeting_corrections_changed_by_idx ON meeting_corrections (changed_by);

-- The signed attendance sheet is the one kind of file that may be attached
-- after the record is locked.
ALTER TABLE meeting_attachments
    ADD COLUMN kind text NOT NULL DEFAULT 'file' CHECK (kind IN ('file', 'signed_sheet'));
