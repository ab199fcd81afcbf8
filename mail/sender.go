// Package mail sends Samizdat's mails: newsletter confirmations and issues,
// through SMTP (github.com/wneessen/go-mail) from River workers. It sits
// beside federation: web and web/desk never import it, cmd/samizdat hands
// them its functions (docs/architecture.md#readers-taking-part).
package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// Message is one mail to one recipient, with a plain-text and an HTML part.
type Message struct {
	To      string
	Subject string
	Text    string
	HTML    string
	// Unsubscribe, when set, is the https URL of the one-click unsubscribe
	// endpoint (RFC 8058), sent as List-Unsubscribe and List-Unsubscribe-Post.
	Unsubscribe string
}

// Sender sends messages.
type Sender interface {
	Send(ctx context.Context, m *Message) error
}

// ErrPermanent marks a failure that sending again will not mend (an SMTP
// 5xx answer, an address the server refuses): the mail is counted as failed
// instead of being retried.
var ErrPermanent = errors.New("mail: permanent failure")

// SMTPConfig says how to reach the SMTP server (SMTP_URL).
type SMTPConfig struct {
	Host     string
	Port     int
	Username string
	Password string
	// ImplicitTLS is smtps://: TLS from the first byte. Otherwise the
	// connection must be upgraded with STARTTLS before anything is sent.
	ImplicitTLS bool
	// TLSConfig, when set, replaces the system's (tests trust their own CA).
	TLSConfig *tls.Config
	From      string // MAIL_FROM
	Timeout   time.Duration
}

// SMTP sends through an SMTP server, one connection per message.
type SMTP struct {
	cfg SMTPConfig
}

// NewSMTP returns a Sender for cfg.
func NewSMTP(cfg SMTPConfig) *SMTP {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 30 * time.Second
	}
	return &SMTP{cfg: cfg}
}

// Send sends m. A 5xx answer is wrapped in ErrPermanent; everything else
// (a 4xx, a lost connection) may work on a later try.
func (s *SMTP) Send(ctx context.Context, m *Message) error {
	msg, err := build(s.cfg.From, m)
	if err != nil {
		return err
	}
	opts := []gomail.Option{gomail.WithPort(s.cfg.Port), gomail.WithTimeout(s.cfg.Timeout), gomail.WithTLSPolicy(gomail.TLSMandatory)}
	if s.cfg.ImplicitTLS {
		opts = append(opts, gomail.WithSSL())
	}
	if s.cfg.Username != "" {
		opts = append(opts, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(s.cfg.Username), gomail.WithPassword(s.cfg.Password))
	}
	if s.cfg.TLSConfig != nil {
		opts = append(opts, gomail.WithTLSConfig(s.cfg.TLSConfig))
	}
	c, err := gomail.NewClient(s.cfg.Host, opts...)
	if err != nil {
		return fmt.Errorf("mail: client: %w", err)
	}
	if err := c.DialAndSendWithContext(ctx, msg); err != nil {
		var se *gomail.SendError
		if errors.As(err, &se) && !se.IsTemp() && se.ErrorCode() >= 500 {
			return fmt.Errorf("%w: %w", ErrPermanent, err)
		}
		return fmt.Errorf("mail: send: %w", err)
	}
	return nil
}

// build turns m into a go-mail message.
func build(from string, m *Message) (*gomail.Msg, error) {
	msg := gomail.NewMsg()
	if err := msg.From(from); err != nil {
		return nil, fmt.Errorf("%w: from %q: %w", ErrPermanent, from, err)
	}
	if err := msg.To(m.To); err != nil {
		return nil, fmt.Errorf("%w: to: %w", ErrPermanent, err)
	}
	msg.Subject(m.Subject)
	msg.SetMessageID()
	msg.SetDate()
	msg.SetUserAgent("Samizdat")
	if m.Unsubscribe != "" {
		// RFC 2369 wants the URL in angle brackets; RFC 8058 makes a POST
		// of this exact body to it unsubscribe without further steps.
		msg.SetGenHeaderPreformatted("List-Unsubscribe", "<"+m.Unsubscribe+">")
		msg.SetGenHeaderPreformatted("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	if m.HTML != "" {
		msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	}
	return msg, nil
}

// Log writes mails to a logger instead of sending them: for `make run`
// without an SMTP server, so that a newcomer can follow the links.
type Log struct {
	Logger *slog.Logger
}

// Send logs m's recipient, subject, unsubscribe link and text part.
func (l Log) Send(ctx context.Context, m *Message) error {
	l.Logger.InfoContext(ctx, "mail (MAIL_LOG: not sent)", "to", m.To, "subject", m.Subject, "unsubscribe", m.Unsubscribe, "text", m.Text)
	return nil
}
