package org

import (
	"testing"
	"time"
)

var today = time.Date(2026, 11, 27, 0, 0, 0, 0, time.UTC)

func TestWarnings(t *testing.T) {
	withPosts := func(n int) *Term {
		tm := &Term{}
		for i := 0; i < n; i++ {
			tm.Posts = append(tm.Posts, Post{})
		}
		return tm
	}
	cases := []struct {
		name string
		o    Org
		term *Term
		want []string
	}{
		{"healthy small", Org{Kind: "branch", FullMembers: 5, Members: 6}, withPosts(1), nil},
		{"too few", Org{Kind: "branch", FullMembers: 2, Members: 3}, withPosts(1), []string{"org.warn.too_few"}},
		{"too many", Org{Kind: "branch", FullMembers: 45, Members: 51}, withPosts(5), []string{"org.warn.too_many"}},
		{"no committee", Org{Kind: "branch", FullMembers: 7, Members: 8}, withPosts(1), []string{"org.warn.no_committee"}},
		{"no term at all", Org{Kind: "branch", FullMembers: 9, Members: 9}, nil, []string{"org.warn.no_committee"}},
		{"not a branch", Org{Kind: "general_branch", FullMembers: 1}, nil, nil},
	}
	for _, c := range cases {
		got := Warnings(&c.o, c.term)
		if len(got) != len(c.want) || (len(got) > 0 && got[0] != c.want[0]) {
			t.Errorf("%s: %v, want %v", c.name, got, c.want)
		}
	}
}

func TestTermState(t *testing.T) {
	ended := today
	cases := []struct {
		due   time.Time
		ended *time.Time
		want  string
	}{
		{today.AddDate(0, 0, -1), nil, "overdue"},
		{today, nil, "due"},
		{today.AddDate(0, 0, 89), nil, "due"},
		{today.AddDate(0, 0, 90), nil, "due"}, // exactly the reminder's days
		{today.AddDate(0, 0, 91), nil, ""},    // a day over
		{today.AddDate(-1, 0, 0), &ended, ""},
	}
	for _, c := range cases {
		if got := TermState(&Term{DueOn: c.due, EndedOn: c.ended}, today, 90); got != c.want {
			t.Errorf("due %v: %q, want %q", c.due, got, c.want)
		}
	}
}

func TestTermFormDefaultsAndRules(t *testing.T) {
	cands := []Candidate{{ID: 1}, {ID: 2}}
	f := TermForm{TermNo: "3", ElectedOn: "2025-06-01", Posts: map[string]string{"secretary": "1", "deputy": "2"}}
	v, errs := f.Validate("committee", 5, cands, today)
	if len(errs) != 0 || !v.DueOn.Equal(time.Date(2030, 6, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("committee term: %v due %v", errs, v.DueOn)
	}
	bad := []struct {
		f     TermForm
		field string
	}{
		{TermForm{TermNo: "0", ElectedOn: "2025-06-01", Posts: map[string]string{"secretary": "1"}}, "term_no"},
		{TermForm{TermNo: "1", ElectedOn: "2025-06-01", DueOn: "2025-01-01", Posts: map[string]string{"secretary": "1"}}, "due_on"},
		{TermForm{TermNo: "1", ElectedOn: "2025-06-01", Posts: map[string]string{}}, "post_secretary"},
		{TermForm{TermNo: "1", ElectedOn: "2025-06-01", Posts: map[string]string{"secretary": "1", "deputy": "1"}}, "post_deputy"},
		{TermForm{TermNo: "1", ElectedOn: "2025-06-01", Posts: map[string]string{"secretary": "9"}}, "post_secretary"},
		{TermForm{TermNo: "1", ElectedOn: "2099-06-01", Posts: map[string]string{"secretary": "1"}}, "elected_on"},
	}
	for _, b := range bad {
		_, errs := b.f.Validate("branch", 3, cands, today)
		if errs[b.field] == "" {
			t.Errorf("%+v: no error on %s (%v)", b.f, b.field, errs)
		}
	}
}

func TestFormParentKinds(t *testing.T) {
	cases := []struct {
		kind, parent string
		ok           bool
	}{
		{"committee", "", true}, {"general_branch", "committee", true}, {"branch", "general_branch", true},
		{"branch", "committee", true}, {"group", "branch", true}, {"group", "committee", false},
		{"branch", "", false}, {"branch", "group", false}, {"general_branch", "general_branch", false},
	}
	for _, c := range cases {
		f := Form{Kind: c.kind, Name: "x", EstablishedOn: "2020-01-01"}
		if c.parent != "" {
			f.ParentID = "5"
		}
		_, errs := f.Validate(true, c.parent, today)
		if (errs["parent_id"] == "") != c.ok {
			t.Errorf("%s under %q: %v", c.kind, c.parent, errs)
		}
	}
}
