package admin

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/auth"
	"zhibu/internal/ui"
)

// AccountsPage is the account list's view model.
type AccountsPage struct {
	Query string
	Rows  []AccountRow
	Pager ui.Pager
}

// Accounts lists the accounts, searched by username or name, 50 a page.
func (h *Handler) Accounts(w http.ResponseWriter, r *http.Request) error {
	p, err := h.accountsPage(r, "/admin/accounts")
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, AccountsView(p))
}

func (h *Handler) accountsPage(r *http.Request, path string) (AccountsPage, error) {
	q := r.URL.Query()
	search := strings.TrimSpace(q.Get("q"))
	if len(search) > 64 {
		search = search[:64]
	}
	page := ui.PageParam(q)
	sort, dir := q.Get("sort"), q.Get("dir")
	if _, ok := accountSorts[sort]; !ok {
		sort, dir = "", ""
	}
	if dir != "desc" {
		dir = ""
	}
	rows, total, err := listAccounts(r.Context(), h.pool, search, false, sort, dir == "desc", page)
	if err != nil {
		return AccountsPage{}, err
	}
	query := url.Values{"q": {search}}
	if sort != "" {
		query.Set("sort", sort)
		if dir != "" {
			query.Set("dir", dir)
		}
	}
	return AccountsPage{Query: search, Rows: rows, Pager: ui.Pager{Page: page, PageSize: PageSize, Total: total, Query: query, Path: path}}, nil
}

// AccountForm is the new-account form with what was typed and its messages.
type AccountForm struct {
	Username    string
	DisplayName string
	MemberID    string
	Errors      ui.Errors
}

// AccountInput is the parsed new-account form.
type AccountInput struct {
	Username    string
	DisplayName string
	MemberID    int64 // 0: not a member's account
	Password    string
}

var usernameRE = regexp.MustCompile(`^[a-z0-9_.-]{3,32}$`)

// ParseAccountForm reads and checks the new-account form; the password is
// checked against the policy's rules.
func ParseAccountForm(v url.Values, settings auth.Settings) (AccountInput, AccountForm) {
	f := AccountForm{Username: strings.ToLower(strings.TrimSpace(v.Get("username"))), DisplayName: strings.TrimSpace(v.Get("display_name")),
		MemberID: strings.TrimSpace(v.Get("member_id")), Errors: ui.Errors{}}
	in := AccountInput{Username: f.Username, DisplayName: f.DisplayName, Password: v.Get("password")}
	if !usernameRE.MatchString(f.Username) {
		f.Errors.Add("username", "admin.username_invalid")
	}
	if n := len([]rune(f.DisplayName)); n < 1 || n > 50 {
		f.Errors.Add("display_name", "admin.display_name_invalid")
	}
	if f.MemberID != "" {
		id, err := strconv.ParseInt(f.MemberID, 10, 64)
		if err != nil || id <= 0 {
			f.Errors.Add("member_id", "admin.member_invalid")
		}
		in.MemberID = id
	}
	if p := settings.PasswordProblem(in.Password, f.Username); p != "" {
		f.Errors.Add("password", p)
	}
	return in, f
}

// NewAccount shows the new-account form.
func (h *Handler) NewAccount(w http.ResponseWriter, r *http.Request) error {
	return ui.Render(w, r, http.StatusOK, NewAccountView(AccountForm{Errors: ui.Errors{}}))
}

// CreateAccount creates an account that must change its password at first
// sign-in. Roles are granted by the security administrator, not here.
func (h *Handler) CreateAccount(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("admin: form: %w", apperr.ErrInvalid)
	}
	ctx := r.Context()
	settings, err := auth.LoadSettings(ctx, h.pool)
	if err != nil {
		return err
	}
	in, f := ParseAccountForm(r.PostForm, settings)
	if in.MemberID != 0 && !f.Errors.Any() {
		var linked *int64
		err := h.pool.QueryRow(ctx, `SELECT (SELECT id FROM accounts WHERE member_id = m.id) FROM members m WHERE m.id = $1`, in.MemberID).Scan(&linked)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			f.Errors.Add("member_id", "admin.member_invalid")
		case err != nil:
			return fmt.Errorf("admin: member %d: %w", in.MemberID, err)
		case linked != nil:
			f.Errors.Add("member_id", "admin.member_linked")
		}
	}
	if f.Errors.Any() {
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewAccountView(f))
	}
	hash, err := auth.HashPassword(ctx, in.Password)
	if err != nil {
		return err
	}
	var id int64
	err = pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		var member *int64
		if in.MemberID != 0 {
			member = &in.MemberID
		}
		var err error
		if id, err = auth.CreateAccount(ctx, tx, in.Username, in.DisplayName, hash, member); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.created", Entity: "account", EntityID: id,
			After: map[string]any{"username": in.Username, "display_name": in.DisplayName, "member_id": member, "must_change_password": true}})
	})
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		if pgErr.ConstraintName == "accounts_member_id_key" {
			f.Errors.Add("member_id", "admin.member_linked")
		} else {
			f.Errors.Add("username", "admin.username_taken")
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, NewAccountView(f))
	}
	if err != nil {
		return fmt.Errorf("admin: create account %q: %w", in.Username, err)
	}
	return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.account_created")
}

