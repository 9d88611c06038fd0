// Package auth signs people in and out, keeps their sessions in
// PostgreSQL, hashes passwords, and says what each signed-in person may see.
package auth

import (
	"context"
	"slices"
)

// Role is a job a person holds in Zhibu. Scoped roles carry an organisation.
type Role string

// The roles. Secretary, branch committee and reviewer are scoped to an
// organisation; the three administrators are separate (三员分立).
const (
	RoleMember          Role = "member"
	RoleSecretary       Role = "secretary"
	RoleBranchCommittee Role = "branch_committee"
	RoleReviewer        Role = "reviewer"
	RoleSysAdmin        Role = "sysadmin"
	RoleSecAdmin        Role = "secadmin"
	RoleAuditAdmin      Role = "auditadmin"
)

// Roles lists every role, in the order they are shown.
var Roles = []Role{RoleMember, RoleSecretary, RoleBranchCommittee, RoleReviewer, RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin}

// Grant is a role held, with the organisation it applies to (0 if none).
type Grant struct {
	Role  Role
	OrgID int64
}

// User is the signed-in person of a request.
type User struct {
	AccountID   int64
	Username    string
	DisplayName string
	MemberID    int64 // 0 when the account is not a member's
	Grants      []Grant
	Demo        bool
	Language    string
	// MustChangePassword is set at first sign-in, after a reset, and when
	// the password is older than the policy allows (demo accounts excepted).
	MustChangePassword bool
	// TOTPEnabled: the account signs in with a second factor.
	TOTPEnabled bool
}

// NeedsTOTP reports whether the user must enrol a second factor before
// doing anything else: administrators and reviewers must have one, except
// on demo accounts.
func (u *User) NeedsTOTP() bool {
	if u == nil || u.Demo || u.TOTPEnabled {
		return false
	}
	return u.Has(RoleSysAdmin) || u.Has(RoleSecAdmin) || u.Has(RoleAuditAdmin) || u.Has(RoleReviewer)
}

// IsAdmin reports whether the user holds one of the three administrator roles.
func (u *User) IsAdmin() bool {
	return u.Has(RoleSysAdmin) || u.Has(RoleSecAdmin) || u.Has(RoleAuditAdmin)
}

// Has reports whether the user holds role r.
func (u *User) Has(r Role) bool {
	if u == nil {
		return false
	}
	return slices.ContainsFunc(u.Grants, func(g Grant) bool { return g.Role == r })
}

// OrgOf returns the organisation a scoped role applies to, 0 when not held.
func (u *User) OrgOf(r Role) int64 {
	if u == nil {
		return 0
	}
	for _, g := range u.Grants {
		if g.Role == r {
			return g.OrgID
		}
	}
	return 0
}

// BranchID is the branch a secretary or committee member runs, 0 if none.
func (u *User) BranchID() int64 {
	if id := u.OrgOf(RoleSecretary); id != 0 {
		return id
	}
	return u.OrgOf(RoleBranchCommittee)
}

// MainRole is the most senior role, used to label the person in the header.
func (u *User) MainRole() Role {
	for _, r := range []Role{RoleSysAdmin, RoleSecAdmin, RoleAuditAdmin, RoleReviewer, RoleSecretary, RoleBranchCommittee, RoleMember} {
		if u.Has(r) {
			return r
		}
	}
	return RoleMember
}

type userKey struct{}

// WithUser returns a context carrying the signed-in user.
func WithUser(ctx context.Context, u *User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// UserOf returns the signed-in user of the context, or nil.
func UserOf(ctx context.Context) *User {
	u, _ := ctx.Value(userKey{}).(*User)
	return u
}
