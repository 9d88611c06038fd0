package auth

import "testing"

// A reviewer over a committee and a secretary of one branch, checking a
// group four levels down (root → committee → general branch → branch → group).
var (
	benchReviewer  = NewScope(&User{Grants: []Grant{{RoleReviewer, 2}, {RoleMember, 0}}})
	benchSecretary = NewScope(&User{Grants: []Grant{{RoleSecretary, 777}, {RoleMember, 0}}})
	benchPath      = []int64{1, 2, 640, 777, 11020}
	benchOther     = []int64{1, 3, 650, 778}
)

func BenchmarkCanRead(b *testing.B) {
	for b.Loop() {
		if !benchReviewer.CanRead(benchPath) || benchSecretary.CanRead(benchOther) {
			b.Fatal("wrong answer")
		}
	}
}

func BenchmarkCanWrite(b *testing.B) {
	for b.Loop() {
		if !benchSecretary.CanWrite(benchPath) || benchReviewer.CanWrite(benchPath) {
			b.Fatal("wrong answer")
		}
	}
}

func BenchmarkNewScope(b *testing.B) {
	u := &User{Grants: []Grant{{RoleReviewer, 2}, {RoleSecretary, 777}, {RoleMember, 0}}}
	for b.Loop() {
		if len(NewScope(u).ReadRoots()) != 2 {
			b.Fatal("wrong answer")
		}
	}
}
