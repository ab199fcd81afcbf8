package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-fed/httpsig"
)

// TestFederation_FollowPublishEditWithdraw is the publishing flow on loopback:
// a peer on its own address with its own key follows @en and is accepted; an
// editor publishes, edits and withdraws a story through the desk; the peer
// receives the Create, the Update and the Delete, each checked by Mastodon's
// rules for incoming POSTs (docs/federation.md#signed-headers,
// #signature-time-window), implemented here independently of Samizdat's own
// signature package.
func TestFederation_FollowPublishEditWithdraw(t *testing.T) {
	t.Parallel()
	srv := startServer(t, nil)
	srv.command(t, "correct horse battery staple\n", "user", "add",
		"--email", "vera@example.org", "--name", "Vera", "--roles", "editor")
	p := newMastodonPeer(t, "127.0.0.2")

	// The peer follows @en, as Mastodon does: to the personal inbox.
	follow := map[string]any{
		"@context": "https://www.w3.org/ns/activitystreams",
		"id":       p.actor + "#follows/1",
		"type":     "Follow",
		"actor":    p.actor,
		"object":   srv.URL + "/actors/en",
	}
	if status := p.post(t, srv.URL+"/actors/en/inbox", follow); status != http.StatusAccepted {
		t.Fatalf("Follow answered %d, want 202", status)
	}
	accept := p.await(t, "Accept")
	if obj, _ := accept["object"].(map[string]any); obj["id"] != follow["id"] || obj["actor"] != p.actor {
		t.Errorf("the Accept does not embed the Follow: %v", accept["object"])
	}

	// The editor works through the desk.
	desk := newDeskClient(t, srv.URL, "vera@example.org", "correct horse battery staple")
	storyURL := desk.post(t, "/desk/stories/", url.Values{
		"byline_kind": {"publication"}, "lang": {"en"},
		"title":  {"Letters across the border"},
		"teaser": {"Two families, one on each side, kept writing."},
		"body":   {"They wrote every week."},
		"tags":   {"letters"},
	})
	m := regexp.MustCompile(`/desk/stories/(\d+)/en$`).FindStringSubmatch(storyURL)
	if m == nil {
		t.Fatalf("creating the story led to %s", storyURL)
	}
	tr := "/desk/stories/" + m[1] + "/en"

	desk.post(t, tr+"/state", url.Values{"action": {"publish"}})
	create := p.await(t, "Create")
	article, _ := create["object"].(map[string]any)
	if article["type"] != "Article" || article["name"] != "Letters across the border" || create["actor"] != srv.URL+"/actors/en" {
		t.Fatalf("Create = %v", create)
	}
	if create["id"] == article["id"] {
		t.Errorf("the Create's id equals its object's: %v", create["id"])
	}

	desk.post(t, tr, url.Values{
		"title":  {"Letters across two borders"},
		"teaser": {"Two families, one on each side, kept writing."},
		"body":   {"They wrote every week, and still do."},
		"slug":   {"letters-across-the-border"},
		"tags":   {"letters"},
	})
	update := p.await(t, "Update")
	edited, _ := update["object"].(map[string]any)
	if edited["id"] != article["id"] || edited["name"] != "Letters across two borders" {
		t.Errorf("Update object = %v", edited)
	}
	if u, _ := edited["updated"].(string); u == "" || u <= article["published"].(string) {
		t.Errorf("Update carries updated=%q, want one newer than published=%v (docs/federation.md#mastodon-article-edits)", u, article["published"])
	}

	desk.post(t, tr+"/state", url.Values{"action": {"withdraw"}, "confirm": {"yes"}})
	del := p.await(t, "Delete")
	tomb, _ := del["object"].(map[string]any)
	if tomb["id"] != article["id"] || tomb["type"] != "Tombstone" {
		t.Errorf("Delete object = %v", del["object"])
	}

	// The withdrawn Article's id now answers 404
	// (docs/federation.md#withdrawn-articles).
	req, _ := http.NewRequest("GET", article["id"].(string), nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET withdrawn Article = %d, want 404", resp.StatusCode)
	}
	if bad := p.refused(); len(bad) > 0 {
		t.Errorf("the peer refused deliveries: %v", bad)
	}
}

