package admin

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// SettingsForm is the security settings form: what was typed, messages,
// and on a conflict the newer saved values.
type SettingsForm struct {
	LockAfter, LockMinutes, MinLength, MaxAgeDays, Version string
	Errors                                                 ui.Errors
	Newer                                                  *auth.Settings
}

func settingsForm(s auth.Settings) SettingsForm {
	return SettingsForm{LockAfter: strconv.Itoa(s.LockAfter), LockMinutes: strconv.Itoa(s.LockMinutes), MinLength: strconv.Itoa(s.PasswordMinLength),
		MaxAgeDays: strconv.Itoa(s.PasswordMaxAgeDays), Version: strconv.Itoa(s.Version), Errors: ui.Errors{}}
}

// ParseSettingsForm reads the settings form; each number must lie within
// the bounds the database also enforces.
func ParseSettingsForm(v url.Values) (auth.Settings, SettingsForm) {
	f := SettingsForm{LockAfter: strings.TrimSpace(v.Get("lock_after")), LockMinutes: strings.TrimSpace(v.Get("lock_minutes")),
		MinLength: strings.TrimSpace(v.Get("password_min_length")), MaxAgeDays: strings.TrimSpace(v.Get("password_max_age_days")),
		Version: strings.TrimSpace(v.Get("version")), Errors: ui.Errors{}}
	var s auth.Settings
	num := func(field, text string, lo, hi int, dst *int) {
		n, err := strconv.Atoi(text)
		if err != nil || n < lo || n > hi {
			f.Errors.Add(field, "admin.settings."+field+"_range")
			return
		}
		*dst = n
	}
	num("lock_after", f.LockAfter, 3, 20, &s.LockAfter)
	num("lock_minutes", f.LockMinutes, 1, 1440, &s.LockMinutes)
	num("password_min_length", f.MinLength, 8, 64, &s.PasswordMinLength)
	num("password_max_age_days", f.MaxAgeDays, 1, 365, &s.PasswordMaxAgeDays)
	if n, err := strconv.Atoi(f.Version); err == nil && n > 0 {
		s.Version = n
	} else {
		f.Errors.Add("version", "admin.settings.version_range")
	}
	return s, f
}

// SecurityPage is the security administrator's page.
type SecurityPage struct {
	Settings SettingsForm
	Locked   []AccountRow
	Accounts AccountsPage
}

func (h *Handler) securityPage(r *http.Request, f *SettingsForm) (SecurityPage, error) {
	ctx := r.Context()
	var p SecurityPage
	if f == nil {
		s, err := auth.LoadSettings(ctx, h.pool)
		if err != nil {
			return p, err
		}
		p.Settings = settingsForm(s)
	} else {
		p.Settings = *f
	}
	locked, _, err := listAccounts(ctx, h.pool, "", true, "", false, 1)
	if err != nil {
		return p, err
	}
	p.Locked = locked
	p.Accounts, err = h.accountsPage(r, "/admin/security")
	return p, err
}

// Security shows the password and lock-out settings, the locked accounts,
// and the account search leading to role grants.
func (h *Handler) Security(w http.ResponseWriter, r *http.Request) error {
	p, err := h.securityPage(r, nil)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, SecurityView(p))
}

const updateSettingsSQL = `
UPDATE security_settings
   SET lock_after = $2, lock_minutes = $3, password_min_length = $4, password_max_age_days = $5,
       version = version + 1, updated_at = now()
 WHERE id = 1 AND version = $1`

