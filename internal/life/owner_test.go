package life_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"zhibu/internal/dbtest"
	"zhibu/internal/life"
	"zhibu/internal/meeting"
)

// TestRemoveParticipantWhileAttendanceIsSaved removes a held life
// meeting's participant while the meeting's attendance form is saved, 200
// times: both writers go through the meeting package, which locks the
// meeting before touching attendance, so neither deadlocks, and the
// removed participant's attendance never comes back with the save.
func TestRemoveParticipantWhileAttendanceIsSaved(t *testing.T) {
	pool := dbtest.New(t)
	ctx := t.Context()
	var branch int64
	if err := pool.QueryRow(ctx, `
WITH c AS (INSERT INTO organisations (kind, name, established_on) VALUES ('committee', '机关党委', '2015-01-01') RETURNING id)
INSERT INTO organisations (parent_id, kind, name, established_on) SELECT id, 'branch', '第一支部', '2015-01-01' FROM c RETURNING id`).Scan(&branch); err != nil {
		t.Fatal(err)
	}
	var members []int64
	for _, name := range []string{"甲", "乙", "丙"} {
		var id int64
		if err := pool.QueryRow(ctx, `INSERT INTO members (branch_id, name, gender, birth_date, category, applied_on, admitted_on, converted_on)
VALUES ($1, $2, 'male', '1980-01-01', 'full', '2000-01-01', '2001-01-01', '2002-01-01') RETURNING id`, branch, name).Scan(&id); err != nil {
			t.Fatal(err)
		}
		members = append(members, id)
	}
	victim := members[2]
	var lifeID int64
	inTx(t, pool, func(tx pgx.Tx) (err error) {
		lifeID, err = life.Create(ctx, tx, life.NewLife{OrgID: branch, Year: time.Now().Year(), Theme: "主题"})
		return err
	})
	l := getLife(t, pool, lifeID)
	hold := life.HoldInput{StartsAt: time.Now().Add(-time.Hour), Hours: 1, Place: "会议室", Attendance: map[int64]life.AttendanceInput{}}
	for _, m := range members {
		hold.Attendance[m] = life.AttendanceInput{Status: "present"}
	}
	inTx(t, pool, func(tx pgx.Tx) error { return life.Hold(ctx, tx, l, hold) })
	l = getLife(t, pool, lifeID)
	meetingID := *l.MeetingID
	store := meeting.NewStore(pool)

	saved, conflicts := 0, 0
	for round := range 200 {
		status := []string{"present", "absent"}[round%2]
		rows := []meeting.Attendance{
			{MemberID: members[0], Status: "present", Hours: 1},
			{MemberID: members[1], Status: status, Hours: 1},
			{MemberID: victim, Status: status, Hours: 1},
		}
		version := meetingVersionOf(t, pool, meetingID)
		var removeErr, saveErr error
		var wg sync.WaitGroup
		wg.Go(func() {
			removeErr = pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error { return life.RemoveParticipant(ctx, tx, l, victim) })
		})
		wg.Go(func() { saveErr = store.SaveAttendance(ctx, meetingID, version, rows) })
		wg.Wait()
		if removeErr != nil {
			t.Fatalf("round %d: remove: %v", round, removeErr)
		}
		switch {
		case saveErr == nil:
			saved++
		case meeting.IsConflict(saveErr):
			conflicts++
		default:
			t.Fatalf("round %d: save: %v", round, saveErr)
		}
		got := attendanceOf(t, pool, meetingID)
		if _, ok := got[victim]; ok {
			t.Fatalf("round %d: the removed participant's attendance came back: %v", round, got)
		}
		if len(got) != 2 || got[members[0]] != "present" {
			t.Fatalf("round %d: attendance %v", round, got)
		}
		if saveErr == nil && got[members[1]] != status {
			t.Fatalf("round %d: saved %s, found %v", round, status, got)
		}
		// Put the participant back for the next round.
		inTx(t, pool, func(tx pgx.Tx) error { return life.AddParticipant(ctx, tx, lifeID, victim) })
		rows[2].Status = []string{"absent", "present"}[round%2]
		if err := store.SaveAttendance(ctx, meetingID, meetingVersionOf(t, pool, meetingID), rows); err != nil {
			t.Fatalf("round %d: put back: %v", round, err)
		}
	}
	t.Logf("%d saves, %d stale saves refused", saved, conflicts)
}

func inTx(t *testing.T, pool *pgxpool.Pool, fn func(pgx.Tx) error) {
	t.Helper()
	if err := pgx.BeginFunc(t.Context(), pool, fn); err != nil {
		t.Fatal(err)
	}
}

func getLife(t *testing.T, pool *pgxpool.Pool, id int64) life.Life {
	t.Helper()
	l, err := life.Get(t.Context(), pool, id)
	if err != nil {
		t.Fatal(err)
	}
	return l
}

func meetingVersionOf(t *testing.T, pool *pgxpool.Pool, id int64) int {
	t.Helper()
	var v int
	if err := pool.QueryRow(t.Context(), `SELECT version FROM meetings WHERE id = $1`, id).Scan(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

func attendanceOf(t *testing.T, pool *pgxpool.Pool, id int64) map[int64]string {
	t.Helper()
	rows, err := pool.Query(context.Background(), `SELECT member_id, status FROM attendance WHERE meeting_id = $1`, id)
	if err != nil {
		t.Fatal(err)
	}
	out := map[int64]string{}
	var m int64
	var s string
	if _, err := pgx.ForEachRow(rows, []any{&m, &s}, func() error { out[m] = s; return nil }); err != nil {
		t.Fatal(err)
	}
	return out
}
