package plans

import (
	"testing"
	"time"
)

func day(s string) time.Time {
	d, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return d
}

// TestOverdueBoundaries: a task to do is late from the day after its due
// day, never on it; at month ends and on 29 February alike.
func TestOverdueBoundaries(t *testing.T) {
	t.Parallel()
	cases := []struct {
		state, due, today string
		want              bool
	}{
		{Open, "2026-06-30", "2026-06-29", false}, // a day short
		{Open, "2026-06-30", "2026-06-30", false}, // on the day
		{Open, "2026-06-30", "2026-07-01", true},  // a day over
		{Returned, "2026-06-30", "2026-07-01", true},
		{Answered, "2026-06-30", "2026-07-01", false}, // waiting for the committee
		{Accepted, "2026-06-30", "2027-01-01", false},
		{Open, "2027-01-31", "2027-01-31", false}, // month end
		{Open, "2027-01-31", "2027-02-01", true},
		{Open, "2026-12-31", "2027-01-01", true},  // year end
		{Open, "2028-02-29", "2028-02-28", false}, // 29 February
		{Open, "2028-02-29", "2028-02-29", false},
		{Open, "2028-02-29", "2028-03-01", true},
	}
	for _, c := range cases {
		if got := IsOverdue(c.state, day(c.due), day(c.today)); got != c.want {
			t.Errorf("IsOverdue(%s, due %s, today %s) = %v, want %v", c.state, c.due, c.today, got, c.want)
		}
		wantShown := c.state
		if c.want {
			wantShown = Overdue
		}
		if got := Shown(c.state, day(c.due), day(c.today)); got != wantShown {
			t.Errorf("Shown(%s, %s, %s) = %s, want %s", c.state, c.due, c.today, got, wantShown)
		}
	}
}

// TestAnsweredLate: an answer on the due day is on time, the day after late.
func TestAnsweredLate(t *testing.T) {
	t.Parallel()
	due := day("2028-02-29")
	for _, c := range []struct {
		on   string
		want bool
	}{{"2028-02-28", false}, {"2028-02-29", false}, {"2028-03-01", true}} {
		on := day(c.on)
		if got := AnsweredLate(&on, due); got != c.want {
			t.Errorf("answered %s, due %s: late %v, want %v", c.on, due.Format(time.DateOnly), got, c.want)
		}
	}
	if AnsweredLate(nil, due) {
		t.Error("an unanswered task is not answered late")
	}
}

// TestTaskFormValidation: each bad field gets its own message; the due day
// must fall in the plan's year or its first quarter after.
func TestTaskFormValidation(t *testing.T) {
	t.Parallel()
	orgs := []Org{{ID: 7, Name: "办公室党支部", Kind: "branch"}}
	cases := []struct {
		name  string
		f     TaskForm
		field string
	}{
		{"no title", TaskForm{Year: "2026", DueOn: "2026-06-30", Target: "all", DoneBy: "report"}, "title"},
		{"bad date", TaskForm{Year: "2026", Title: "x", DueOn: "2026-02-30", Target: "all", DoneBy: "report"}, "due_on"},
		{"due before the year", TaskForm{Year: "2026", Title: "x", DueOn: "2025-12-31", Target: "all", DoneBy: "report"}, "due_on"},
		{"due after March next year", TaskForm{Year: "2026", Title: "x", DueOn: "2027-04-01", Target: "all", DoneBy: "report"}, "due_on"},
		{"meeting without kind", TaskForm{Year: "2026", Title: "x", DueOn: "2026-06-30", Target: "all", DoneBy: "meeting"}, "meeting_kind"},
		{"list of strangers", TaskForm{Year: "2026", Title: "x", DueOn: "2026-06-30", Target: "list", List: []string{"8"}, DoneBy: "report"}, "org_id"},
		{"empty list", TaskForm{Year: "2026", Title: "x", DueOn: "2026-06-30", Target: "list", DoneBy: "report"}, "org_id"},
		{"kind unknown", TaskForm{Year: "2026", Title: "x", DueOn: "2026-06-30", Target: "kind", TargetKind: "group", DoneBy: "report"}, "target_kind"},
	}
	for _, c := range cases {
		c.f.Orgs = orgs
		c.f.Validate(1)
		if c.f.Errors[c.field] == "" {
			t.Errorf("%s: no message on %s (%v)", c.name, c.field, c.f.Errors)
		}
	}
	ok := TaskForm{Year: "2026", Title: "x", DueOn: "2027-03-31", Target: "list", List: []string{"7", "7"}, DoneBy: "meeting", MeetingKind: "org_life", Orgs: orgs}
	in := ok.Validate(1)
	if ok.Errors.Any() || len(in.List) != 1 || in.MeetingKind == nil || *in.MeetingKind != "org_life" {
		t.Errorf("valid form: errors %v, input %+v", ok.Errors, in)
	}
}

// TestAnswerFormValidation: what counts as done decides what is required.
func TestAnswerFormValidation(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		doneBy string
		f      AnswerForm
		field  string
	}{
		{"meeting missing", "meeting", AnswerForm{Version: "1"}, "meeting_id"},
		{"meeting not the branch's", "meeting", AnswerForm{Version: "1", MeetingID: "99"}, "meeting_id"},
		{"report too short", "report", AnswerForm{Version: "1", Note: "已完成"}, "note"},
		{"document with nothing", "document", AnswerForm{Version: "1"}, "note"},
		{"script link", "document", AnswerForm{Version: "1", Note: "见附件", Link: "javascript:alert(1)"}, "link"},
		{"protocol-relative link", "document", AnswerForm{Version: "1", Note: "见附件", Link: "//evil.example/x"}, "link"},
	}
	for _, c := range cases {
		c.f.Validate(Answer{DoneBy: c.doneBy})
		if c.f.Errors[c.field] == "" {
			t.Errorf("%s: no message on %s (%v)", c.name, c.field, c.f.Errors)
		}
	}
	good := AnswerForm{Version: "3", Note: "材料已报送机关党委办公室。", Link: "/meetings/12"}
	in, v := good.Validate(Answer{DoneBy: "document"})
	if good.Errors.Any() || v != 3 || in.Link != "/meetings/12" {
		t.Errorf("valid answer: %v %d %+v", good.Errors, v, in)
	}
}
