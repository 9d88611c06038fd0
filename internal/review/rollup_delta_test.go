package review_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// deltaFixture is the demo branch 办公室党支部, one of its groups, its
// members, and a held meeting of the branch whose attendance is every
// given member absent.
type deltaFixture struct {
	app     *apptest.App
	store   *meeting.Store
	branch  int64
	group   int64
	members []int64
	meeting int64
	base    int // quorate meetings of its branch month besides it
}

func newDeltaFixture(t *testing.T, absent int) deltaFixture {
	t.Helper()
	app := apptest.New(t)
	ctx := context.Background()
	f := deltaFixture{app: app, store: meeting.NewStore(app.Pool)}
	if err := app.Pool.QueryRow(ctx, `SELECT o.id, g.id FROM organisations o JOIN organisations g ON g.parent_id = o.id AND g.kind = 'group' WHERE o.name = '办公室党支部' LIMIT 1`).Scan(&f.branch, &f.group); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Pool.Query(ctx, `SELECT id FROM members WHERE branch_id = $1 ORDER BY id`, f.branch)
	if err != nil {
		t.Fatal(err)
	}
	if f.members, err = pgx.CollectRows(rows, pgx.RowTo[int64]); err != nil {
		t.Fatal(err)
	}
	if len(f.members) < absent+2 {
		t.Fatalf("the branch has %d members, want at least %d", len(f.members), absent+2)
	}
	if err := app.Pool.QueryRow(ctx, `SELECT coalesce(sum(quorate), 0) FROM branch_month_stats WHERE branch_id = $1 AND month = '2026-06-01' AND kind = 'committee'`, f.branch).Scan(&f.base); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 10, 9, 0, 0, 0, i18n.Shanghai)
	f.meeting, err = f.store.Create(ctx, meeting.Input{OrgID: f.branch, Kind: "committee", Topic: "增量测试", StartsAt: at, EndsAt: at.Add(time.Hour),
		StudyHours: 1, Status: meeting.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	att := make([]meeting.Attendance, absent)
	for i := range att {
		att[i] = meeting.Attendance{MemberID: f.members[i], Status: meeting.Absent}
	}
	f.save(t, att)
	checkRollups(t, app, "after setting up the meeting")
	if q := f.quorate(t); q != 0 {
		t.Fatalf("meeting with everyone absent counted quorate (%d)", q)
	}
	return f
}

// save saves the meeting's attendance through the store, as the form does.
func (f deltaFixture) save(t *testing.T, att []meeting.Attendance) {
	t.Helper()
	ctx := context.Background()
	m, err := f.store.Get(ctx, f.meeting)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.store.SaveAttendance(ctx, f.meeting, m.Version, att); err != nil {
		t.Fatal(err)
	}
}

// quorate is 1 if the rollup counts the meeting quorate (the quorate
// count of its branch month less the others').
func (f deltaFixture) quorate(t *testing.T) int {
	t.Helper()
	var q int
	if err := f.app.Pool.QueryRow(context.Background(), `SELECT s.quorate FROM branch_month_stats s, meetings m
		WHERE m.id = $1 AND s.branch_id = $2 AND s.month = stats_month(m.starts_at) AND s.kind = m.kind`, f.meeting, f.branch).Scan(&q); err != nil {
		t.Fatal(err)
	}
	return q - f.base
}

// TestRollupsQuorateAcrossOneUpsert: one save whose upsert both updates
// rows (two absent members now present) and inserts rows (two more
// present) turns the meeting quorate, which neither half does alone. The
// statement fires an UPDATE and an INSERT trigger that each see the whole
// result, so per-statement quorate deltas would count the meeting twice.
func TestRollupsQuorateAcrossOneUpsert(t *testing.T) {
	t.Parallel()
	f := newDeltaFixture(t, 4)
	m := f.members
	f.save(t, []meeting.Attendance{
		{MemberID: m[0], Status: meeting.Present}, {MemberID: m[1], Status: meeting.Present},
		{MemberID: m[2], Status: meeting.Absent}, {MemberID: m[3], Status: meeting.Absent},
		{MemberID: m[4], Status: meeting.Present}, {MemberID: m[5], Status: meeting.Present},
	})
	checkRollups(t, f.app, "after the upsert")
	if q := f.quorate(t); q != 1 {
		t.Errorf("quorate %d after 4 of 6 present, want 1", q)
	}
	// And back: the two inserted rows removed and one member absent again.
	f.save(t, []meeting.Attendance{
		{MemberID: m[0], Status: meeting.Present}, {MemberID: m[1], Status: meeting.Absent},
		{MemberID: m[2], Status: meeting.Absent}, {MemberID: m[3], Status: meeting.Absent},
	})
	checkRollups(t, f.app, "after the second save")
	if q := f.quorate(t); q != 0 {
		t.Errorf("quorate %d after 1 of 4 present, want 0", q)
	}
}

// TestRollupsConcurrentWritersOfOneMeeting: two transactions mark
// different absent members of the same meeting present, without locking
// the meeting first; each alone leaves it short of a quorum, both together
// make it quorate. The first applies its rollup changes (SET CONSTRAINTS
// ... IMMEDIATE runs the deferred flush at once) and holds its transaction
// open while the second does the same; then both commit. A flush that
// read the meeting's counts without waiting for the first would miss that
// the meeting became quorate.
func TestRollupsConcurrentWritersOfOneMeeting(t *testing.T) {
	t.Parallel()
	f := newDeltaFixture(t, 6)
	ctx := context.Background()
	const mark = `UPDATE attendance SET status = 'present' WHERE meeting_id = $1 AND member_id = ANY ($2)`
	const flush = `SET CONSTRAINTS stats_pending_flush IMMEDIATE`

	first, err := f.app.Pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Rollback(ctx)
	if _, err := first.Exec(ctx, mark, f.meeting, f.members[0:2]); err != nil {
		t.Fatal(err)
	}
	if _, err := first.Exec(ctx, flush); err != nil {
		t.Fatal(err)
	}
	flushed := make(chan time.Time, 1)
	done := make(chan error, 1)
	go func() {
		done <- pgx.BeginFunc(ctx, f.app.Pool, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, mark, f.meeting, f.members[2:4]); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, flush)
			flushed <- time.Now()
			return err
		})
	}()
	time.Sleep(300 * time.Millisecond)
	committed := time.Now()
	if err := first.Commit(ctx); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatalf("second writer: %v", err)
	}
	if at := <-flushed; at.Before(committed) {
		t.Errorf("the second flush finished %v before the first transaction committed: it did not wait for the meeting", committed.Sub(at))
	}
	checkRollups(t, f.app, "after both writers")
	if q := f.quorate(t); q != 1 {
		t.Errorf("quorate %d after 4 of 6 present, want 1", q)
	}
}

