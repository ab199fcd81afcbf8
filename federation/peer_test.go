package federation

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"

	"samizdat/federation/signature"
)

// peer is a fake remote server on its own loopback address (127.0.0.2). It
// serves actor and key documents in the shapes Mastodon and GoToSocial use
// (docs/federation.md#key-id-forms), refuses unsigned fetches as GoToSocial
// does (docs/federation.md#signed-fetches), checks the signature of every fetch
// it gets against our instance actor's key, and signs the activities it sends
// with go-fed/httpsig, independently of our own signing code.
type peer struct {
	t    *testing.T
	srv  *httptest.Server
	base string // http://127.0.0.2:port
	key  *rsa.PrivateKey
	// instanceKey is our instance actor's public key, which must sign
	// every fetch.
	instanceKey *rsa.PublicKey
	now         func() time.Time

	mu       sync.Mutex
	fetches  []string                 // paths fetched, in order
	rejected []string                 // fetches refused for their signature
	docs     map[string]any           // more documents to serve, by path
	fails    map[string]int           // paths answered with an error status
	delays   map[string]time.Duration // paths answered late
	files    map[string]peerFile      // images to serve, by path
}

// peerFile is an image the peer serves.
type peerFile struct {
	contentType string
	body        []byte
}

// newPeer starts a peer whose actors publish key-peer.pem.
func newPeer(t *testing.T, e *env) *peer { return newPeerAt(t, e, "127.0.0.2", "peer") }

// newPeerAt starts a peer on addr whose actors publish testdata/key-<key>.pem.
func newPeerAt(t *testing.T, e *env, addr, key string) *peer {
	t.Helper()
	ln, err := net.Listen("tcp", addr+":0")
	if err != nil {
		t.Fatalf("listen on %s: %v", addr, err)
	}
	p := &peer{t: t, key: readTestKey(t, key), now: e.clock.Now, docs: map[string]any{}, files: map[string]peerFile{}, fails: map[string]int{}, delays: map[string]time.Duration{}}
	p.instanceKey = &readTestKey(t, "instance").PublicKey
	p.srv = httptest.NewUnstartedServer(http.HandlerFunc(p.serve))
	p.srv.Listener.Close()
	p.srv.Listener = ln
	p.srv.Start()
	t.Cleanup(p.srv.Close)
	p.base = p.srv.URL
	return p
}

func readTestKey(t *testing.T, name string) *rsa.PrivateKey {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "key-"+name+".pem"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := parsePrivateKey(string(b))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func publicPEM(t *testing.T, k *rsa.PrivateKey) string {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// Actor ids of the peer. alice and mallory are Mastodon-shaped (key as a
// fragment of the actor), erin GoToSocial-shaped (key at …/main-key, a stub).
func (p *peer) alice() string    { return p.base + "/users/alice" }
func (p *peer) mallory() string  { return p.base + "/users/mallory" }
func (p *peer) erin() string     { return p.base + "/users/erin" }
func (p *peer) ghost() string    { return p.base + "/users/ghost" } // deleted: 410
func (p *peer) mika() string     { return p.base + "/users/9x2k1q0a7b" }
func (p *peer) instance() string { return p.base + "/actor" }

// actorByName maps the names fixtures use to actor ids.
func (p *peer) actorByName(name string) string {
	switch name {
	case "alice":
		return p.alice()
	case "erin":
		return p.erin()
	case "mika":
		return p.mika()
	case "instance":
		return p.instance()
	case "mallory":
		return p.mallory()
	}
	p.t.Fatalf("no peer actor %q", name)
	return ""
}

// serveDoc makes the peer serve d at path.
func (p *peer) serveDoc(path string, d any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.docs[path] = d
}

// failWith makes the peer answer path with status.
func (p *peer) failWith(path string, status int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.fails[path] = status
}

// delay makes the peer answer path only after d.
func (p *peer) delay(path string, d time.Duration) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.delays[path] = d
}

// serveFile makes the peer serve an image at path.
func (p *peer) serveFile(path, contentType string, body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.files[path] = peerFile{contentType, body}
}

func (p *peer) keyID(actor string) string {
	if actor == p.erin() {
		return actor + "/main-key"
	}
	return actor + "#main-key"
}

// serve answers fetches.
func (p *peer) serve(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	p.fetches = append(p.fetches, r.URL.Path)
	p.mu.Unlock()
	_, _, err := signature.Verify(r, nil, p.now(), func(context.Context, string, bool) (*rsa.PublicKey, string, error) {
		return p.instanceKey, "", nil
	})
	if err != nil {
		p.mu.Lock()
		p.rejected = append(p.rejected, r.URL.Path+": "+err.Error())
		p.mu.Unlock()
		http.Error(w, "signature required", http.StatusUnauthorized)
		return
	}
	pubPEM := publicPEM(p.t, p.key)
	p.mu.Lock()
	extra, isDoc := p.docs[r.URL.RequestURI()]
	if !isDoc {
		extra, isDoc = p.docs[r.URL.Path]
	}
	file, isFile := p.files[r.URL.Path]
	fail := p.fails[r.URL.Path]
	delay := p.delays[r.URL.Path]
	p.mu.Unlock()
	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	switch {
	case fail != 0:
		http.Error(w, http.StatusText(fail), fail)
		return
	case isFile:
		w.Header().Set("Content-Type", file.contentType)
		w.Write(file.body) //nolint:errcheck
		return
	case isDoc:
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(extra) //nolint:errcheck
		return
	}
	var d map[string]any
	switch r.URL.Path {
	case "/users/alice", "/users/mallory":
		id := p.base + r.URL.Path
		d = map[string]any{
			"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":                id,
			"type":              "Person",
			"preferredUsername": strings.TrimPrefix(r.URL.Path, "/users/"),
			"inbox":             id + "/inbox",
			"outbox":            id + "/outbox",
			"endpoints":         map[string]any{"sharedInbox": p.base + "/inbox"},
			"url":               p.base + "/@" + strings.TrimPrefix(r.URL.Path, "/users/"),
			"followers":         id + "/followers",
			"name":              "Alice Liddell",
			"icon":              map[string]any{"type": "Image", "mediaType": "image/png", "url": p.base + "/media/avatar-" + strings.TrimPrefix(r.URL.Path, "/users/") + ".png"},
			"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pubPEM},
		}
	case "/users/9x2k1q0a7b":
		// Misskey: an opaque id, the user name only in preferredUsername.
		id := p.mika()
		d = map[string]any{
			"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":                id,
			"type":              "Person",
			"preferredUsername": "mika",
			"name":              "ミカ",
			"inbox":             id + "/inbox",
			"outbox":            id + "/outbox",
			"followers":         id + "/followers",
			"sharedInbox":       p.base + "/inbox",
			"endpoints":         map[string]any{"sharedInbox": p.base + "/inbox"},
			"url":               p.base + "/@mika",
			"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pubPEM},
		}
	case "/actor":
		// Mastodon's instance actor, which signs its Flags.
		id := p.instance()
		d = map[string]any{
			"@context":          []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":                id,
			"type":              "Application",
			"preferredUsername": strings.TrimPrefix(p.base, "http://"),
			"inbox":             id + "/inbox",
			"outbox":            id + "/outbox",
			"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pubPEM},
		}
	case "/users/erin", "/users/erin/main-key":
		id := p.erin()
		key := map[string]any{"id": id + "/main-key", "owner": id, "publicKeyPem": pubPEM}
		if r.URL.Path == "/users/erin/main-key" {
			d = map[string]any{
				"@context":          []any{"https://w3id.org/security/v1", "https://www.w3.org/ns/activitystreams"},
				"id":                id,
				"preferredUsername": "erin",
				"publicKey":         key,
				"type":              "Person",
			}
			break
		}
		d = map[string]any{
			"@context":          []any{"https://gotosocial.org/ns", "https://w3id.org/security/v1", "https://www.w3.org/ns/activitystreams"},
			"id":                id,
			"type":              "Person",
			"preferredUsername": "erin",
			"inbox":             id + "/inbox",
			"outbox":            id + "/outbox",
			"followers":         id + "/followers",
			"url":               p.base + "/@erin",
			"publicKey":         key,
		}
	default:
		http.Error(w, "gone", http.StatusGone)
		return
	}
	w.Header().Set("Content-Type", "application/activity+json")
	json.NewEncoder(w).Encode(d) //nolint:errcheck
}

// fetched returns the paths the peer was asked for.
func (p *peer) fetched() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.fetches...)
}

