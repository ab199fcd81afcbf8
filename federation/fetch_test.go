package federation

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"samizdat/federation/transport"
)

// TestFetch_PrivateAddressRefused checks that without
// AllowPrivate no fetch reaches a loopback address, named or literal, and a
// signed activity whose key lives there is refused without a connection.
func TestFetch_PrivateAddressRefused(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: false})
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.Header().Set("Content-Type", ContentType)
		w.Write([]byte(`{"id":"x","type":"Person"}`)) //nolint:errcheck
	}))
	t.Cleanup(srv.Close)
	port := srv.URL[strings.LastIndexByte(srv.URL, ':'):]

	for _, target := range []string{
		"http://localhost" + port + "/users/x", // a name that resolves to loopback
		"http://127.0.0.1" + port + "/users/x", // a literal
		"http://[::1]" + port + "/users/x",
	} {
		_, err := e.fed.fetch(t.Context(), target)
		if !errors.Is(err, transport.ErrForbiddenAddress) {
			t.Errorf("fetch %s: %v, want ErrForbiddenAddress", target, err)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Errorf("the loopback server got %d requests", n)
	}

	p := newPeer(t, e)
	w := p.send(e, p.alice(), follow(p.alice()+"#follows/1", p.alice(), e.fed.ActorURL("en")), sendOpts{})
	if w.Code != http.StatusUnauthorized {
		t.Errorf("Follow whose key is on a private address: %d, want 401", w.Code)
	}
	if got := p.fetched(); len(got) != 0 {
		t.Errorf("the peer on 127.0.0.2 was fetched: %v", got)
	}
}

// TestFetch_Signed checks that our fetches are signed by the instance actor
// over (request-target) host date, which the peer verifies
// (docs/federation.md#signed-headers, #instance-actor), and that a document
// whose id is not what was asked for is refused
// (docs/federation.md#object-id-served-exactly).
func TestFetch_Signed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	d, err := e.fed.fetch(t.Context(), p.alice())
	if err != nil {
		t.Fatal(err)
	}
	if d.ID != p.alice() {
		t.Errorf("fetched %v", d.ID)
	}
	p.mu.Lock()
	rejected := p.rejected
	p.mu.Unlock()
	if len(rejected) != 0 {
		t.Errorf("the peer refused our signatures: %v", rejected)
	}
	if _, err := e.fed.remoteActor(d, p.mallory()); err == nil {
		t.Error("an actor document was accepted for another id")
	}
	if _, err := e.fed.fetch(t.Context(), "https://samizdat.example/actors/en"); err == nil {
		t.Error("fetched a document from our own host")
	}
}
