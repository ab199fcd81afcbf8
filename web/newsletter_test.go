package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"testing"
)

func withSubscribe(calls *[]string) func(*Config) {
	return func(c *Config) {
		c.Subscribe = func(_ context.Context, address string, langs []string, lang string) error {
			*calls = append(*calls, fmt.Sprintf("%s %v %s", address, langs, lang))
			return nil
		}
	}
}

// TestNewsletter_Limits refuses a fourth request for one address and a
// sixth from one client within the hour, and stores nothing for a filled
// honeypot.
func TestNewsletter_Limits(t *testing.T) {
	t.Parallel()
	var calls []string
	s := newSite(t, withSubscribe(&calls))
	form := func(addr string) url.Values {
		return url.Values{"address": {addr}, "langs": {"en", "xx"}, "website": {""}}
	}
	for range 3 {
		expect(t, s.post("/en/newsletter", form("anna@example.org")), http.StatusSeeOther)
	}
	body := expect(t, s.post("/en/newsletter", form("anna@example.org")), http.StatusTooManyRequests)
	contains(t, body, "Too many attempts")
	expect(t, s.post("/en/newsletter", form("boris@example.org")), http.StatusSeeOther)
	expect(t, s.post("/en/newsletter", form("carla@example.org")), http.StatusTooManyRequests) // the client's sixth
	if len(calls) != 4 || calls[0] != "anna@example.org [en] en" {
		t.Errorf("Subscribe calls %q", calls)
	}
	hp := form("dora@example.org")
	hp.Set("website", "http://spam.example")
	expect(t, s.post("/ru/newsletter", hp), http.StatusSeeOther)
	if len(calls) != 4 {
		t.Errorf("the honeypot subscribed: %q", calls)
	}
}

// TestNewsletter_Form checks the form's fields and that an unknown
// language and a malformed address are refused without a call.
func TestNewsletter_Form(t *testing.T) {
	t.Parallel()
	var calls []string
	s := newSite(t, withSubscribe(&calls))
	body := expectPage(t, s.get("/ru/newsletter"), http.StatusOK, "ru")
	contains(t, body, `<form method="post" action="/ru/newsletter"`, `<input id="lang-ru" name="langs" type="checkbox" value="ru" checked>`,
		`<label for="address">`, `<input id="website" name="website" type="text" tabindex="-1"`)
	expect(t, s.post("/en/newsletter", url.Values{"address": {"anna@example.org"}, "langs": {"xx"}}), http.StatusBadRequest)
	expect(t, s.post("/en/newsletter", url.Values{"address": {"Anna <anna@example.org>"}, "langs": {"en"}}), http.StatusBadRequest)
	if len(calls) != 0 {
		t.Errorf("Subscribe called: %q", calls)
	}
}
