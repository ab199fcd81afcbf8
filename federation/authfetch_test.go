package federation

import (
	"crypto/rsa"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-fed/httpsig"
)

// signedGet fetches target from h as the peer's actor does, its GET signed
// with go-fed/httpsig over (request-target) host date, as Mastodon and
// GoToSocial sign their fetches; key nil sends it unsigned.
func (p *peer) signedGet(e *env, h http.Handler, target, actor string, key *rsa.PrivateKey) *httptest.ResponseRecorder {
	p.t.Helper()
	r := httptest.NewRequestWithContext(p.t.Context(), http.MethodGet, "https://samizdat.example"+target, nil)
	r.Header.Set("Accept", "application/activity+json, application/ld+json")
	r.Header.Set("Date", p.now().UTC().Format(http.TimeFormat))
	r.Header.Set("Host", r.Host)
	if key != nil {
		signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
			[]string{httpsig.RequestTarget, "host", "date"}, httpsig.Signature, 0)
		if err != nil {
			p.t.Fatal(err)
		}
		if err := signer.SignRequest(key, p.keyID(actor), r, nil); err != nil {
			p.t.Fatal(err)
		}
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// TestAuthorizedFetch checks docs/federation.md#authorized-fetch with a fake
// peer that signs its fetches as Mastodon does: with the setting on, the
// Articles and every collection answer unsigned or forged fetches 401 and a
// blocked signer 404; the language actor gives an unsigned or blocked
// fetcher only its stub, the instance actor, WebFinger and NodeInfo stay
// public, and a browser is still sent to the story page.
func TestAuthorizedFetch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true, authorized: true})
	p := newPeer(t, e)
	tr := e.publish(t, "en", "Lights out in Kharkiv", nil, true)
	art := "/ap/articles/" + tr.ObjectKey
	h, pages := e.fed.Handler(), e.fed.ActivityPubPages()
	gated := []struct {
		h    http.Handler
		path string
	}{
		{h, art}, {h, art + "/replies"}, {h, art + "/likes"}, {h, art + "/shares"}, {h, art + "/context"},
		{h, "/actors/en/outbox"}, {h, "/actors/en/outbox?page=1"}, {h, "/actors/en/followers"},
		{h, "/actors/en/following"}, {h, "/actors/en/featured"},
		{pages, "/en/stories/" + tr.Slug},
	}
	other := readTestKey(t, "peer-other")

	t.Run("Unsigned", func(t *testing.T) {
		for _, g := range gated {
			w := p.signedGet(e, g.h, g.path, p.alice(), nil)
			if w.Code != http.StatusUnauthorized || !strings.Contains(w.Header().Get("Vary"), "Signature") {
				t.Errorf("unsigned %s: %d, Vary %q; want 401, Vary with Signature", g.path, w.Code, w.Header().Get("Vary"))
			}
		}
	})
	t.Run("Forged", func(t *testing.T) {
		for _, g := range gated {
			if w := p.signedGet(e, g.h, g.path, p.alice(), other); w.Code != http.StatusUnauthorized {
				t.Errorf("forged %s: %d, want 401", g.path, w.Code)
			}
		}
	})
	t.Run("Signed", func(t *testing.T) {
		for _, g := range gated {
			w := p.signedGet(e, g.h, g.path, p.alice(), p.key)
			if w.Code != http.StatusOK {
				t.Errorf("signed %s: %d, want 200", g.path, w.Code)
				continue
			}
			if got := w.Header().Get("Cache-Control"); !strings.HasPrefix(got, "private") {
				t.Errorf("signed %s: Cache-Control %q, want private: the answer depends on the signer", g.path, got)
			}
		}
		full := decode(t, p.signedGet(e, h, "/actors/en", p.alice(), p.key).Body.Bytes())
		if full["outbox"] == nil || full["summary"] == nil {
			t.Errorf("signed actor fetch got %v, want the whole actor", full)
		}
	})
	t.Run("Public", func(t *testing.T) {
		stub := p.signedGet(e, h, "/actors/en", p.alice(), nil)
		m := decode(t, stub.Body.Bytes())
		if stub.Code != http.StatusOK || m["publicKey"] == nil || m["inbox"] == nil || m["preferredUsername"] != "en" {
			t.Fatalf("unsigned actor: %d %v, want the stub with the key", stub.Code, m)
		}
		for _, k := range []string{"outbox", "followers", "featured", "summary", "attachment"} {
			if _, ok := m[k]; ok {
				t.Errorf("the stub carries %s", k)
			}
		}
		if m := decode(t, p.signedGet(e, pages, "/en/", p.alice(), nil).Body.Bytes()); m["outbox"] != nil || m["publicKey"] == nil {
			t.Errorf("section page as ActivityPub, unsigned: %v, want the stub", m)
		}
		for _, path := range []string{"/actor", "/.well-known/webfinger?resource=acct:en@samizdat.example", "/.well-known/nodeinfo", "/nodeinfo/2.1"} {
			if w := p.signedGet(e, h, path, p.alice(), nil); w.Code != http.StatusOK {
				t.Errorf("unsigned %s: %d, want 200", path, w.Code)
			}
		}
		if m := decode(t, p.signedGet(e, h, "/actor", p.alice(), nil).Body.Bytes()); m["publicKey"] == nil || m["summary"] == nil {
			t.Errorf("instance actor unsigned: %v, want all of it", m)
		}
		if w := e.get(t, h, art, "text/html"); w.Code != http.StatusFound {
			t.Errorf("browser on the Article id: %d, want 302 to the page", w.Code)
		}
	})
	t.Run("Blocked", func(t *testing.T) {
		if _, err := e.store.Block(t.Context(), 0, "account", p.mallory(), "test"); err != nil {
			t.Fatal(err)
		}
		if w := p.signedGet(e, h, art, p.mallory(), p.key); w.Code != http.StatusNotFound {
			t.Errorf("blocked account: %d, want 404", w.Code)
		}
		if w := p.signedGet(e, h, art, p.alice(), p.key); w.Code != http.StatusOK {
			t.Errorf("alice, not blocked: %d, want 200", w.Code)
		}
		if _, err := e.store.Block(t.Context(), 0, "instance", hostOf(p.base), "test"); err != nil {
			t.Fatal(err)
		}
		for _, g := range gated {
			if w := p.signedGet(e, g.h, g.path, p.alice(), p.key); w.Code != http.StatusNotFound {
				t.Errorf("blocked instance, %s: %d, want 404", g.path, w.Code)
			}
		}
		m := decode(t, p.signedGet(e, h, "/actors/en", p.alice(), p.key).Body.Bytes())
		if m["outbox"] != nil || m["publicKey"] == nil {
			t.Errorf("blocked instance on the actor: %v, want the stub", m)
		}
	})
}

// TestAuthorizedFetch_Off: off by default, everything answers unsigned
// fetches as before.
func TestAuthorizedFetch_Off(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	tr := e.publish(t, "en", "Open", nil, false)
	for _, path := range []string{"/ap/articles/" + tr.ObjectKey, "/ap/articles/" + tr.ObjectKey + "/replies", "/actors/en/outbox"} {
		if w := e.get(t, e.fed.Handler(), path, "application/activity+json"); w.Code != http.StatusOK || w.Header().Get("Vary") != "Accept" {
			t.Errorf("%s: %d, Vary %q; want 200, Vary Accept", path, w.Code, w.Header().Get("Vary"))
		}
	}
	if m := decode(t, e.getAP(t, "/actors/en")); m["outbox"] == nil {
		t.Error("unsigned actor fetch without authorized fetch: not the whole actor")
	}
}
