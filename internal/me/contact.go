package me

import (
	"context"
	"fmt"
	"net/http"
	"strings"

	"github.com/jackc/pgx/v5"

	"zhibu/internal/apperr"
	"zhibu/internal/audit"
	"zhibu/internal/member"
	"zhibu/internal/notify"
	"zhibu/internal/pii"
	"zhibu/internal/ui"
)

// ContactForm is the member's own phone and e-mail as typed. An empty
// phone keeps the stored number (as on the member form); an empty e-mail
// stops the mail.
type ContactForm struct {
	Phone  string
	Email  string
	Errors ui.Errors
}

// ParseContact reads the form.
func ParseContact(r *http.Request) ContactForm {
	return ContactForm{
		Phone: strings.ReplaceAll(strings.TrimSpace(r.PostFormValue("phone")), " ", ""),
		Email: strings.TrimSpace(r.PostFormValue("email")),
	}
}

// Validate checks the phone as the member form does and the address as the
// mail preferences do.
func (f *ContactForm) Validate() bool {
	if f.Phone != "" && !member.ValidPhone(f.Phone) {
		f.Errors.Add("phone", "member.phone.format")
	}
	if f.Email != "" && !notify.ValidEmail(f.Email) {
		f.Errors.Add("email", "inbox.error.email")
	}
	return !f.Errors.Any()
}

// Contact is a member's phone (masked) and e-mail as stored.
type Contact struct {
	MaskedPhone string
	Email       string
}

// Contact reads the member's phone, masked, and the address of the
// account's mail preferences.
func (s *Store) Contact(ctx context.Context, memberID, accountID int64) (Contact, error) {
	if s.sealer == nil {
		return Contact{}, fmt.Errorf("me: no data key: %w", apperr.ErrNotFound)
	}
	phone, err := member.PhoneOf(ctx, s.pool, s.sealer, memberID)
	if err != nil {
		return Contact{}, err
	}
	email, err := notify.EmailOf(ctx, s.pool, s.sealer, accountID)
	if err != nil {
		return Contact{}, err
	}
	c := Contact{Email: email}
	if phone != "" {
		c.MaskedPhone = pii.MaskPhone(phone)
	}
	return c, nil
}

// openContact opens the sealed phone and address read with the record.
func (s *Store) openContact(phoneSealed, emailSealed []byte) (Contact, error) {
	phone, err := s.sealer.Open(phoneSealed)
	if err != nil {
		return Contact{}, fmt.Errorf("me: open phone: %w", err)
	}
	email, err := s.sealer.Open(emailSealed)
	if err != nil {
		return Contact{}, fmt.Errorf("me: open e-mail: %w", err)
	}
	c := Contact{Email: email}
	if phone != "" {
		c.MaskedPhone = pii.MaskPhone(phone)
	}
	return c, nil
}

// contactAudit is what the audit row keeps: the phone masked, as the member
// form's audit does, and only whether an address is set, as the mail
// preferences' audit does.
type contactAudit struct {
	Phone    string `json:"phone,omitempty"`
	EmailSet bool   `json:"email_set"`
}

// SaveContact changes the member's own phone (through package member) and
// e-mail (through package notify) in one transaction with one audit row
// naming the fields changed. It returns those fields (none: nothing written).
func (s *Store) SaveContact(ctx context.Context, memberID, accountID int64, f ContactForm) ([]string, error) {
	if s.sealer == nil {
		return nil, fmt.Errorf("me: no data key to seal the contact: %w", apperr.ErrInvalid)
	}
	var changed []string
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		oldPhone, err := member.PhoneOf(ctx, tx, s.sealer, memberID)
		if err != nil {
			return err
		}
		oldEmail, err := notify.EmailOf(ctx, tx, s.sealer, accountID)
		if err != nil {
			return err
		}
		newPhone := oldPhone
		if f.Phone != "" && f.Phone != oldPhone {
			if err := member.SetPhone(ctx, tx, s.sealer, memberID, f.Phone); err != nil {
				return err
			}
			newPhone = f.Phone
			changed = append(changed, "phone")
		}
		if f.Email != oldEmail {
			if err := notify.SetEmail(ctx, tx, s.sealer, accountID, f.Email); err != nil {
				return err
			}
			changed = append(changed, "email")
		}
		if len(changed) == 0 {
			return nil
		}
		mask := func(p string) string {
			if p == "" {
				return ""
			}
			return pii.MaskPhone(p)
		}
		return audit.Record(ctx, tx, audit.Event{Action: "member.contact_update", Entity: "member", EntityID: memberID,
			Before: contactAudit{Phone: mask(oldPhone), EmailSet: oldEmail != ""},
			After:  map[string]any{"fields": changed, "phone": mask(newPhone), "email_set": f.Email != ""}})
	})
	if err != nil {
		return nil, fmt.Errorf("me: save contact of %d: %w", memberID, err)
	}
	return changed, nil
}