// mastodonPeer is a fake Mastodon instance on its own loopback address: one
// account with its own RSA key, a personal and a shared inbox. Every POST it
// receives must pass Mastodon's checks, or it is refused with 401 and noted.
type mastodonPeer struct {
	base, actor string
	key         *rsa.PrivateKey
	// keys, when set, gives the public key of a keyId instead of fetching
	// it: a follower that kept the key it fetched once.
	keys func(keyID string) (*rsa.PublicKey, error)

	mu       sync.Mutex
	received []map[string]any
	refusals []string
	arrived  chan struct{}
}

func newMastodonPeer(t *testing.T, addr string) *mastodonPeer {
	t.Helper()
	ln := listenOn(t, addr)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &mastodonPeer{base: "http://" + ln.Addr().String(), key: key, arrived: make(chan struct{}, 100)}
	p.actor = p.base + "/users/olga"
	serveOn(t, ln, http.HandlerFunc(p.serve))
	return p
}

func (p *mastodonPeer) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/users/olga":
		der, _ := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{
			"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":                p.actor,
			"type":              "Person",
			"preferredUsername": "olga",
			"inbox":             p.actor + "/inbox",
			"endpoints":         map[string]string{"sharedInbox": p.base + "/inbox"},
			"publicKey": map[string]string{
				"id": p.actor + "#main-key", "owner": p.actor,
				"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
			},
		})
	case r.Method == http.MethodPost && (r.URL.Path == "/inbox" || r.URL.Path == "/users/olga/inbox"):
		body, _ := io.ReadAll(r.Body)
		if err := mastodonVerify(r, body, p.keys); err != nil {
			p.mu.Lock()
			p.refusals = append(p.refusals, err.Error())
			p.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var activity map[string]any
		if err := json.Unmarshal(body, &activity); err != nil {
			http.Error(w, "bad JSON", http.StatusBadRequest)
			return
		}
		p.mu.Lock()
		p.received = append(p.received, activity)
		p.mu.Unlock()
		p.arrived <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// await waits for the next activity of a type.
func (p *mastodonPeer) await(t *testing.T, typ string) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		p.mu.Lock()
		for i, a := range p.received {
			if a["type"] == typ {
				p.received = append(p.received[:i], p.received[i+1:]...)
				p.mu.Unlock()
				return a
			}
		}
		p.mu.Unlock()
		select {
		case <-p.arrived:
		case <-deadline:
			t.Fatalf("no %s reached the peer within 60s (refused: %v)", typ, p.refused())
		}
	}
}

func (p *mastodonPeer) refused() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.refusals...)
}

// post sends a signed activity from the peer's account with go-fed/httpsig.
func (p *mastodonPeer) post(t *testing.T, inbox string, activity map[string]any) int {
	t.Helper()
	resp := signedPost(t, p.key, p.actor+"#main-key", inbox, activity)
	resp.Body.Close()
	return resp.StatusCode
}

