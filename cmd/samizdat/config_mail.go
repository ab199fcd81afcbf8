package main

import (
	"fmt"
	"net/mail"
	"net/url"
	"strconv"
	"strings"

	smail "samizdat/mail"
)

// mailConfig is how Samizdat sends mail: SMTP_URL and MAIL_FROM, or
// MAIL_LOG to print mails instead (make run). Neither: the newsletter is
// not open.
type mailConfig struct {
	SMTP smail.SMTPConfig
	// Enabled is true when SMTP_URL is set.
	Enabled bool
	// Log prints mails to the log instead of sending them (MAIL_LOG=true
	// and no SMTP_URL).
	Log bool
}

// Open reports whether mails go anywhere.
func (m mailConfig) Open() bool { return m.Enabled || m.Log }

// loadMailConfig reads SMTP_URL (or SMTP_URL_FILE), MAIL_FROM and MAIL_LOG
// through get, reporting problems through bad. host is BASE_URL's, for the
// default sender of MAIL_LOG.
func loadMailConfig(get func(name, def string) string, bad func(string, ...any), host string) mailConfig {
	var m mailConfig
	raw := get("SMTP_URL", "")
	if f := get("SMTP_URL_FILE", ""); f != "" && raw == "" {
		b, err := readFile(f)
		if err != nil {
			bad("SMTP_URL_FILE: %v", err)
		}
		raw = strings.TrimSpace(string(b))
	}
	if v := get("MAIL_LOG", "false"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			bad("MAIL_LOG must be true or false")
		}
		m.Log = b && raw == ""
	}
	if raw != "" {
		u, err := url.Parse(raw)
		switch {
		case err != nil || (u.Scheme != "smtp" && u.Scheme != "smtps") || u.Hostname() == "":
			bad("SMTP_URL must look like smtp://user:password@host:587 (STARTTLS) or smtps://user:password@host:465")
		default:
			m.Enabled = true
			m.SMTP.Host = u.Hostname()
			m.SMTP.ImplicitTLS = u.Scheme == "smtps"
			m.SMTP.Port = 587
			if m.SMTP.ImplicitTLS {
				m.SMTP.Port = 465
			}
			if p := u.Port(); p != "" {
				n, err := strconv.Atoi(p)
				if err != nil || n < 1 || n > 65535 {
					bad("SMTP_URL has an invalid port %q", p)
				}
				m.SMTP.Port = n
			}
			if u.User != nil {
				m.SMTP.Username = u.User.Username()
				m.SMTP.Password, _ = u.User.Password()
			}
		}
	}
	from := get("MAIL_FROM", "")
	switch {
	case from == "" && m.Enabled:
		bad("MAIL_FROM is required with SMTP_URL (for example \"Samizdat <newsletter@example.org>\")")
	case from == "" && m.Log:
		from = "newsletter@" + host
	case from != "":
		if _, err := mail.ParseAddress(from); err != nil {
			bad("MAIL_FROM must be an address such as \"Samizdat <newsletter@example.org>\", got %q", from)
		}
	}
	m.SMTP.From = from
	return m
}

// String describes the mail setup without the password.
func (m mailConfig) String() string {
	switch {
	case m.Enabled:
		scheme := "smtp"
		if m.SMTP.ImplicitTLS {
			scheme = "smtps"
		}
		return fmt.Sprintf("%s://%s@%s:%d", scheme, m.SMTP.Username, m.SMTP.Host, m.SMTP.Port)
	case m.Log:
		return "log"
	}
	return "off"
}
