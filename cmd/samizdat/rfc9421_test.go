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
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/content/store"
)

// messagePeer is a fake server that speaks RFC 9421 only, as a Mastodon
// could once draft-cavage is retired: it signs its POSTs as Mastodon 4.7
// does, and answers 401 to any POST of ours signed otherwise. Its verifier
// is written here, apart from Samizdat's signature package.
type messagePeer struct {
	base, actor string
	key         *rsa.PrivateKey

	mu       sync.Mutex
	received []map[string]any
	cavage   int      // draft-cavage POSTs refused
	bad      []string // RFC 9421 POSTs that did not verify
	arrived  chan struct{}
}

func newMessagePeer(t *testing.T, addr string) *messagePeer {
	t.Helper()
	ln := listenOn(t, addr)
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p := &messagePeer{base: "http://" + ln.Addr().String(), key: key, arrived: make(chan struct{}, 100)}
	p.actor = p.base + "/users/nina"
	serveOn(t, ln, http.HandlerFunc(p.serve))
	return p
}

func (p *messagePeer) serve(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/users/nina":
		der, _ := x509.MarshalPKIXPublicKey(&p.key.PublicKey)
		w.Header().Set("Content-Type", "application/activity+json")
		json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck
			"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
			"id":                p.actor,
			"type":              "Person",
			"preferredUsername": "nina",
			"inbox":             p.actor + "/inbox",
			"publicKey": map[string]string{
				"id": p.actor + "#main-key", "owner": p.actor,
				"publicKeyPem": string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})),
			},
		})
	case r.Method == http.MethodPost && r.URL.Path == "/users/nina/inbox":
		body, _ := io.ReadAll(r.Body)
		if r.Header.Get("Signature-Input") == "" {
			p.mu.Lock()
			p.cavage++
			p.mu.Unlock()
			http.Error(w, "RFC 9421 signatures only", http.StatusUnauthorized)
			return
		}
		if err := verifyMessage9421(r, p.base, body); err != nil {
			p.mu.Lock()
			p.bad = append(p.bad, err.Error())
			p.mu.Unlock()
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		var activity map[string]any
		json.Unmarshal(body, &activity) //nolint:errcheck
		p.mu.Lock()
		p.received = append(p.received, activity)
		p.mu.Unlock()
		p.arrived <- struct{}{}
		w.WriteHeader(http.StatusAccepted)
	default:
		http.NotFound(w, r)
	}
}

// verifyMessage9421 applies Mastodon 4.5's rules to an RFC 9421 POST: one
// signature with created and keyid, covering @method, @target-uri and
// content-digest; created within an hour; a sha-256 Content-Digest of the
// body; and the RSA signature over the base rebuilt here, with the key
// fetched from the keyid.
func verifyMessage9421(r *http.Request, base string, body []byte) error {
	m := regexp.MustCompile(`^sig1=\(([^)]*)\);created=(\d+);keyid="([^"]+)"(;alg="rsa-v1_5-sha256")?$`).FindStringSubmatch(r.Header.Get("Signature-Input"))
	if m == nil {
		return fmt.Errorf("Signature-Input %q", r.Header.Get("Signature-Input"))
	}
	components, created, keyID := strings.Fields(m[1]), m[2], m[3]
	if strings.Join(components, " ") != `"@method" "@target-uri" "content-digest"` {
		return fmt.Errorf("covered %v", components)
	}
	var sec int64
	fmt.Sscan(created, &sec) //nolint:errcheck
	if time.Since(time.Unix(sec, 0)).Abs() > time.Hour {
		return fmt.Errorf("created %s out of window", created)
	}
	sum := sha256.Sum256(body)
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	if r.Header.Get("Content-Digest") != digest {
		return fmt.Errorf("Content-Digest %q, want %q", r.Header.Get("Content-Digest"), digest)
	}
	lines := strings.Join([]string{
		`"@method": POST`,
		`"@target-uri": ` + base + r.URL.RequestURI(),
		`"content-digest": ` + digest,
		`"@signature-params": ` + strings.TrimPrefix(r.Header.Get("Signature-Input"), "sig1="),
	}, "\n")
	sig, err := base64.StdEncoding.DecodeString(strings.TrimSuffix(strings.TrimPrefix(r.Header.Get("Signature"), "sig1=:"), ":"))
	if err != nil {
		return fmt.Errorf("Signature %q", r.Header.Get("Signature"))
	}
	pub, err := fetchKey(keyID)
	if err != nil {
		return err
	}
	h := sha256.Sum256([]byte(lines))
	if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, h[:], sig); err != nil {
		return fmt.Errorf("bad signature for %s", keyID)
	}
	return nil
}

