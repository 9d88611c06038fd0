package recruit

import "github.com/jackc/pgx/v5"

// ownFileSQL says whether member $1 has a file a person may read as their
// own (ownFile): in the pipeline, or with steps kept here.
const ownFileSQL = `SELECT EXISTS (SELECT 1 FROM members m WHERE m.id = $1 AND in_pipeline(m.category, m.party_status))
    OR EXISTS (SELECT 1 FROM recruit_steps s WHERE s.member_id = $1)`

// QueueOwnFile adds to b the question whether member memberID has a file
// of their own at /recruitment/{id}, answered in *dst when the batch runs
// (the member's /me page links it, in its one round trip).
func QueueOwnFile(b *pgx.Batch, memberID int64, dst *bool) {
	b.Queue(ownFileSQL, memberID).QueryRow(func(row pgx.Row) error { return row.Scan(dst) })
}
