package auth

import (
	"context"
	"fmt"
	"image/png"
	"net/http"
	"net/url"

	"github.com/jackc/pgx/v5"
	"github.com/pquerna/otp"

	"zhibu/internal/apperr"
	"zhibu/internal/ui"
)

// PasswordForm is the password change form with its messages.
type PasswordForm struct {
	Errors ui.Errors
	// Reason is why the change is asked for ("" when the user chose to).
	Reason string // translation key
	// MinLength is the policy's minimum length, shown as a hint.
	MinLength int
}

// PasswordInput is the parsed password change form.
type PasswordInput struct {
	Current, New, Confirm string
}

// ParsePasswordForm reads the password change form and checks what needs
// no database: the new password against the policy and its confirmation.
func ParsePasswordForm(v url.Values, username string, settings Settings) (PasswordInput, ui.Errors) {
	in := PasswordInput{Current: v.Get("current"), New: v.Get("new"), Confirm: v.Get("confirm")}
	var errs ui.Errors
	if in.Current == "" || len(in.Current) > 256 {
		errs.Add("current", "password.current_wrong")
	}
	if p := settings.PasswordProblem(in.New, username); p != "" {
		errs.Add("new", p)
	}
	if in.Confirm != in.New {
		errs.Add("confirm", "password.mismatch")
	}
	if in.Current != "" && in.New == in.Current {
		errs.Add("new", "password.reused")
	}
	return in, errs
}

func (s *Service) passwordForm(r *http.Request, u *User, errs ui.Errors) (PasswordForm, error) {
	settings, err := LoadSettings(r.Context(), s.pool)
	if err != nil {
		return PasswordForm{}, err
	}
	f := PasswordForm{Errors: errs, MinLength: settings.PasswordMinLength}
	if u.MustChangePassword {
		f.Reason = "password.must_change"
	}
	return f, nil
}

// PasswordPage shows the password change form.
func (s *Service) PasswordPage(w http.ResponseWriter, r *http.Request) error {
	f, err := s.passwordForm(r, UserOf(r.Context()), nil)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, PasswordView(f))
}

// ChangePassword sets a new password after checking the current one, ends
// every other session and starts a new one.
func (s *Service) ChangePassword(w http.ResponseWriter, r *http.Request) error {
	if err := r.ParseForm(); err != nil {
		return fmt.Errorf("auth: form: %w", apperr.ErrInvalid)
	}
	ctx := r.Context()
	u := UserOf(ctx)
	settings, err := LoadSettings(ctx, s.pool)
	if err != nil {
		return err
	}
	in, errs := ParsePasswordForm(r.PostForm, u.Username, settings)
	a, err := accountByID(ctx, s.pool, u.AccountID)
	if err != nil {
		return err
	}
	if _, bad := errs["current"]; !bad {
		ok, err := CheckPassword(ctx, in.Current, a.PasswordHash)
		if err != nil {
			return fmt.Errorf("auth: check password of %d: %w", a.ID, err)
		}
		if !ok {
			errs.Add("current", "password.current_wrong")
		}
	}
	if errs.Any() {
		f, err := s.passwordForm(r, u, errs)
		if err != nil {
			return err
		}
		return ui.Render(w, r, http.StatusUnprocessableEntity, PasswordView(f))
	}
	hash, err := HashPassword(ctx, in.New)
	if err != nil {
		return err
	}
	if err := s.savePassword(ctx, a, hash); err != nil {
		return err
	}
	if err := s.RotateSession(w, r, a.ID); err != nil {
		return err
	}
	u.MustChangePassword = false
	if u.NeedsTOTP() {
		return ui.Redirect(w, r, "/account/totp", "password.changed")
	}
	return ui.Redirect(w, r, "/", "password.changed")
}

// TOTPPage is the second-factor page's view model.
type TOTPPage struct {
	Enabled   bool
	Required  bool
	Pending   bool
	Secret    string // the pending secret, shown as text
	URI       string // its otpauth:// address
	Remaining int    // unused recovery codes
	Codes     []string
	Error     string // translation key
}

func (s *Service) totpPage(r *http.Request) (TOTPPage, string, error) {
	ctx := r.Context()
	u := UserOf(ctx)
	var p TOTPPage
	var pending *string
	err := s.pool.QueryRow(ctx, `
SELECT totp_secret IS NOT NULL, totp_pending,
       (SELECT count(*) FROM recovery_codes WHERE account_id = a.id AND used_at IS NULL)
  FROM accounts a WHERE id = $1`, u.AccountID).Scan(&p.Enabled, &pending, &p.Remaining)
	if err != nil {
		return p, "", fmt.Errorf("auth: totp state of %d: %w", u.AccountID, err)
	}
	p.Required = u.Has(RoleSysAdmin) || u.Has(RoleSecAdmin) || u.Has(RoleAuditAdmin) || u.Has(RoleReviewer)
	if pending != nil && !p.Enabled {
		secret, err := s.openSecret(*pending)
		if err != nil {
			return p, "", err
		}
		p.Pending, p.Secret, p.URI = true, secret, TOTPURI(u.Username, secret)
	}
	return p, p.Secret, nil
}

