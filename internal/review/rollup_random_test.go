package review_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"zhibu/internal/apperr"
	"zhibu/internal/apptest"
	"zhibu/internal/i18n"
	"zhibu/internal/meeting"
)

// TestRollupsAfterRandomConcurrentSaves: several writers save random
// attendance tables (through the meeting store, the path the attendance
// form takes) on a few meetings of one branch and its group at once,
// while others move meetings between months, take them back to planned and
// credit or withdraw online hours; afterwards the trigger-maintained
// rollups equal a full recount from the base tables.
func TestRollupsAfterRandomConcurrentSaves(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	store := meeting.NewStore(app.Pool)

	var branch, group int64
	if err := app.Pool.QueryRow(ctx, `SELECT o.id, g.id FROM organisations o JOIN organisations g ON g.parent_id = o.id AND g.kind = 'group' WHERE o.name = '办公室党支部' LIMIT 1`).Scan(&branch, &group); err != nil {
		t.Fatal(err)
	}
	rows, err := app.Pool.Query(ctx, `SELECT id FROM members WHERE branch_id = $1 ORDER BY id`, branch)
	if err != nil {
		t.Fatal(err)
	}
	var members []int64
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			t.Fatal(err)
		}
		members = append(members, id)
	}
	if rows.Err() != nil || len(members) < 4 {
		t.Fatalf("branch members: %v (%d)", rows.Err(), len(members))
	}

	// Six meetings over two months (the last hours of a month and the
	// first of the next, China time), on the branch and its group.
	var meetings []int64
	base := time.Date(2026, 4, 30, 20, 0, 0, 0, i18n.Shanghai)
	for i := range 6 {
		org := branch
		if i%3 == 2 {
			org = group
		}
		at := base.Add(time.Duration(i) * 2 * time.Hour)
		id, err := store.Create(ctx, meeting.Input{OrgID: org, Kind: "party_day", Topic: "并发测试", StartsAt: at, EndsAt: at.Add(time.Hour),
			StudyHours: 2, Status: meeting.StatusDraft})
		if err != nil {
			t.Fatal(err)
		}
		meetings = append(meetings, id)
	}
	checkRollups(t, app, "after creating the meetings")

	statuses := []string{meeting.Present, meeting.Present, meeting.Present, meeting.Leave, meeting.Absent, meeting.Observer}
	const workers, steps = 6, 25
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	var wg sync.WaitGroup
	errs := make(chan error, workers*steps)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rnd := rand.New(rand.NewPCG(seed, uint64(w)))
			for range steps {
				id := meetings[rnd.IntN(len(meetings))]
				var err error
				switch op := rnd.IntN(10); {
				case op < 7: // save a random table
					var m meeting.Meeting
					if m, err = store.Get(ctx, id); err != nil {
						break
					}
					if m.Status != meeting.StatusDraft {
						continue
					}
					var att []meeting.Attendance
					for _, mid := range members {
						if rnd.IntN(5) == 0 {
							continue // left out of this table
						}
						st := statuses[rnd.IntN(len(statuses))]
						a := meeting.Attendance{MemberID: mid, Status: st, Hours: float64(rnd.IntN(4))}
						if st == meeting.Leave {
							a.Reason = "出差"
						}
						att = append(att, a)
					}
					err = store.SaveAttendance(ctx, id, m.Version, att)
				case op < 8: // move the meeting across the month boundary
					_, err = app.Pool.Exec(ctx, `UPDATE meetings SET starts_at = starts_at + $2::interval, ends_at = ends_at + $2::interval WHERE id = $1`,
						id, []string{"3 hours", "-3 hours"}[rnd.IntN(2)])
				case op < 9: // planned and back, or back to held
					_, err = app.Pool.Exec(ctx, `UPDATE meetings SET status = CASE status WHEN 'draft' THEN 'planned' ELSE 'draft' END WHERE id = $1`, id)
				default: // an online credit, or withdraw one
					mid := members[rnd.IntN(len(members))]
					if rnd.IntN(2) == 0 {
						_, err = app.Pool.Exec(ctx, `INSERT INTO study_credits (member_id, hours, kind, earned_on) VALUES ($1, 1.5, 'online', '2026-05-01')`, mid)
					} else {
						_, err = app.Pool.Exec(ctx, `DELETE FROM study_credits WHERE id = (SELECT min(id) FROM study_credits WHERE member_id = $1 AND kind = 'online' AND earned_on = '2026-05-01')`, mid)
					}
				}
				if err != nil && !errors.Is(err, apperr.ErrConflict) {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("writer: %v", err)
	}
	var saved int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM attendance WHERE meeting_id = ANY ($1)`, meetings).Scan(&saved); err != nil || saved == 0 {
		t.Fatalf("no attendance saved (%d, %v)", saved, err)
	}
	checkRollups(t, app, "after random concurrent saves")
	var pending int
	if err := app.Pool.QueryRow(ctx, `SELECT count(*) FROM stats_pending`).Scan(&pending); err != nil || pending != 0 {
		t.Errorf("stats_pending keeps %d rows after the commits (%v)", pending, err)
	}

	// Deleting the meetings (attendance and credits go by cascade) leaves
	// the rollups exact too.
	if _, err := app.Pool.Exec(ctx, `DELETE FROM meetings WHERE id = ANY ($1)`, meetings[:3]); err != nil {
		t.Fatal(err)
	}
	checkRollups(t, app, "after deleting meetings")
}