// signedPost POSTs an activity signed as Mastodon signs, over
// (request-target), host, date and digest, with go-fed/httpsig: a signer
// independent of Samizdat's own. The caller closes the body.
func signedPost(t *testing.T, key *rsa.PrivateKey, keyID, inbox string, activity map[string]any) *http.Response {
	t.Helper()
	body, _ := json.Marshal(activity)
	req, _ := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	req.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("Host", req.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
		[]string{httpsig.RequestTarget, "host", "date", "digest"}, httpsig.Signature, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := signer.SignRequest(key, keyID, req, body); err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	return resp
}

// mastodonVerify applies Mastodon's rules for an incoming POST: the
// signature must cover (request-target), host, date and digest, the Digest
// must be the SHA-256 of the exact body, no follower-synchronization header,
// and the signature must pass verifyCavage, with keys from keys when it is
// not nil.
func mastodonVerify(r *http.Request, body []byte, keys func(string) (*rsa.PublicKey, error)) error {
	if r.Header.Get("Collection-Synchronization") != "" {
		return fmt.Errorf("Collection-Synchronization sent (docs/federation.md#no-follower-synchronization)")
	}
	sum := sha256.Sum256(body)
	if want := "SHA-256=" + base64.StdEncoding.EncodeToString(sum[:]); r.Header.Get("Digest") != want {
		return fmt.Errorf("Digest %q, want %q", r.Header.Get("Digest"), want)
	}
	return verifyCavageWith(r, keys, "(request-target)", "host", "date", "digest")
}

// verifyCavage checks a draft-cavage Signature header as Mastodon does: it
// must cover every header in required, the Date must be within an hour, and
// the RSA-SHA256 signature must verify with the key its keyId names
// (fetched from its actor document).
func verifyCavage(r *http.Request, required ...string) error {
	return verifyCavageWith(r, nil, required...)
}

// verifyCavageWith is verifyCavage with the key from keys, or fetched when
// keys is nil.
func verifyCavageWith(r *http.Request, keys func(string) (*rsa.PublicKey, error), required ...string) error {
	if keys == nil {
		keys = fetchKey
	}
	params := map[string]string{}
	for _, part := range regexp.MustCompile(`(\w+)="([^"]*)"`).FindAllStringSubmatch(r.Header.Get("Signature"), -1) {
		params[part[1]] = part[2]
	}
	headers := strings.Fields(params["headers"])
	for _, need := range required {
		if !slices.Contains(headers, need) {
			return fmt.Errorf("%s %s: signature does not cover %s: %q", r.Method, r.URL.Path, need, params["headers"])
		}
	}
	date, err := http.ParseTime(r.Header.Get("Date"))
	if err != nil || time.Since(date).Abs() > time.Hour {
		return fmt.Errorf("%s %s: Date %q out of window", r.Method, r.URL.Path, r.Header.Get("Date"))
	}
	var lines []string
	for _, h := range headers {
		switch h {
		case "(request-target)":
			lines = append(lines, "(request-target): "+strings.ToLower(r.Method)+" "+r.URL.RequestURI())
		case "host":
			lines = append(lines, "host: "+r.Host)
		default:
			lines = append(lines, h+": "+r.Header.Get(h))
		}
	}
	pub, err := keys(params["keyId"])
	if err != nil {
		return err
	}
	sig, err := base64.StdEncoding.DecodeString(params["signature"])
	if err != nil {
		return fmt.Errorf("signature not base64")
	}
	digest := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
		return fmt.Errorf("%s %s: bad signature for keyId %s", r.Method, r.URL.Path, params["keyId"])
	}
	return nil
}

// fetchKey reads the public key named by a keyId from its actor document.
func fetchKey(keyID string) (*rsa.PublicKey, error) {
	req, _ := http.NewRequest("GET", keyID, nil)
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var doc struct {
		ID        string `json:"id"`
		PublicKey struct {
			ID, Owner, PublicKeyPem string
		} `json:"publicKey"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		return nil, fmt.Errorf("key document %s: %v", keyID, err)
	}
	if doc.PublicKey.ID != keyID || doc.PublicKey.Owner != doc.ID {
		return nil, fmt.Errorf("key %s: id %q owner %q actor %q", keyID, doc.PublicKey.ID, doc.PublicKey.Owner, doc.ID)
	}
	block, _ := pem.Decode([]byte(doc.PublicKey.PublicKeyPem))
	if block == nil {
		return nil, fmt.Errorf("key %s: no PEM", keyID)
	}
	k, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		return nil, err
	}
	pub, ok := k.(*rsa.PublicKey)
	if !ok || pub.N.BitLen() < 2048 {
		return nil, fmt.Errorf("key %s is not RSA-2048", keyID)
	}
	return pub, nil
}

// deskClient is an editor's browser without the browser: a cookie jar and
// the CSRF token the desk's forms carry.
type deskClient struct {
	base  string
	c     *http.Client
	token string
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newDeskClient(t *testing.T, base, email, password string) *deskClient {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	d := &deskClient{base: base, c: &http.Client{Jar: jar}}
	d.refreshToken(t, "/desk/login")
	if got := d.post(t, "/desk/login", url.Values{"email": {email}, "password": {password}}); strings.Contains(got, "/login") {
		t.Fatalf("login failed: at %s", got)
	}
	d.refreshToken(t, "/desk/stories/")
	return d
}

func (d *deskClient) refreshToken(t *testing.T, path string) {
	t.Helper()
	resp, err := d.c.Get(d.base + path)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfRE.FindSubmatch(b)
	if m == nil {
		t.Fatalf("no csrf_token on %s (%d)", path, resp.StatusCode)
	}
	d.token = string(m[1])
}

// post submits a form and returns where the desk's redirect led.
func (d *deskClient) post(t *testing.T, path string, form url.Values) string {
	t.Helper()
	form.Set("csrf_token", d.token)
	resp, err := d.c.PostForm(d.base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 400 {
		t.Fatalf("POST %s: %d\n%s", path, resp.StatusCode, b)
	}
	return resp.Request.URL.Path
}
