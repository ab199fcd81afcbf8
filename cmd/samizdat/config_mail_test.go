package main

import (
	"strings"
	"testing"
)

func TestLoadConfig_Mail(t *testing.T) {
	base := map[string]string{"DATABASE_URL": "postgres://u@db/samizdat", "BASE_URL": "https://example.org"}
	with := func(kv ...string) map[string]string {
		m := map[string]string{}
		for k, v := range base {
			m[k] = v
		}
		for i := 0; i < len(kv); i += 2 {
			m[kv[i]] = kv[i+1]
		}
		return m
	}
	t.Run("Off", func(t *testing.T) {
		cfg, err := loadConfig(env(with()))
		if err != nil || cfg.Mail.Open() {
			t.Errorf("mail %+v, %v; want off", cfg.Mail, err)
		}
	})
	t.Run("STARTTLS", func(t *testing.T) {
		cfg, err := loadConfig(env(with("SMTP_URL", "smtp://news:p%40ss@mail.example.org", "MAIL_FROM", "Bridges <news@example.org>")))
		if err != nil {
			t.Fatal(err)
		}
		s := cfg.Mail.SMTP
		if !cfg.Mail.Enabled || s.Host != "mail.example.org" || s.Port != 587 || s.ImplicitTLS || s.Username != "news" || s.Password != "p@ss" {
			t.Errorf("got %+v", cfg.Mail)
		}
		if strings.Contains(cfg.String(), "p@ss") {
			t.Errorf("String() leaks the password: %s", cfg)
		}
	})
	t.Run("ImplicitTLS", func(t *testing.T) {
		cfg, err := loadConfig(env(with("SMTP_URL", "smtps://mail.example.org:2465", "MAIL_FROM", "news@example.org")))
		if err != nil {
			t.Fatal(err)
		}
		if s := cfg.Mail.SMTP; !s.ImplicitTLS || s.Port != 2465 || s.Username != "" {
			t.Errorf("got %+v", s)
		}
	})
	t.Run("Log", func(t *testing.T) {
		cfg, err := loadConfig(env(with("MAIL_LOG", "true")))
		if err != nil || !cfg.Mail.Log || cfg.Mail.SMTP.From != "newsletter@example.org" {
			t.Errorf("mail %+v, %v", cfg.Mail, err)
		}
	})
	t.Run("Errors", func(t *testing.T) {
		_, err := loadConfig(env(with("SMTP_URL", "http://mail.example.org", "MAIL_LOG", "maybe")))
		for _, want := range []string{"SMTP_URL must", "MAIL_LOG must"} {
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v lacks %q", err, want)
			}
		}
		_, err = loadConfig(env(with("SMTP_URL", "smtp://mail.example.org")))
		if err == nil || !strings.Contains(err.Error(), "MAIL_FROM is required") {
			t.Errorf("error %v, want MAIL_FROM is required", err)
		}
	})
}
