package auth

import (
	"context"
	"errors"
	"slices"
	"testing"

	"zhibu/internal/apperr"
)

// The tree of these tests: 1 root → 3 committee → 7 branch → 9 group;
// 3 → 8 another branch; 2 → 5 another committee's branch.
var (
	branch = []int64{1, 3, 7}
	group  = []int64{1, 3, 7, 9}
	other  = []int64{1, 3, 8}
	cttee  = []int64{1, 3}
	far    = []int64{1, 2, 5}
)

func TestScopeOfEachRole(t *testing.T) {
	cases := []struct {
		name               string
		u                  *User
		read, write        []int64
		committee          int64
		wholeTree          bool
		readable, writable [][]int64
		committeeWritable  [][]int64
		unreadable, rdOnly [][]int64
	}{
		{name: "nobody", u: nil, unreadable: [][]int64{branch, group, other, cttee, far}},
		{name: "member", u: &User{Grants: []Grant{{RoleMember, 0}}}, unreadable: [][]int64{branch, group, other, cttee, far}},
		{name: "secretary", u: &User{Grants: []Grant{{RoleSecretary, 7}, {RoleMember, 0}}},
			read: []int64{7}, write: []int64{7},
			readable: [][]int64{branch, group}, writable: [][]int64{branch, group}, unreadable: [][]int64{other, cttee, far}},
		{name: "branch committee", u: &User{Grants: []Grant{{RoleBranchCommittee, 8}}},
			read: []int64{8}, write: []int64{8},
			readable: [][]int64{other}, writable: [][]int64{other}, unreadable: [][]int64{branch, group, cttee, far}},
		{name: "reviewer", u: &User{Grants: []Grant{{RoleReviewer, 3}, {RoleMember, 0}}},
			read: []int64{3}, committee: 3,
			readable: [][]int64{branch, group, other, cttee}, rdOnly: [][]int64{branch, group, other, cttee},
			committeeWritable: [][]int64{cttee, branch, group, other}, unreadable: [][]int64{far}},
		{name: "reviewer and secretary", u: &User{Grants: []Grant{{RoleSecretary, 7}, {RoleReviewer, 3}, {RoleReviewer, 7}}},
			read: []int64{7, 3}, write: []int64{7}, committee: 3,
			readable: [][]int64{branch, group, other, cttee}, writable: [][]int64{branch, group}, rdOnly: [][]int64{other, cttee},
			committeeWritable: [][]int64{cttee, branch, group, other}, unreadable: [][]int64{far}},
		{name: "system administrator", u: &User{Grants: []Grant{{RoleSysAdmin, 0}}}, wholeTree: true,
			unreadable: [][]int64{branch, group, other, cttee, far}},
		{name: "security administrator", u: &User{Grants: []Grant{{RoleSecAdmin, 0}}}, unreadable: [][]int64{branch, far}},
		{name: "audit administrator", u: &User{Grants: []Grant{{RoleAuditAdmin, 0}}}, unreadable: [][]int64{branch, far}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := ScopeOf(WithScope(context.Background(), NewScope(c.u)))
			if !slices.Equal(s.ReadRoots(), c.read) || !slices.Equal(s.WriteRoots(), c.write) {
				t.Errorf("roots: read %v write %v, want %v and %v", s.ReadRoots(), s.WriteRoots(), c.read, c.write)
			}
			if s.Committee() != c.committee || s.SeesWholeTree() != c.wholeTree || s.Writes() != (len(c.write) > 0) {
				t.Errorf("committee %d, whole tree %v, writes %v", s.Committee(), s.SeesWholeTree(), s.Writes())
			}
			for _, p := range c.readable {
				if !s.CanRead(p) || s.CheckRead(p) != nil || !s.CanSeeOrg(p) {
					t.Errorf("%v not readable", p)
				}
			}
			for _, p := range c.writable {
				if !s.CanWrite(p) || s.CheckWrite(p) != nil {
					t.Errorf("%v not writable", p)
				}
			}
			for _, p := range c.rdOnly {
				if s.CanWrite(p) || !errors.Is(s.CheckWrite(p), apperr.ErrForbidden) {
					t.Errorf("%v: write check %v, want forbidden", p, s.CheckWrite(p))
				}
			}
			for _, p := range c.unreadable {
				if s.CanRead(p) || s.CanWrite(p) || s.CanWriteCommittee(p) {
					t.Errorf("%v reachable", p)
				}
				if !errors.Is(s.CheckRead(p), apperr.ErrNotFound) || !errors.Is(s.CheckWrite(p), apperr.ErrNotFound) {
					t.Errorf("%v: checks %v, %v, want not found", p, s.CheckRead(p), s.CheckWrite(p))
				}
				if s.CanSeeOrg(p) != c.wholeTree {
					t.Errorf("%v: sees org %v", p, s.CanSeeOrg(p))
				}
			}
			for _, p := range [][]int64{branch, group, other, cttee, far} {
				if got, want := s.CanWriteCommittee(p), slices.ContainsFunc(c.committeeWritable, func(q []int64) bool { return slices.Equal(p, q) }); got != want {
					t.Errorf("%v: committee write %v, want %v", p, got, want)
				}
			}
		})
	}
}

// The roots are copies: a caller changing them does not widen the scope.
func TestScopeRootsAreCopies(t *testing.T) {
	s := NewScope(&User{Grants: []Grant{{RoleSecretary, 7}}})
	s.ReadRoots()[0] = 8
	s.WriteRoots()[0] = 8
	if s.CanRead(other) || s.CanWrite(other) {
		t.Error("changing the returned roots changed the scope")
	}
}

// A context without a scope reads nothing.
func TestScopeOfEmptyContext(t *testing.T) {
	s := ScopeOf(context.Background())
	if s.CanRead(branch) || s.Writes() || s.Committee() != 0 || s.ReadRoots() != nil {
		t.Errorf("empty context's scope reaches something: %+v", s)
	}
	if !errors.Is(s.CheckRead(branch), apperr.ErrNotFound) {
		t.Error("empty scope's read check is not a 404")
	}
}

func TestBranchID(t *testing.T) {
	sec := &User{Grants: []Grant{{RoleSecretary, 7}, {RoleMember, 0}}}
	rev := &User{Grants: []Grant{{RoleReviewer, 1}}}
	if sec.BranchID() != 7 || rev.BranchID() != 0 {
		t.Error("BranchID")
	}
}