// SaveSettings stores the settings; an edit based on an older version is a 409.
func (h *Handler) SaveSettings(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("admin: form: %w", apperr.ErrInvalid)
	}
	ctx := r.Context()
	s, f := ParseSettingsForm(r.PostForm)
	if f.Errors.Any() {
		p, err := h.securityPage(r, &f)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, SecurityView(p))
	}
	err := pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		before, err := auth.LoadSettings(ctx, tx)
		if err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, updateSettingsSQL, s.Version, s.LockAfter, s.LockMinutes, s.PasswordMinLength, s.PasswordMaxAgeDays)
		if err != nil {
			return fmt.Errorf("admin: save settings: %w", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("admin: settings version %d: %w", s.Version, apperr.ErrConflict)
		}
		s.Version = before.Version + 1
		return audit.Record(ctx, tx, audit.Event{Action: "security.settings_changed", Entity: "security_settings", EntityID: 1, Before: before, After: s})
	})
	if errors.Is(err, apperr.ErrConflict) {
		newer, err := auth.LoadSettings(ctx, h.pool)
		if err != nil {
			return err
		}
		f.Newer = &newer
		f.Version = strconv.Itoa(newer.Version)
		p, err := h.securityPage(r, &f)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusConflict, SecurityView(p))
	}
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/security", "admin.settings_saved")
}

// GrantsPage is one account's roles for the security administrator.
type GrantsPage struct {
	Account Account
	Self    bool
	Orgs    []ui.Option
	Role    string
	OrgID   string
	Errors  ui.Errors
}

func (h *Handler) grantsPage(r *http.Request, id int64) (GrantsPage, error) {
	ctx := r.Context()
	a, err := loadAccount(ctx, h.pool, id)
	if err != nil {
		return GrantsPage{}, err
	}
	rows, err := h.pool.Query(ctx, `SELECT id::text, name FROM organisations WHERE dissolved_on IS NULL AND kind <> 'group' ORDER BY path`)
	if err != nil {
		return GrantsPage{}, fmt.Errorf("admin: organisations: %w", err)
	}
	orgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (ui.Option, error) {
		o := ui.Option{Literal: true}
		err := r.Scan(&o.Value, &o.Label)
		return o, err
	})
	if err != nil {
		return GrantsPage{}, fmt.Errorf("admin: organisations: %w", err)
	}
	orgs = append([]ui.Option{{Value: "", Label: "admin.no_org"}}, orgs...)
	return GrantsPage{Account: a, Self: a.ID == auth.UserOf(ctx).AccountID, Orgs: orgs, Errors: ui.Errors{}}, nil
}

// Grants shows an account's roles with the grant and revoke forms.
func (h *Handler) Grants(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	p, err := h.grantsPage(r, id)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, GrantsView(p))
}

// GrantInput is a parsed grant form.
type GrantInput struct {
	Role  string
	OrgID int64
}

// ParseGrantForm reads a grant: a known role, and an organisation exactly
// when the role is scoped to one.
func ParseGrantForm(v url.Values) (GrantInput, ui.Errors) {
	in := GrantInput{Role: strings.TrimSpace(v.Get("role"))}
	errs := ui.Errors{}
	if !slices.Contains(auth.Roles, auth.Role(in.Role)) {
		errs.Add("role", "admin.role_invalid")
		return in, errs
	}
	org := strings.TrimSpace(v.Get("org_id"))
	if org != "" {
		n, err := strconv.ParseInt(org, 10, 64)
		if err != nil || n <= 0 {
			errs.Add("org_id", "admin.org_invalid")
		}
		in.OrgID = n
	}
	if isScopedRole(in.Role) && in.OrgID == 0 {
		errs.Add("org_id", "admin.org_required")
	}
	if !isScopedRole(in.Role) && org != "" {
		errs.Add("org_id", "admin.org_not_allowed")
	}
	return in, errs
}

// grantProblem applies the separation of duties to a grant: nobody grants
// themselves a role; an administrator role goes only to an account with
// no other role, and an administrator gets no other role; a member role
// needs an account linked to a member.
func grantProblem(a Account, self bool, in GrantInput) (string, string) {
	switch {
	case self:
		return "role", "admin.not_yourself"
	case slices.ContainsFunc(a.Grants, func(g GrantRow) bool { return g.Role == in.Role }):
		return "role", "admin.role_held"
	case isAdminRole(in.Role) && len(a.Grants) > 0:
		return "role", "admin.admin_alone"
	case !isAdminRole(in.Role) && a.IsAdmin():
		return "role", "admin.admin_alone"
	case (in.Role == string(auth.RoleMember) || in.Role == string(auth.RoleSecretary) || in.Role == string(auth.RoleBranchCommittee)) && a.MemberID == nil:
		return "role", "admin.needs_member"
	}
	return "", ""
}

