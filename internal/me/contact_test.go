package me_test

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"zhibu/internal/apptest"
	"zhibu/internal/member"
	"zhibu/internal/notify"
)

// TestContactSavedAndAudited: a member changes their own phone and e-mail;
// both are stored sealed (the phone where the roster keeps it, the address
// where the mail preferences keep it) and one audit row names the fields
// without either value in clear.
func TestContactSavedAndAudited(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	sealer := apptest.Sealer(t)
	memberID := memberOf(t, app, "member")
	accountID := app.Int(t, `SELECT id FROM accounts WHERE username = 'member'`)
	c := app.Login(t, "member")

	r := c.PostForm("/me/contact", url.Values{"phone": {"010-6512 3456转801"}, "email": {"wang@example.cn"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d %s", r.Status, r.Body)
	}
	phone, err := member.PhoneOf(ctx, app.Pool, sealer, memberID)
	if err != nil || phone != "010-65123456转801" {
		t.Fatalf("phone %q, %v", phone, err)
	}
	email, err := notify.EmailOf(ctx, app.Pool, sealer, accountID)
	if err != nil || email != "wang@example.cn" {
		t.Fatalf("email %q, %v", email, err)
	}
	var raw []byte
	if err := app.Pool.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, memberID).Scan(&raw); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(raw, []byte("65123456")) {
		t.Error("phone stored in clear")
	}
	var actor int64
	var after string
	err = app.Pool.QueryRow(ctx, `SELECT actor_id, after::text FROM audit_events WHERE action = 'member.contact_update' AND entity_id = $1`, memberID).Scan(&actor, &after)
	if err != nil {
		t.Fatal(err)
	}
	if actor != accountID || !strings.Contains(after, `"phone"`) || !strings.Contains(after, `"email"`) {
		t.Errorf("audit actor %d after %s", actor, after)
	}
	if strings.Contains(after, "65123456") || strings.Contains(after, "wang@") {
		t.Errorf("audit keeps a value in clear: %s", after)
	}
	page := c.Get("/me")
	if got := page.TestID("contact-email"); got != "wang@example.cn" {
		t.Errorf("/me shows e-mail %q", got)
	}
	if got := page.TestID("contact-phone"); strings.Contains(got, "65123456") || got == "" {
		t.Errorf("/me shows phone %q, want it masked", got)
	}
	// Sent again unchanged: nothing written, no second audit row.
	c.PostForm("/me/contact", url.Values{"email": {"wang@example.cn"}})
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'member.contact_update'`); n != 1 {
		t.Errorf("%d audit rows after an unchanged save, want 1", n)
	}
}

// TestContactBadInputWritesNothing: a bad phone or address is refused with
// 422, the input kept and the message beside the field, and nothing stored.
func TestContactBadInputWritesNothing(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	memberID := memberOf(t, app, "member")
	var before []byte
	if err := app.Pool.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, memberID).Scan(&before); err != nil {
		t.Fatal(err)
	}
	prefs := app.Int(t, `SELECT count(*) FROM mail_prefs`)
	c := app.Login(t, "member")
	for _, f := range []url.Values{
		{"phone": {"12345678901"}, "email": {"ok@example.cn"}},
		{"phone": {"010-123"}, "email": {""}},
		{"phone": {"13912345678"}, "email": {"not an address"}},
	} {
		r := c.PostForm("/me/contact", f)
		if r.Status != http.StatusUnprocessableEntity {
			t.Fatalf("%v: %d", f, r.Status)
		}
		doc := r.Doc()
		if v, _ := doc.Find(`#f-phone`).Attr("value"); v != f.Get("phone") {
			t.Errorf("%v: phone not kept: %q", f, v)
		}
		if v, _ := doc.Find(`#f-email`).Attr("value"); v != f.Get("email") {
			t.Errorf("%v: email not kept: %q", f, v)
		}
		if doc.Find(`[aria-invalid="true"]`).Length() == 0 {
			t.Errorf("%v: no field marked invalid", f)
		}
	}
	var after []byte
	if err := app.Pool.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, memberID).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("a refused form changed the phone")
	}
	if n := app.Int(t, `SELECT count(*) FROM mail_prefs`); n != prefs {
		t.Errorf("mail_prefs %d rows, want %d", n, prefs)
	}
	if n := app.Int(t, `SELECT count(*) FROM audit_events WHERE action = 'member.contact_update'`); n != 0 {
		t.Errorf("%d audit rows after refused forms", n)
	}
}

// TestContactOnlyOwn: the form changes the session's member only; a member
// id slipped into the form is ignored, and an account that is no member's
// gets 404.
func TestContactOnlyOwn(t *testing.T) {
	t.Parallel()
	app := apptest.New(t)
	ctx := context.Background()
	own := memberOf(t, app, "member")
	other := app.Int(t, `SELECT id FROM members WHERE id <> $1 AND phone_enc IS NOT NULL ORDER BY id LIMIT 1`, own)
	var before []byte
	if err := app.Pool.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, other).Scan(&before); err != nil {
		t.Fatal(err)
	}
	r := app.Login(t, "member").PostForm("/me/contact", url.Values{"phone": {"13700001111"}, "member_id": {strconv.FormatInt(other, 10)}, "id": {strconv.FormatInt(other, 10)}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("save: %d", r.Status)
	}
	var after []byte
	if err := app.Pool.QueryRow(ctx, `SELECT phone_enc FROM members WHERE id = $1`, other).Scan(&after); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(before, after) {
		t.Error("another member's phone changed")
	}
	if p, err := member.PhoneOf(ctx, app.Pool, apptest.Sealer(t), own); err != nil || p != "13700001111" {
		t.Errorf("own phone %q, %v", p, err)
	}
	if r := app.Login(t, "admin").PostForm("/me/contact", url.Values{"phone": {"13700002222"}}); r.Status != http.StatusNotFound {
		t.Errorf("admin (no member): %d, want 404", r.Status)
	}
}
