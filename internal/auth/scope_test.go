package auth

import "testing"

func TestScopes(t *testing.T) {
	sec := &User{Grants: []Grant{{RoleSecretary, 7}, {RoleMember, 0}}}
	rev := &User{Grants: []Grant{{RoleReviewer, 1}}}
	mem := &User{Grants: []Grant{{RoleMember, 0}}}
	branch := []int64{1, 3, 7}
	group := []int64{1, 3, 7, 9}
	other := []int64{1, 3, 8}
	cases := []struct {
		name        string
		u           *User
		path        []int64
		read, write bool
	}{
		{"secretary own branch", sec, branch, true, true},
		{"secretary own group", sec, group, true, true},
		{"secretary other branch", sec, other, false, false},
		{"reviewer subtree", rev, other, true, false},
		{"reviewer outside", rev, []int64{2, 5}, false, false},
		{"member", mem, branch, false, false},
	}
	for _, c := range cases {
		if got := c.u.CanRead(c.path); got != c.read {
			t.Errorf("%s: read %v, want %v", c.name, got, c.read)
		}
		if got := c.u.CanWrite(c.path); got != c.write {
			t.Errorf("%s: write %v, want %v", c.name, got, c.write)
		}
	}
	if sec.BranchID() != 7 || rev.BranchID() != 0 {
		t.Error("BranchID")
	}
}
