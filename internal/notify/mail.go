package notify

import (
	"bytes"
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/wneessen/go-mail"
)

// MailConfig is the agency's SMTP server, from the environment; mail is
// off when Host is empty.
type MailConfig struct {
	Host     string
	Port     int
	StartTLS string // "mandatory" (default), "opportunistic" or "off"
	User     string
	Password string
	From     string
	// BaseURL is the application's address for the links in mails
	// (ZHIBU_BASE_URL); without it links are paths.
	BaseURL string
}

// StartTLS policies.
const (
	TLSMandatory     = "mandatory"
	TLSOpportunistic = "opportunistic"
	TLSOff           = "off"
)

// On reports whether mail is configured.
func (c MailConfig) On() bool { return c.Host != "" }

// MailFromEnv reads ZHIBU_SMTP_HOST, _PORT (587), _STARTTLS (mandatory,
// opportunistic or off), _USER, _PASSWORD and _FROM. No host: mail off.
func MailFromEnv(env func(string) (string, bool)) (MailConfig, error) {
	get := func(k string) string { v, _ := env("ZHIBU_SMTP_" + k); return v }
	c := MailConfig{Host: get("HOST"), Port: 587, StartTLS: TLSMandatory, User: get("USER"), Password: get("PASSWORD"), From: get("FROM")}
	if c.Host == "" {
		return MailConfig{}, nil
	}
	if p := get("PORT"); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return c, fmt.Errorf("ZHIBU_SMTP_PORT %q: not a port", p)
		}
		c.Port = n
	}
	if t := get("STARTTLS"); t != "" {
		switch t {
		case TLSMandatory, TLSOpportunistic, TLSOff:
			c.StartTLS = t
		default:
			return c, fmt.Errorf("ZHIBU_SMTP_STARTTLS %q: mandatory, opportunistic or off", t)
		}
	}
	c.BaseURL, _ = env("ZHIBU_BASE_URL")
	if c.From == "" {
		return c, fmt.Errorf("ZHIBU_SMTP_FROM is needed with ZHIBU_SMTP_HOST")
	}
	return c, nil
}

// Mail is one message to send.
type Mail struct {
	To      string
	Subject string
	Body    string
	// ICS, when set, is attached as an iCalendar invitation.
	ICS []byte
}

// build turns a Mail into a go-mail message: UTF-8, the subject encoded
// per RFC 2047, the .ics as a text/calendar attachment.
func (c MailConfig) build(m Mail) (*mail.Msg, error) {
	msg := mail.NewMsg()
	if err := msg.From(c.From); err != nil {
		return nil, fmt.Errorf("notify: from %q: %w", c.From, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("notify: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDate()
	msg.SetMessageID()
	msg.SetBodyString(mail.TypeTextPlain, m.Body)
	if len(m.ICS) > 0 {
		if err := msg.AttachReader("meeting.ics", bytes.NewReader(m.ICS), mail.WithFileContentType("text/calendar; method=PUBLISH")); err != nil {
			return nil, fmt.Errorf("notify: attach ics: %w", err)
		}
	}
	return msg, nil
}

// send delivers the messages in one SMTP session.
func (c MailConfig) send(ctx context.Context, ms ...Mail) error {
	msgs := make([]*mail.Msg, 0, len(ms))
	for _, m := range ms {
		msg, err := c.build(m)
		if err != nil {
			return err
		}
		msgs = append(msgs, msg)
	}
	opts := []mail.Option{mail.WithPort(c.Port), mail.WithTimeout(30 * time.Second)}
	switch c.StartTLS {
	case TLSOff:
		opts = append(opts, mail.WithTLSPolicy(mail.NoTLS))
	case TLSOpportunistic:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSOpportunistic))
	default:
		opts = append(opts, mail.WithTLSPolicy(mail.TLSMandatory))
	}
	if c.User != "" {
		auth := mail.SMTPAuthPlain
		if c.StartTLS == TLSOff {
			auth = mail.SMTPAuthPlainNoEnc // the operator chose a plain connection
		}
		opts = append(opts, mail.WithSMTPAuth(auth), mail.WithUsername(c.User), mail.WithPassword(c.Password))
	}
	client, err := mail.NewClient(c.Host, opts...)
	if err != nil {
		return fmt.Errorf("notify: smtp client: %w", err)
	}
	if err := client.DialAndSendWithContext(ctx, msgs...); err != nil {
		return fmt.Errorf("notify: send: %w", err)
	}
	return nil
}