// TestSaveTakesNoBranchLock: while another session holds the branch's
// bucket lock of the old recount (7420002), saving a meeting's attendance,
// moving a meeting and changing its status all still commit.
func TestSaveTakesNoBranchLock(t *testing.T) {
	t.Parallel()
	f := newDeltaFixture(t, 4)
	ctx := context.Background()
	conn, err := f.app.Pool.Acquire(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock(7420002, ($1::bigint % 1024)::int)`, f.branch); err != nil {
		t.Fatal(err)
	}
	defer conn.Exec(ctx, `SELECT pg_advisory_unlock_all()`)

	tctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	m, err := f.store.Get(tctx, f.meeting)
	if err != nil {
		t.Fatal(err)
	}
	att := []meeting.Attendance{{MemberID: f.members[0], Status: meeting.Present}, {MemberID: f.members[1], Status: meeting.Present},
		{MemberID: f.members[2], Status: meeting.Present}, {MemberID: f.members[3], Status: meeting.Absent}}
	if err := f.store.SaveAttendance(tctx, f.meeting, m.Version, att); err != nil {
		if errors.Is(err, context.DeadlineExceeded) || tctx.Err() != nil {
			t.Fatalf("saving the attendance waited for the branch lock: %v", err)
		}
		t.Fatal(err)
	}
	for _, step := range []string{
		`UPDATE meetings SET starts_at = starts_at + interval '25 days', ends_at = ends_at + interval '25 days' WHERE id = $1`,
		`UPDATE meetings SET status = 'planned' WHERE id = $1`,
		`UPDATE meetings SET status = 'draft' WHERE id = $1`,
	} {
		if _, err := f.app.Pool.Exec(tctx, step, f.meeting); err != nil {
			t.Fatalf("%s: %v (waited for the branch lock?)", step, err)
		}
	}
	checkRollups(t, f.app, "after the saves")
}

// TestRollupsFollowAGroupMove: moving a group to another branch moves its
// meetings' counts to that branch's months, and saves afterwards keep
// them exact.
func TestRollupsFollowAGroupMove(t *testing.T) {
	t.Parallel()
	f := newDeltaFixture(t, 4)
	ctx := context.Background()
	var other int64
	if err := f.app.Pool.QueryRow(ctx, `SELECT id FROM organisations WHERE kind = 'branch' AND id <> $1 ORDER BY id LIMIT 1`, f.branch).Scan(&other); err != nil {
		t.Fatal(err)
	}
	at := time.Date(2026, 6, 12, 9, 0, 0, 0, i18n.Shanghai)
	gm, err := f.store.Create(ctx, meeting.Input{OrgID: f.group, Kind: "group", Topic: "小组会", StartsAt: at, EndsAt: at.Add(time.Hour),
		StudyHours: 1, Status: meeting.StatusDraft})
	if err != nil {
		t.Fatal(err)
	}
	checkRollups(t, f.app, "group meeting created")
	exec := func(step, sql string, args ...any) {
		t.Helper()
		if _, err := f.app.Pool.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
		checkRollups(t, f.app, step)
	}
	exec("group moved to another branch", `UPDATE organisations SET parent_id = $2 WHERE id = $1`, f.group, other)
	var held int
	if err := f.app.Pool.QueryRow(ctx, `SELECT coalesce(sum(held), 0) FROM branch_month_stats WHERE branch_id = $1 AND month = '2026-06-01' AND kind = 'group'`, other).Scan(&held); err != nil || held < 1 {
		t.Errorf("the moved group's meeting not counted for its new branch: %d %v", held, err)
	}
	exec("attendance saved after the move", `UPDATE attendance SET status = 'absent' WHERE meeting_id = $1 AND member_id = (SELECT min(member_id) FROM attendance WHERE meeting_id = $1)`, gm)
	exec("group moved back", `UPDATE organisations SET parent_id = $2 WHERE id = $1`, f.group, f.branch)

	// Saves of the group's meetings while the group moves back and forth:
	// a move and the saves that read its branch take turns.
	statuses := []string{meeting.Present, meeting.Present, meeting.Absent, meeting.Leave, meeting.Observer}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for w := range 3 {
		wg.Go(func() {
			for i := range 8 {
				m, err := f.store.Get(ctx, gm)
				if err != nil {
					errs <- err
					return
				}
				var att []meeting.Attendance
				for j, id := range f.members {
					st := statuses[(i+j+w)%len(statuses)]
					att = append(att, meeting.Attendance{MemberID: id, Status: st, Reason: map[bool]string{true: "出差"}[st == meeting.Leave]})
				}
				if err := f.store.SaveAttendance(ctx, gm, m.Version, att); err != nil && !errors.Is(err, apperr.ErrConflict) {
					errs <- err
				}
			}
		})
	}
	wg.Go(func() {
		for i := range 6 {
			if _, err := f.app.Pool.Exec(ctx, `UPDATE organisations SET parent_id = $2 WHERE id = $1`, f.group, []int64{other, f.branch}[i%2]); err != nil {
				errs <- err
			}
		}
	})
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("writer: %v", err)
	}
	checkRollups(t, f.app, "after saves during moves")
	exec("group meeting deleted", `DELETE FROM meetings WHERE id = $1`, gm)
}