// sendOpts alter how the peer signs an activity, for the rejection tests.
type sendOpts struct {
	path      string          // our inbox path; /inbox by default
	keyID     string          // defaults to the actor's key
	key       *rsa.PrivateKey // defaults to the peer's key
	date      time.Time       // defaults to now
	sent      []byte          // a body other than the one signed
	unsigned  bool
	rfc9421   bool     // an RFC 9421 signature of nothing, long expired (TestInbox_RFC9421 signs real ones)
	headers   []string // signed headers; (request-target) host date digest by default
	noContent bool     // send no Content-Type
}

// send POSTs an activity by actor to one of our inboxes, signed as o says,
// and returns the response.
func (p *peer) send(e *env, actor string, activity map[string]any, o sendOpts) *httptest.ResponseRecorder {
	p.t.Helper()
	body, err := json.Marshal(activity)
	if err != nil {
		p.t.Fatal(err)
	}
	return p.sendRaw(e, actor, body, o)
}

func (p *peer) sendRaw(e *env, actor string, body []byte, o sendOpts) *httptest.ResponseRecorder {
	p.t.Helper()
	if o.path == "" {
		o.path = "/inbox"
	}
	if o.keyID == "" {
		o.keyID = p.keyID(actor)
	}
	if o.key == nil {
		o.key = p.key
	}
	if o.date.IsZero() {
		o.date = p.now()
	}
	if o.headers == nil {
		o.headers = []string{httpsig.RequestTarget, "host", "date", "digest"}
	}
	r := httptest.NewRequestWithContext(p.t.Context(), http.MethodPost, "https://samizdat.example"+o.path, bytes.NewReader(body))
	if !o.noContent {
		r.Header.Set("Content-Type", `application/ld+json; profile="https://www.w3.org/ns/activitystreams"`)
	}
	r.Header.Set("User-Agent", "peer/1.0")
	r.Header.Set("Date", o.date.UTC().Format(http.TimeFormat))
	r.Header.Set("Host", r.Host)
	if !o.unsigned {
		signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256, o.headers, httpsig.Signature, 0)
		if err != nil {
			p.t.Fatal(err)
		}
		if err := signer.SignRequest(o.key, o.keyID, r, body); err != nil {
			p.t.Fatal(err)
		}
	}
	if o.rfc9421 {
		r.Header.Set("Signature-Input", `sig1=("@method" "@target-uri" "content-digest");created=1700000000;keyid="`+o.keyID+`"`)
		r.Header.Set("Signature", "sig1=:AAAA:")
	}
	if o.sent != nil {
		r.Body = io.NopCloser(bytes.NewReader(o.sent))
		r.ContentLength = int64(len(o.sent))
	}
	w := httptest.NewRecorder()
	e.fed.Handler().ServeHTTP(w, r)
	return w
}
