package web

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func joinValues(roles []string, pairs, message, contact string) url.Values {
	return url.Values{"roles": roles, "lang_pairs": {pairs}, "message": {message}, "contact": {contact}, "website": {""}}
}

func TestJoin_Form(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	body := expectPage(t, s.get("/fr/join"), http.StatusOK, "fr")
	contains(t, body, "<h1>Rejoignez l’équipe</h1>", `<form method="post" action="/fr/join"`,
		`<input id="role-translator" name="roles" type="checkbox" value="translator">`, `<div class="hp" aria-hidden="true">`)
	for _, id := range []string{"role-writer", "role-editor", "role-translator", "role-social", "role-fundraising", "role-other", "lang_pairs", "message", "contact", "website"} {
		if !strings.Contains(body, `<label for="`+id+`">`) {
			t.Errorf("no label for #%s", id)
		}
	}
}

func TestJoin_Success(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	rec := s.post("/en/join", joinValues([]string{"translator", "writer", "bogus"}, "ru → en", "I translate poetry and prose.", "@olena@example.social"),
		"X-Forwarded-For", "203.0.113.9", "User-Agent", "TestBrowser/1.0")
	expect(t, rec, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != "/en/join?sent=1" {
		t.Fatalf("Location %q", got)
	}
	vs, err := s.store.Volunteers(t.Context(), false, 10, 0)
	if err != nil || len(vs) != 1 {
		t.Fatalf("volunteers %v, %v", vs, err)
	}
	v := vs[0]
	if strings.Join(v.Roles, ",") != "writer,translator" || v.LangPairs != "ru → en" || v.Contact != "@olena@example.social" || v.Lang != "en" {
		t.Errorf("stored %+v", v)
	}
	// Nothing about the sender's connection is kept anywhere in the row.
	var row string
	if err := s.store.Pool().QueryRow(t.Context(), `SELECT v::text FROM volunteers v`).Scan(&row); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(row, "203.0.113.9") || strings.Contains(row, "TestBrowser") {
		t.Errorf("the row keeps the sender's address or browser: %s", row)
	}
	contains(t, expectPage(t, s.get("/en/join?sent=1"), http.StatusOK, "en"), "Your offer has reached our editors.")
}

func TestJoin_Invalid(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	body := expect(t, s.post("/ru/join", joinValues([]string{"translator"}, "", "hi", "")), http.StatusBadRequest)
	contains(t, body, "Укажите, с каких языков", "Напишите хотя бы несколько слов", "Оставьте способ связи", `value="translator" checked`)
	body = expect(t, s.post("/en/join", joinValues(nil, "", "I would like to help.", "me@example.org")), http.StatusBadRequest)
	contains(t, body, "Please choose at least one way to help.", "I would like to help.")
	if vs, _ := s.store.Volunteers(t.Context(), false, 10, 0); len(vs) != 0 {
		t.Errorf("stored %d offers", len(vs))
	}
}

func TestJoin_Honeypot(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	f := joinValues([]string{"writer"}, "", "I would like to help.", "me@example.org")
	f.Set("website", "http://spam.example")
	expect(t, s.post("/en/join", f), http.StatusSeeOther)
	if vs, _ := s.store.Volunteers(t.Context(), false, 10, 0); len(vs) != 0 {
		t.Errorf("the honeypot stored %d offers", len(vs))
	}
}