// TOTPSettings shows the second-factor state: enrol, or the codes left.
func (s *Service) TOTPSettings(w http.ResponseWriter, r *http.Request) error {
	p, _, err := s.totpPage(r)
	if err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, TOTPView(p))
}

// StartTOTP creates a pending secret for the user to add to an app.
func (s *Service) StartTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := UserOf(ctx)
	if u.TOTPEnabled {
		return fmt.Errorf("auth: totp of %d already enabled: %w", u.AccountID, apperr.ErrConflict)
	}
	key, err := NewTOTPKey(u.Username)
	if err != nil {
		return fmt.Errorf("auth: totp key: %w", err)
	}
	sealed, err := s.sealSecret(key.Secret())
	if err != nil {
		return err
	}
	if _, err := s.pool.Exec(ctx, `UPDATE accounts SET totp_pending = $2 WHERE id = $1`, u.AccountID, sealed); err != nil {
		return fmt.Errorf("auth: start totp of %d: %w", u.AccountID, err)
	}
	return ui.Redirect(w, r, "/account/totp", "")
}

// TOTPQRCode draws the pending secret's otpauth address as a QR code.
func (s *Service) TOTPQRCode(w http.ResponseWriter, r *http.Request) error {
	p, secret, err := s.totpPage(r)
	if err != nil {
		return err
	}
	if !p.Pending {
		return apperr.ErrNotFound
	}
	key, err := otp.NewKeyFromURL(TOTPURI(UserOf(r.Context()).Username, secret))
	if err != nil {
		return fmt.Errorf("auth: totp uri: %w", err)
	}
	img, err := key.Image(240, 240)
	if err != nil {
		return fmt.Errorf("auth: qr code: %w", err)
	}
	w.Header().Set("Content-Type", "image/png")
	return png.Encode(w, img)
}

// ConfirmTOTP turns the pending secret on once the user types a right
// code, issues recovery codes (shown once), and rotates the session.
func (s *Service) ConfirmTOTP(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := UserOf(ctx)
	p, secret, err := s.totpPage(r)
	if err != nil {
		return err
	}
	if !p.Pending {
		return ui.Redirect(w, r, "/account/totp", "")
	}
	code, ok := ParseTOTPCode(r.PostFormValue("code"))
	var step int64
	if ok {
		step, ok = checkTOTP(secret, code, s.now(), 0)
	}
	if !ok {
		p.Error = "auth.bad_code"
		return ui.Render(w, r, http.StatusUnprocessableEntity, TOTPView(p))
	}
	codes := newRecoveryCodes()
	if err := s.enableTOTP(ctx, u.AccountID, step, codes); err != nil {
		return err
	}
	if err := s.RotateSession(w, r, u.AccountID); err != nil {
		return err
	}
	return ui.Render(w, r, http.StatusOK, TOTPView(TOTPPage{Enabled: true, Required: p.Required, Remaining: len(codes), Codes: codes}))
}

// NewRecoveryCodes replaces the recovery codes after a right TOTP code.
func (s *Service) NewRecoveryCodes(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	u := UserOf(ctx)
	p, _, err := s.totpPage(r)
	if err != nil {
		return err
	}
	if !p.Enabled {
		return ui.Redirect(w, r, "/account/totp", "")
	}
	a, err := accountByID(ctx, s.pool, u.AccountID)
	if err != nil {
		return err
	}
	secret, err := s.openSecret(*a.TOTPSecret)
	if err != nil {
		return err
	}
	code, ok := ParseTOTPCode(r.PostFormValue("code"))
	var step int64
	if ok {
		step, ok = checkTOTP(secret, code, s.now(), a.TOTPLastStep)
	}
	if !ok {
		p.Error = "auth.bad_code"
		return ui.Render(w, r, http.StatusUnprocessableEntity, TOTPView(p))
	}
	codes := newRecoveryCodes()
	if err := s.renewRecoveryCodes(ctx, u.AccountID, step, p.Remaining, codes); err != nil {
		return err
	}
	p.Remaining, p.Codes = len(codes), codes
	return ui.Render(w, r, http.StatusOK, TOTPView(p))
}

func replaceRecoveryCodes(ctx context.Context, tx pgx.Tx, accountID int64, codes []string) error {
	if _, err := tx.Exec(ctx, `DELETE FROM recovery_codes WHERE account_id = $1`, accountID); err != nil {
		return fmt.Errorf("auth: drop recovery codes of %d: %w", accountID, err)
	}
	for _, c := range codes {
		n, _ := NormalizeRecoveryCode(c)
		if _, err := tx.Exec(ctx, `INSERT INTO recovery_codes (account_id, code_hash) VALUES ($1, $2)`, accountID, hashRecoveryCode(n)); err != nil {
			return fmt.Errorf("auth: add recovery code of %d: %w", accountID, err)
		}
	}
	return nil
}