// Grant gives an account a role. The account's sessions end, so that it
// signs in again with a new token and its new rights.
func (h *Handler) Grant(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("admin: form: %w", apperr.ErrInvalid)
	}
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := h.grantsPage(r, id)
	if err != nil {
		return err
	}
	in, errs := ParseGrantForm(r.PostForm)
	if !errs.Any() {
		if field, key := grantProblem(p.Account, p.Self, in); key != "" {
			errs.Add(field, key)
		}
	}
	if !errs.Any() && in.OrgID != 0 {
		if _, err := auth.OrgPath(ctx, h.pool, in.OrgID); errors.Is(err, apperr.ErrNotFound) {
			errs.Add("org_id", "admin.org_invalid")
		} else if err != nil {
			return err
		}
	}
	if errs.Any() {
		p.Role, p.OrgID, p.Errors = in.Role, r.PostFormValue("org_id"), errs
		return ui.Render(w, r, http.StatusUnprocessableEntity, GrantsView(p))
	}
	err = h.change(ctx, id, "role.granted", func(tx pgx.Tx, _ Account) error {
		var org *int64
		if in.OrgID != 0 {
			org = &in.OrgID
		}
		if err := auth.GrantRole(ctx, tx, id, in.Role, org); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/security/accounts/"+strconv.FormatInt(id, 10), "admin.role_granted")
}

// Revoke takes a role away (after confirmation) and ends the account's sessions.
func (h *Handler) Revoke(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := h.grantsPage(r, id)
	if err != nil {
		return err
	}
	role := r.PostFormValue("role")
	errs := ui.Errors{}
	switch {
	case p.Self:
		errs.Add("revoke", "admin.not_yourself")
	case !slices.ContainsFunc(p.Account.Grants, func(g GrantRow) bool { return g.Role == role }):
		errs.Add("revoke", "admin.role_invalid")
	case r.PostFormValue("confirm") != "yes":
		errs.Add("revoke", "admin.confirm_required")
	}
	if errs.Any() {
		p.Errors = errs
		return ui.Render(w, r, http.StatusUnprocessableEntity, GrantsView(p))
	}
	err = h.change(ctx, id, "role.revoked", func(tx pgx.Tx, _ Account) error {
		if err := auth.RevokeRole(ctx, tx, id, role); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/security/accounts/"+strconv.FormatInt(id, 10), "admin.role_revoked")
}

// Unlock ends an account's lock-out and clears its failure count.
func (h *Handler) Unlock(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = h.change(ctx, id, "account.unlocked", func(tx pgx.Tx, _ Account) error {
		return auth.Unlock(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/security", "admin.account_unlocked")
}

// ResetTOTP turns off an account's second factor (after confirmation),
// for a user who lost both their device and their recovery codes. Its
// sessions end; an account that needs TOTP enrols again at next sign-in.
func (h *Handler) ResetTOTP(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	p, err := h.grantsPage(r, id)
	if err != nil {
		return err
	}
	switch {
	case p.Self:
		p.Errors.Add("totp", "admin.not_yourself")
	case r.PostFormValue("confirm") != "yes":
		p.Errors.Add("totp", "admin.confirm_required")
	}
	if p.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, GrantsView(p))
	}
	err = h.change(ctx, id, "account.totp_reset", func(tx pgx.Tx, _ Account) error {
		if err := auth.ResetTOTP(ctx, tx, id); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/security/accounts/"+strconv.FormatInt(id, 10), "admin.totp_reset_done")
}
