package federation

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/federation/transport"
)

// The ids readers are sent to interact with.
const (
	testArticle = "https://samizdat.test/ap/articles/0b5e-4f"
	testActor   = "https://samizdat.test/actors/en"
)

// fakeInstance is another server's WebFinger on its own loopback address,
// answering in the shape of one kind of server.
type fakeInstance struct {
	base  string // http://127.0.0.N:port
	host  string // 127.0.0.N:port
	mu    sync.Mutex
	asked []string // the resources asked about
}

func (f *fakeInstance) resources() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// newInstance starts a fake instance on addr ("127.0.0.N"); answer writes
// the WebFinger response for a resource, with base the instance's address.
func newInstance(t *testing.T, addr string, answer func(w http.ResponseWriter, base, resource string)) *fakeInstance {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	f := &fakeInstance{host: ln.Addr().String()}
	f.base = "http://" + f.host
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/.well-known/webfinger" {
			http.NotFound(w, r)
			return
		}
		res := r.URL.Query().Get("resource")
		f.mu.Lock()
		f.asked = append(f.asked, res)
		f.mu.Unlock()
		answer(w, f.base, res)
	}))
	srv.Listener.Close()
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	return f
}

func writeJRD(w http.ResponseWriter, subject string, links ...map[string]string) {
	w.Header().Set("Content-Type", "application/jrd+json")
	json.NewEncoder(w).Encode(map[string]any{"subject": subject, "links": links})
}

func self(href string) map[string]string {
	return map[string]string{"rel": "self", "type": "application/activity+json", "href": href}
}

// mastodon answers as Mastodon 4.6 does: accounts carry the FEP-3b86
// Object and Create intents and the OStatus template; the instance actor,
// found by https://domain, carries no template at all.
func mastodon(w http.ResponseWriter, base, res string) {
	switch {
	case res == "acct:reader@"+strings.TrimPrefix(base, "http://"):
		writeJRD(w, res, self(base+"/users/reader"),
			map[string]string{"rel": relObjectIntent, "template": base + "/authorize_interaction?uri={object}"},
			map[string]string{"rel": "https://w3id.org/fep/3b86/Create", "template": base + "/share?text={content}"},
			map[string]string{"rel": relSubscribe, "template": base + "/authorize_interaction?uri={uri}"})
	case strings.HasPrefix(res, "http"):
		writeJRD(w, "acct:"+strings.TrimPrefix(base, "http://")+"@"+strings.TrimPrefix(base, "http://"), self(base+"/actor"))
	default:
		http.NotFound(w, nil)
	}
}

// oldMastodon is Mastodon before 4.6: only the OStatus template.
func oldMastodon(w http.ResponseWriter, base, res string) {
	if !strings.HasPrefix(res, "acct:") {
		http.NotFound(w, nil)
		return
	}
	writeJRD(w, res, self(base+"/users/reader"),
		map[string]string{"rel": relSubscribe, "template": base + "/authorize_interaction?uri={uri}"})
}