// post sends an activity signed as Mastodon 4.7 signs with RFC 9421.
func (p *messagePeer) post(t *testing.T, inbox string, activity map[string]any) int {
	t.Helper()
	body, _ := json.Marshal(activity)
	req, _ := http.NewRequest(http.MethodPost, inbox, bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/activity+json")
	sum := sha256.Sum256(body)
	digest := "sha-256=:" + base64.StdEncoding.EncodeToString(sum[:]) + ":"
	input := fmt.Sprintf(`("@method" "@target-uri" "content-digest");created=%d;keyid="%s#main-key"`, time.Now().Unix(), p.actor)
	base := strings.Join([]string{`"@method": POST`, `"@target-uri": ` + inbox, `"content-digest": ` + digest, `"@signature-params": ` + input}, "\n")
	h := sha256.Sum256([]byte(base))
	sig, err := rsa.SignPKCS1v15(rand.Reader, p.key, crypto.SHA256, h[:])
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Digest", digest)
	req.Header.Set("Signature-Input", "sig1="+input)
	req.Header.Set("Signature", "sig1=:"+base64.StdEncoding.EncodeToString(sig)+":")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// await waits for the n-th activity the peer accepted.
func (p *messagePeer) await(t *testing.T, n int) map[string]any {
	t.Helper()
	deadline := time.After(60 * time.Second)
	for {
		p.mu.Lock()
		if len(p.received) >= n {
			a := p.received[n-1]
			p.mu.Unlock()
			return a
		}
		p.mu.Unlock()
		select {
		case <-p.arrived:
		case <-deadline:
			p.mu.Lock()
			defer p.mu.Unlock()
			t.Fatalf("activity %d never arrived (draft-cavage refused %d times; bad: %v)", n, p.cavage, p.bad)
		}
	}
}

// TestFederation_RFC9421Peer runs the binary, with authorized fetch on,
// against a peer that speaks RFC 9421 only
// (docs/federation.md#rfc9421-signatures, #authorized-fetch): its Follow,
// signed with RFC 9421, is taken; the Accept goes out draft-cavage, is
// refused, and comes again signed with RFC 9421; a second Follow's Accept
// goes out with RFC 9421 at once. The peer checks our signatures with the
// key from the actor's public stub; the outbox refuses an unsigned fetch.
func TestFederation_RFC9421Peer(t *testing.T) {
	t.Parallel()
	srv := startServer(t, map[string]string{"AUTHORIZED_FETCH": "true"})
	p := newMessagePeer(t, "127.0.0.41")

	for i := 1; i <= 2; i++ {
		follow := map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       fmt.Sprintf("%s#follows/%d", p.actor, i),
			"type":     "Follow",
			"actor":    p.actor,
			"object":   srv.URL + "/actors/en",
		}
		if status := p.post(t, srv.URL+"/actors/en/inbox", follow); status != http.StatusAccepted {
			t.Fatalf("Follow %d signed with RFC 9421 answered %d, want 202", i, status)
		}
		accept := p.await(t, i)
		if obj, _ := accept["object"].(map[string]any); accept["type"] != "Accept" || obj["id"] != follow["id"] {
			t.Errorf("activity %d = %v, want the Accept of Follow %d", i, accept, i)
		}
		if i == 1 {
			// The peer has the Accept before the worker records the scheme
			// it took: wait for the record, or the second Accept may race it.
			awaitScheme(t, openStore(t, srv.env["DATABASE_URL"]), strings.TrimPrefix(p.base, "http://"), "rfc9421")
		}
	}
	p.mu.Lock()
	cavage, bad := p.cavage, p.bad
	p.mu.Unlock()
	if cavage != 1 || len(bad) > 0 {
		t.Errorf("draft-cavage POSTs refused: %d, want 1 (the first Accept only); bad RFC 9421 POSTs: %v", cavage, bad)
	}

	for path, want := range map[string]int{"/actors/en/outbox": http.StatusUnauthorized, "/actors/en": http.StatusOK, "/actor": http.StatusOK} {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+path, nil)
		req.Header.Set("Accept", "application/activity+json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("unsigned GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
}

// awaitScheme waits until the signature scheme recorded for host is want.
func awaitScheme(t *testing.T, st *store.Store, host, want string) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := st.InstanceSignature(t.Context(), host)
		if err != nil {
			t.Fatal(err)
		}
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("signature scheme recorded for %s = %q, want %q", host, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
