package federation

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// mastodonMessage is how a Mastodon 4.7 signs a POST with RFC 9421 when it
// knocks a second time: sig1 over "@method" "@target-uri" "content-digest",
// with created and keyid, and a sha-256 Content-Digest. It is written with
// string formatting, apart from our signature package.
type mastodonMessage struct {
	components string    // the covered components; Mastodon's when empty
	created    time.Time // the peer's now when zero
	key        *rsa.PrivateKey
	sent       []byte // a body other than the one signed
}

// sendMessage POSTs activity by actor to path (the shared inbox when empty),
// signed with RFC 9421 only, as m says.
func (p *peer) sendMessage(e *env, actor, path string, activity map[string]any, m mastodonMessage) *httptest.ResponseRecorder {
	p.t.Helper()
	body, err := json.Marshal(activity)
	if err != nil {
		p.t.Fatal(err)
	}
	if path == "" {
		path = "/inbox"
	}
	if m.components == "" {
		m.components = `"@method" "@target-uri" "content-digest"`
	}
	if m.created.IsZero() {
		m.created = p.now()
	}
	if m.key == nil {
		m.key = p.key
	}
	target := "https://samizdat.example" + path
	sum := sha256.Sum256(body)
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	input := fmt.Sprintf(`(%s);created=%d;keyid="%s"`, m.components, m.created.Unix(), p.keyID(actor))
	var lines []string
	for _, c := range strings.Fields(m.components) {
		switch strings.Trim(c, `"`) {
		case "@method":
			lines = append(lines, `"@method": POST`)
		case "@target-uri":
			lines = append(lines, `"@target-uri": `+target)
		case "content-digest":
			lines = append(lines, `"content-digest": `+digest)
		}
	}
	lines = append(lines, `"@signature-params": `+input)
	h := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, m.key, crypto.SHA256, h[:])
	if err != nil {
		p.t.Fatal(err)
	}
	sent := body
	if m.sent != nil {
		sent = m.sent
	}
	r := httptest.NewRequestWithContext(p.t.Context(), http.MethodPost, target, bytes.NewReader(sent))
	r.Header.Set("Content-Type", "application/activity+json")
	r.Header.Set("Content-Digest", digest)
	r.Header.Set("Signature-Input", "sig1="+input)
	r.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(sig)+":")
	w := httptest.NewRecorder()
	e.fed.Handler().ServeHTTP(w, r)
	return w
}

// TestInbox_RFC9421 checks docs/federation.md#rfc9421-signatures at the
// inbox: a Follow signed only with RFC 9421, as Mastodon 4.5+ may send it,
// is taken, its key looked up as for draft-cavage (fetched once, then from
// the cache); forged, stale, incomplete and wrong-digest requests get 401.
func TestInbox_RFC9421(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{allowPrivate: true})
	p := newPeer(t, e)
	en := e.fed.ActorURL("en")

	w := p.sendMessage(e, p.alice(), "/actors/en/inbox", follow(p.alice()+"#follows/1", p.alice(), en), mastodonMessage{})
	if w.Code != http.StatusAccepted {
		t.Fatalf("Follow signed with RFC 9421: %d %s, want 202", w.Code, w.Body)
	}
	if got := followRows(t, e, "en"); got[p.alice()] != p.alice()+"#follows/1" {
		t.Fatalf("followers %v, want alice", got)
	}
	fetched := len(p.fetched())
	if fetched == 0 {
		t.Fatal("the key was never fetched")
	}
	// The same key again comes from the cache.
	if w := p.sendMessage(e, p.alice(), "", like(e, p), mastodonMessage{}); w.Code != http.StatusAccepted {
		t.Errorf("Like signed with RFC 9421: %d, want 202", w.Code)
	}
	if n := len(p.fetched()); n != fetched {
		t.Errorf("%d more fetches; the cached key should serve", n-fetched)
	}

	signed, _ := json.Marshal(like(e, p))
	for _, c := range []struct {
		name string
		m    mastodonMessage
	}{
		{"Forged", mastodonMessage{key: readTestKey(t, "peer-other")}},
		{"Stale", mastodonMessage{created: t0.Add(-2 * time.Hour)}},
		{"MissingTargetURI", mastodonMessage{components: `"@method" "content-digest"`}},
		{"MissingContentDigest", mastodonMessage{components: `"@method" "@target-uri"`}},
		{"WrongDigest", mastodonMessage{sent: bytes.Replace(signed, []byte(`"Like"`), []byte(`"Undo"`), 1)}},
	} {
		t.Run(c.name, func(t *testing.T) {
			if w := p.sendMessage(e, p.alice(), "", like(e, p), c.m); w.Code != http.StatusUnauthorized {
				t.Errorf("status %d, want 401", w.Code)
			}
		})
	}
}