// misskey offers only a follow page
// (docs/federation.md#remote-interaction-without-templates).
func misskey(w http.ResponseWriter, base, res string) {
	if !strings.HasPrefix(res, "acct:") {
		w.WriteHeader(http.StatusUnprocessableEntity)
		return
	}
	writeJRD(w, strings.ToLower(res), self(base+"/users/9abc"),
		map[string]string{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": base + "/@reader"},
		map[string]string{"rel": relSubscribe, "template": base + "/authorize-follow?acct={uri}"})
}

// gotosocial publishes no interaction template, and refuses resources
// without a user name (gts:internal/api/wellknown/webfinger).
func gotosocial(w http.ResponseWriter, base, res string) {
	if !strings.HasPrefix(res, "acct:") {
		http.Error(w, `{"error":"Bad Request"}`, http.StatusBadRequest)
		return
	}
	writeJRD(w, res, self(base+"/users/reader"),
		map[string]string{"rel": "http://webfinger.net/rel/profile-page", "type": "text/html", "href": base + "/@reader"})
}

// fep3b86 follows the FEP's text: intent links with href, a Follow intent.
func fep3b86(w http.ResponseWriter, base, res string) {
	writeJRD(w, res,
		map[string]string{"rel": relFollowIntent, "href": base + "/intent/follow?object={object}"},
		map[string]string{"rel": relObjectIntent, "href": base + "/intent/object?object={object}"})
}

func devClient() *http.Client { return transport.New(transport.Options{AllowPrivate: true}) }

func TestInteract(t *testing.T) {
	t.Parallel()
	ma := newInstance(t, "127.0.0.21", mastodon)
	old := newInstance(t, "127.0.0.22", oldMastodon)
	mk := newInstance(t, "127.0.0.23", misskey)
	gts := newInstance(t, "127.0.0.24", gotosocial)
	fep := newInstance(t, "127.0.0.25", fep3b86)
	const article = "https%3A%2F%2Fsamizdat.test%2Fap%2Farticles%2F0b5e-4f"
	const actor = "https%3A%2F%2Fsamizdat.test%2Factors%2Fen"

	tests := []struct {
		name   string
		input  string
		follow bool
		want   string
		asked  *fakeInstance
		asks   []string
	}{
		{"Mastodon reply", "reader@" + ma.host, false, ma.base + "/authorize_interaction?uri=" + article,
			ma, []string{"acct:reader@" + ma.host}},
		{"Mastodon follow, with @ and spaces", "  @reader@" + ma.host + " ", true, ma.base + "/authorize_interaction?uri=" + actor, nil, nil},
		{"Mastodon acct: prefix", "acct:reader@" + ma.host, false, ma.base + "/authorize_interaction?uri=" + article, nil, nil},
		{"Mastodon bare domain: instance actor without template", ma.host, false, ma.base + "/authorize_interaction?uri=" + article,
			ma, []string{"http://" + ma.host}},
		{"Mastodon address typed as a URL", ma.base + "/", true, ma.base + "/authorize_interaction?uri=" + actor, nil, nil},
		{"Mastodon unknown account falls back to the domain", "nobody@" + ma.host, false, ma.base + "/authorize_interaction?uri=" + article,
			ma, []string{"acct:nobody@" + ma.host, "http://" + ma.host}},
		{"Mastodon before 4.6", "reader@" + old.host, false, old.base + "/authorize_interaction?uri=" + article, nil, nil},
		{"Misskey follow", "Reader@" + mk.host, true, mk.base + "/authorize-follow?acct=" + actor, nil, nil},
		{"Misskey reply goes through its only page", "reader@" + mk.host, false, mk.base + "/authorize-follow?acct=" + article, nil, nil},
		{"GoToSocial has no template", "reader@" + gts.host, false, "", gts, []string{"acct:reader@" + gts.host}},
		{"FEP-3b86 follow intent, href", "reader@" + fep.host, true, fep.base + "/intent/follow?object=" + actor, nil, nil},
		{"FEP-3b86 object intent, href", "reader@" + fep.host, false, fep.base + "/intent/object?object=" + article, nil, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before int
			if tc.asked != nil {
				before = len(tc.asked.resources())
			}
			target := testArticle
			if tc.follow {
				target = testActor
			}
			got, err := Interact(t.Context(), devClient(), tc.input, target, tc.follow)
			if err != nil {
				t.Fatalf("Interact(%q): %v", tc.input, err)
			}
			if got != tc.want {
				t.Errorf("Interact(%q) =\n %q, want\n %q", tc.input, got, tc.want)
			}
			if tc.asked != nil {
				if asked := tc.asked.resources()[before:]; strings.Join(asked, " ") != strings.Join(tc.asks, " ") {
					t.Errorf("asked about %q, want %q", asked, tc.asks)
				}
			}
		})
	}
}

