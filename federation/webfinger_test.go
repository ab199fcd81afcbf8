package federation

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// TestUsernames checks docs/federation.md#mastodon-username-rule for every
// language actor and for the instance actor when BASE_URL has a port: the user
// name must match Mastodon's rule in full, while the handle keeps the port.
func TestUsernames(t *testing.T) {
	t.Parallel()
	langs := []string{"en", "ru", "fr", "uk", "de", "es", "pt", "zh", "be", "kk", "hy", "ka", "fil"}
	e := newEnv(t, envOptions{base: "http://127.0.0.1:8080", languages: langs})
	for _, name := range append([]string{instanceActor}, langs...) {
		var d doc
		var err error
		if name == instanceActor {
			d, err = e.fed.instanceActorDoc()
		} else {
			d, err = e.fed.languageActor(name, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		user := d["preferredUsername"].(string)
		if !usernameRE.MatchString(user) {
			t.Errorf("%s: preferredUsername %q is not a valid Mastodon user name", name, user)
		}
		wantUser, wantFinger := name, name+"@127.0.0.1:8080"
		if name == instanceActor {
			wantUser, wantFinger = "127.0.0.1", "127.0.0.1@127.0.0.1:8080"
		}
		if user != wantUser || d["webfinger"] != wantFinger {
			t.Errorf("%s: preferredUsername %q, webfinger %q; want %q, %q", name, user, d["webfinger"], wantUser, wantFinger)
		}
		// docs/federation.md#webfinger-round-trip: the peer WebFingers
		// preferredUsername at the host of the id and must get back the id byte
		// for byte.
		id := d["id"].(string)
		u, _ := url.Parse(id)
		w := e.get(t, e.fed.Handler(), "/.well-known/webfinger?resource=acct:"+user+"@"+u.Host, "")
		if w.Code != http.StatusOK {
			t.Fatalf("%s: WebFinger round trip: status %d", name, w.Code)
		}
		var j jrd
		if err := json.Unmarshal(w.Body.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		if j.Subject != "acct:"+wantFinger {
			t.Errorf("%s: subject %q, want acct:%s", name, j.Subject, wantFinger)
		}
		var self []string
		for _, l := range j.Links {
			if l.Rel == "self" && l.Type == ContentType {
				self = append(self, l.Href)
			}
		}
		if len(self) != 1 || self[0] != id {
			t.Errorf("%s: self links %v, want exactly [%s]", name, self, id)
		}
	}
	if got := e.fed.ActorHandle("en"); got != "@en@127.0.0.1:8080" {
		t.Errorf("ActorHandle(en) = %q, want @en@127.0.0.1:8080", got)
	}
}

// TestIRIs_DefaultPort checks that a default port written into BASE_URL does
// not leak into ids and handles.
func TestIRIs_DefaultPort(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ base, actor, handle string }{
		{"https://example.org", "https://example.org/actors/en", "@en@example.org"},
		{"https://Example.org:443", "https://example.org/actors/en", "@en@example.org"},
		{"http://localhost:80", "http://localhost/actors/en", "@en@localhost"},
		{"http://localhost:8080", "http://localhost:8080/actors/en", "@en@localhost:8080"},
		{"https://[::1]:8443", "https://[::1]:8443/actors/en", "@en@[::1]:8443"},
	} {
		u, err := url.Parse(c.base)
		if err != nil {
			t.Fatal(err)
		}
		i := newIRIs(u)
		if got := i.Actor("en"); got != c.actor {
			t.Errorf("%s: Actor = %q, want %q", c.base, got, c.actor)
		}
		if got := i.Handle("en"); got != c.handle {
			t.Errorf("%s: Handle = %q, want %q", c.base, got, c.handle)
		}
	}
}

// TestWebFinger_Resources covers the resource forms of
// docs/federation.md#webfinger-lookup and the answers of
// docs/federation.md#webfinger-lookup.
func TestWebFinger_Resources(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{base: "http://127.0.0.1:8080"})
	h := e.fed.Handler()
	for _, c := range []struct {
		resource string // as it appears in the query string
		status   int
		subject  string
	}{
		{"acct:en@127.0.0.1:8080", 200, "acct:en@127.0.0.1:8080"},
		{"ACCT:EN@127.0.0.1:8080", 200, "acct:en@127.0.0.1:8080"},
		{"acct:Ru@127.0.0.1:8080", 200, "acct:ru@127.0.0.1:8080"},
		{"acct%3Afr%40127.0.0.1%3A8080", 200, "acct:fr@127.0.0.1:8080"},
		{"acct%253Afr%2540127.0.0.1%253A8080", 200, "acct:fr@127.0.0.1:8080"}, // encoded twice
		{"en@127.0.0.1:8080", 200, "acct:en@127.0.0.1:8080"},
		{"@en@127.0.0.1:8080", 200, "acct:en@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/actors/en", 200, "acct:en@127.0.0.1:8080"},
		{url.QueryEscape("http://127.0.0.1:8080/actors/en"), 200, "acct:en@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/en/", 200, "acct:en@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/ru", 200, "acct:ru@127.0.0.1:8080"},
		{"acct:127.0.0.1@127.0.0.1:8080", 200, "acct:127.0.0.1@127.0.0.1:8080"},
		{"http://127.0.0.1:8080", 200, "acct:127.0.0.1@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/", 200, "acct:127.0.0.1@127.0.0.1:8080"},
		{"http://127.0.0.1:8080/actor", 200, "acct:127.0.0.1@127.0.0.1:8080"},
		{"acct:de@127.0.0.1:8080", 404, ""},             // not a configured language
		{"acct:en@127.0.0.1", 404, ""},                  // the port is part of the domain
		{"acct:en@elsewhere.example", 404, ""},          // another server's user
		{"http://elsewhere.example/actors/en", 404, ""}, // another server's URL
		{"acct:instance@127.0.0.1:8080", 404, ""},
		{"", 400, ""},
	} {
		w := e.get(t, h, "/.well-known/webfinger?resource="+c.resource, "")
		if w.Code != c.status {
			t.Errorf("resource %q: status %d, want %d", c.resource, w.Code, c.status)
			continue
		}
		if got := w.Header().Get("Access-Control-Allow-Origin"); got != "*" {
			t.Errorf("resource %q: Access-Control-Allow-Origin %q, want *", c.resource, got)
		}
		if c.status != 200 {
			continue
		}
		var j jrd
		if err := json.Unmarshal(w.Body.Bytes(), &j); err != nil {
			t.Fatal(err)
		}
		if j.Subject != c.subject {
			t.Errorf("resource %q: subject %q, want %q", c.resource, j.Subject, c.subject)
		}
		var profile bool
		for _, l := range j.Links {
			if l.Rel == "http://webfinger.net/rel/profile-page" && l.Type == "text/html" && strings.HasPrefix(l.Href, "http://127.0.0.1:8080/") {
				profile = true
			}
		}
		if !profile || len(j.Aliases) != 2 {
			t.Errorf("resource %q: want a profile-page link and two aliases, got %+v", c.resource, j)
		}
	}
}

// TestWantsActivityPub covers the Accept headers of
// docs/federation.md#activitypub-accept-headers and what browsers send.
func TestWantsActivityPub(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		accept string
		want   bool
	}{
		// What Mastodon sends (json_ld_helper, Dereferencer, FetchResourceService).
		{"application/activity+json, application/ld+json", true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json`, true},
		{`application/ld+json; profile="https://www.w3.org/ns/activitystreams", application/activity+json, text/html;q=0.1`, true},
		{"application/activity+json", true},
		{"application/ld+json", true},
		{`application/ld+json;profile="https://www.w3.org/ns/activitystreams"`, true},
		{"application/activity+json; charset=utf-8", true},
		// Browsers, crawlers and the rest get the page.
		{"text/html", false},
		{"text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", false},
		{"*/*", false},
		{"", false},
		{"application/json", false},
		{"text/html, application/activity+json;q=0.5", false},
		{"application/activity+json;q=0", false},
		{"garbage;;", false},
	} {
		if got := WantsActivityPub(c.accept); got != c.want {
			t.Errorf("WantsActivityPub(%q) = %v, want %v", c.accept, got, c.want)
		}
	}
}
