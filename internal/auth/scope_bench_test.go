package auth

import "testing"

// A reviewer over a committee and a secretary of one branch, checking a
// group four levels down (root → committee → general branch → branch → group).
var (
	benchReviewer  = &User{Grants: []Grant{{RoleReviewer, 2}, {RoleMember, 0}}}
	benchSecretary = &User{Grants: []Grant{{RoleSecretary, 777}, {RoleMember, 0}}}
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

func BenchmarkReadRoots(b *testing.B) {
	for b.Loop() {
		if len(benchReviewer.ReadRoots()) != 1 {
			b.Fatal("wrong answer")
		}
	}
}