func TestInteract_Fails(t *testing.T) {
	t.Parallel()
	gts := newInstance(t, "127.0.0.24", gotosocial)
	broken := newInstance(t, "127.0.0.26", func(w http.ResponseWriter, _, _ string) {
		http.Error(w, "oops", http.StatusInternalServerError)
	})
	hostile := newInstance(t, "127.0.0.27", func(w http.ResponseWriter, base, res string) {
		writeJRD(w, res,
			map[string]string{"rel": relObjectIntent, "template": "javascript:alert(1)//{object}"},
			map[string]string{"rel": relSubscribe, "template": "https://user:pass@phish.example/{uri}"},
			map[string]string{"rel": relSubscribe, "template": base + "/no-placeholder"})
	})
	garbage := newInstance(t, "127.0.0.28", func(w http.ResponseWriter, _, _ string) {
		w.Write([]byte("<html>not json</html>"))
	})
	release := make(chan struct{})
	slow := newInstance(t, "127.0.0.29", func(w http.ResponseWriter, _, _ string) {
		select {
		case <-release:
		case <-time.After(5 * time.Second):
		}
	})
	t.Cleanup(func() { close(release) }) // before the server's own cleanup, which waits for this handler

	t.Run("GoToSocial bare domain: lookup refused", func(t *testing.T) {
		if got, err := Interact(t.Context(), devClient(), gts.host, testArticle, false); err == nil || got != "" {
			t.Errorf("got %q, %v; want an error", got, err)
		}
	})
	t.Run("Server error", func(t *testing.T) {
		if got, err := Interact(t.Context(), devClient(), "reader@"+broken.host, testArticle, false); err == nil || got != "" {
			t.Errorf("got %q, %v; want an error", got, err)
		}
	})
	t.Run("Unusable templates are not followed", func(t *testing.T) {
		if got, err := Interact(t.Context(), devClient(), "reader@"+hostile.host, testArticle, false); err != nil || got != "" {
			t.Errorf("got %q, %v; want no address and no error", got, err)
		}
	})
	t.Run("Not JSON", func(t *testing.T) {
		if got, err := Interact(t.Context(), devClient(), "reader@"+garbage.host, testArticle, false); err == nil || got != "" {
			t.Errorf("got %q, %v; want an error", got, err)
		}
	})
	t.Run("Slow server, caller's deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(t.Context(), 300*time.Millisecond)
		defer cancel()
		start := time.Now()
		_, err := Interact(ctx, devClient(), "reader@"+slow.host, testArticle, false)
		if err == nil || time.Since(start) > 1500*time.Millisecond {
			t.Errorf("got %v after %v; want a quick error", err, time.Since(start))
		}
	})
	t.Run("Production client refuses loopback", func(t *testing.T) {
		// The same Mastodon-shaped answer, through a client that keeps to
		// public addresses (docs/federation.md#well-known-cors): no request
		// reaches the instance.
		ma := newInstance(t, "127.0.0.21", mastodon)
		_, err := Interact(t.Context(), transport.New(transport.Options{}), "reader@"+ma.host, testArticle, false)
		if !errors.Is(err, transport.ErrForbiddenAddress) {
			t.Errorf("got %v, want ErrForbiddenAddress", err)
		}
		if n := len(ma.resources()); n != 0 {
			t.Errorf("the instance was asked %d times", n)
		}
	})
}

func TestInteract_BadInput(t *testing.T) {
	t.Parallel()
	for _, input := range []string{
		"", "   ", "reader", "@reader", "reader@", "@@example.social", "reader@localhost:99999",
		"re ader@example.social", "a/b@example.social", "reader@exa mple.social", "reader@-bad-.social",
		"javascript:alert(1)", strings.Repeat("a", 320) + "@example.social", "https://user@example.social/",
	} {
		_, err := Interact(t.Context(), devClient(), input, testArticle, false)
		var ve *content.ValidationError
		if !errors.As(err, &ve) || ve.Fields["address"] == "" {
			t.Errorf("Interact(%q): got %v, want a validation error on address", input, err)
		}
	}
}

func TestParseAddress(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ in, user, host string }{
		{"anna@mastodon.social", "anna", "mastodon.social"},
		{"@Anna@Mastodon.Social.", "Anna", "mastodon.social"},
		{"ACCT:anna@mastodon.social", "anna", "mastodon.social"},
		{"mastodon.social", "", "mastodon.social"},
		{"https://mastodon.social/@anna", "", "mastodon.social"},
		{"анна@пример.рф", "анна", "xn--e1afmkfd.xn--p1ai"},
		{"reader@127.0.0.5:8080", "reader", "127.0.0.5:8080"},
		{"reader@[::1]:8080", "reader", "[::1]:8080"},
	} {
		user, host, err := parseAddress(tc.in)
		if err != nil || user != tc.user || host != tc.host {
			t.Errorf("parseAddress(%q) = %q, %q, %v; want %q, %q", tc.in, user, host, err, tc.user, tc.host)
		}
	}
	for host, want := range map[string]string{
		"mastodon.social": "https", "127.0.0.5:8080": "http", "[::1]:80": "http", "localhost:3000": "http", "10.0.0.1": "https",
	} {
		if got := schemeFor(host); got != want {
			t.Errorf("schemeFor(%q) = %q, want %q", host, got, want)
		}
	}
}
