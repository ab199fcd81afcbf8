package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadConfig_Defaults(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u:secret@db:5432/samizdat"}))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(cfg.Languages, ","), "en,ru,fr"; got != want {
		t.Errorf("Languages = %s, want %s", got, want)
	}
	if got, want := cfg.BaseURL.String(), "http://localhost:8080"; got != want {
		t.Errorf("BaseURL = %s, want %s", got, want)
	}
	if cfg.ListenAddr != ":8080" || cfg.LogFormat != "text" || cfg.ShutdownTimeout != 15*time.Second || cfg.FederationAllowPrivate || cfg.AuthorizedFetch {
		t.Errorf("unexpected defaults: %+v", cfg)
	}
	if s := cfg.String(); strings.Contains(s, "secret") {
		t.Errorf("String() leaks the password: %s", s)
	}
}

func TestLoadConfig_Valid(t *testing.T) {
	cfg, err := loadConfig(env(map[string]string{
		"DATABASE_URL":             "postgres://u@db/samizdat",
		"BASE_URL":                 "https://example.org/",
		"LISTEN_ADDR":              "127.0.0.1:9000",
		"LANGUAGES":                " EN, uk ,de",
		"PUBLICATION_NAME":         "Bridges",
		"MEDIA_DIR":                "/var/lib/samizdat/media",
		"LOG_LEVEL":                "debug",
		"LOG_FORMAT":               "json",
		"FEDERATION_ALLOW_PRIVATE": "true",
		"AUTHORIZED_FETCH":         "true",
		"TRUSTED_PROXIES":          "10.0.0.0/8, ::1",
		"METRICS_ADDR":             "127.0.0.1:9090",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if got := fmt.Sprint(cfg.TrustedProxies); got != "[10.0.0.0/8 ::1/128]" {
		t.Errorf("TrustedProxies = %s", got)
	}
	if cfg.MetricsAddr != "127.0.0.1:9090" {
		t.Errorf("MetricsAddr = %q", cfg.MetricsAddr)
	}
	if got, want := strings.Join(cfg.Languages, ","), "en,uk,de"; got != want {
		t.Errorf("Languages = %s, want %s", got, want)
	}
	if got, want := cfg.BaseURL.String(), "https://example.org"; got != want {
		t.Errorf("BaseURL = %s, want %s", got, want)
	}
	if cfg.PublicationName != "Bridges" || cfg.LogFormat != "json" || !cfg.FederationAllowPrivate || !cfg.AuthorizedFetch {
		t.Errorf("unexpected: %+v", cfg)
	}
}

// Every problem is reported at once, each naming its variable.
func TestLoadConfig_ReportsEverything(t *testing.T) {
	_, err := loadConfig(env(map[string]string{
		"BASE_URL":                 "example.org/path",
		"LISTEN_ADDR":              "8080",
		"LANGUAGES":                "en,pt-BR,en",
		"LOG_LEVEL":                "loud",
		"LOG_FORMAT":               "xml",
		"SHUTDOWN_TIMEOUT":         "-1s",
		"FEDERATION_ALLOW_PRIVATE": "maybe",
		"AUTHORIZED_FETCH":         "sometimes",
		"TRUSTED_PROXIES":          "the proxy",
		"METRICS_ADDR":             "8080",
	}))
	if err == nil {
		t.Fatal("want an error")
	}
	for _, name := range []string{"DATABASE_URL", "BASE_URL", "LISTEN_ADDR", `"pt-br"`, `"en" is listed twice`, "LOG_LEVEL", "LOG_FORMAT", "SHUTDOWN_TIMEOUT", "FEDERATION_ALLOW_PRIVATE", "AUTHORIZED_FETCH", "TRUSTED_PROXIES", "METRICS_ADDR"} {
		if !strings.Contains(err.Error(), name) {
			t.Errorf("error does not mention %s:\n%v", name, err)
		}
	}
}

func TestLoadConfig_BaseURLWithPath(t *testing.T) {
	for _, base := range []string{"https://example.org/mag", "https://example.org/?x=1", "ftp://example.org", "https://"} {
		if _, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@db/s", "BASE_URL": base})); err == nil || !strings.Contains(err.Error(), "BASE_URL") {
			t.Errorf("BASE_URL=%s: got %v, want a BASE_URL error", base, err)
		}
	}
}

func TestLoadConfig_Roles(t *testing.T) {
	for _, tc := range []struct {
		in   string
		want string
		ok   bool
	}{
		{"", "web,worker", true},
		{"web", "web", true},
		{"worker", "worker", true},
		{" Worker , web ", "web,worker", true},
		{"web,", "web", true},
		{"api", "", false},
		{",", "", false},
	} {
		cfg, err := loadConfig(env(map[string]string{"DATABASE_URL": "postgres://u@db/samizdat", "SAMIZDAT_ROLES": tc.in}))
		if !tc.ok {
			if err == nil || !strings.Contains(err.Error(), "SAMIZDAT_ROLES") {
				t.Errorf("SAMIZDAT_ROLES=%q: err = %v, want one naming SAMIZDAT_ROLES", tc.in, err)
			}
			continue
		}
		if err != nil {
			t.Errorf("SAMIZDAT_ROLES=%q: %v", tc.in, err)
			continue
		}
		if got := cfg.Roles.String(); got != tc.want {
			t.Errorf("SAMIZDAT_ROLES=%q: roles %s, want %s", tc.in, got, tc.want)
		}
	}
}