// AccountPage is one account's page for the system administrator.
type AccountPage struct {
	Account Account
	Errors  ui.Errors
}

// Account shows one account with its actions.
func (h *Handler) Account(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	a, err := loadAccount(r.Context(), h.pool, id)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, AccountView(AccountPage{Account: a, Errors: ui.Errors{}}))
}

// change runs one audited change of an account in a transaction: do makes
// the change, and the audit row holds the account's state before and after.
func (h *Handler) change(ctx context.Context, id int64, action string, do func(tx pgx.Tx, before Account) error) error {
	return pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		before, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := do(tx, before); err != nil {
			return err
		}
		after, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: action, Entity: "account", EntityID: id, Before: auditState(before), After: auditState(after)})
	})
}

// confirmed re-renders the account page with a message unless the
// confirmation box was ticked.
func (h *Handler) confirmed(w http.ResponseWriter, r *http.Request, id int64, field string) (bool, error) {
	if r.PostFormValue("confirm") == "yes" {
		return true, nil
	}
	a, err := loadAccount(r.Context(), h.pool, id)
	if err != nil {
		return false, err
	}
	return false, ui.Render(w, r, http.StatusUnprocessableEntity, AccountView(AccountPage{Account: a, Errors: ui.Errors{field: "admin.confirm_required"}}))
}

// DisableAccount disables an account (after confirmation) and ends its sessions.
func (h *Handler) DisableAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	if ok, err := h.confirmed(w, r, id, "disable"); !ok {
		return err
	}
	if id == auth.UserOf(ctx).AccountID {
		return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.not_yourself")
	}
	err = h.change(ctx, id, "account.disabled", func(tx pgx.Tx, _ Account) error {
		if err := auth.DisableAccount(ctx, tx, id); err != nil {
			return fmt.Errorf("admin: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.account_disabled")
}

// EnableAccount enables a disabled account again.
func (h *Handler) EnableAccount(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = h.change(ctx, id, "account.enabled", func(tx pgx.Tx, _ Account) error {
		return auth.EnableAccount(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.account_enabled")
}

// ResetPassword sets a temporary password the user must change at the
// next sign-in, and ends the account's sessions.
func (h *Handler) ResetPassword(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	a, err := loadAccount(ctx, h.pool, id)
	if err != nil {
		return err
	}
	settings, err := auth.LoadSettings(ctx, h.pool)
	if err != nil {
		return err
	}
	password := r.PostFormValue("password")
	if id == auth.UserOf(ctx).AccountID {
		return ui.Render(w, r, http.StatusUnprocessableEntity, AccountView(AccountPage{Account: a, Errors: ui.Errors{"password": "admin.not_yourself"}}))
	}
	if p := settings.PasswordProblem(password, a.Username); p != "" {
		return ui.Render(w, r, http.StatusUnprocessableEntity, AccountView(AccountPage{Account: a, Errors: ui.Errors{"password": p}}))
	}
	hash, err := auth.HashPassword(ctx, password)
	if err != nil {
		return err
	}
	err = h.change(ctx, id, "account.password_reset", func(tx pgx.Tx, _ Account) error {
		if err := auth.SetTemporaryPassword(ctx, tx, id, hash); err != nil {
			return fmt.Errorf("admin: reset password: %w", err)
		}
		return auth.EndSessions(ctx, tx, id)
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.password_reset")
}

// EndSessions signs the account out everywhere.
func (h *Handler) EndSessions(w http.ResponseWriter, r *http.Request) error {
	id, err := accountID(r)
	if err != nil {
		return err
	}
	ctx := r.Context()
	err = pgx.BeginFunc(ctx, h.pool, func(tx pgx.Tx) error {
		a, err := loadAccount(ctx, tx, id)
		if err != nil {
			return err
		}
		if err := auth.EndSessions(ctx, tx, id); err != nil {
			return err
		}
		return audit.Record(ctx, tx, audit.Event{Action: "account.sessions_ended", Entity: "account", EntityID: id,
			Before: map[string]int{"sessions": a.Sessions}, After: map[string]int{"sessions": 0}})
	})
	if err != nil {
		return err
	}
	return ui.Redirect(w, r, "/admin/accounts/"+strconv.FormatInt(id, 10), "admin.sessions_ended")
}
