package signature_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/federation/signature"
)

// Two test keys, made once: RSA generation is slow.
var testKeys = sync.OnceValue(func() [2]*rsa.PrivateKey {
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			panic(err)
		}
		keys[i] = k
	}
	return keys
})

const (
	testKeyID = "https://remote.example/users/carol#main-key"
	testOwner = "https://remote.example/users/carol"
	body      = `{"type":"Create","actor":"https://remote.example/users/carol"}`
)

var now = time.Date(2026, 11, 25, 18, 25, 15, 0, time.UTC)

// lookupOf returns a KeyLookup that always answers key, owned by testOwner,
// and counts its calls by refetch.
func lookupOf(key *rsa.PublicKey, calls *[]bool) signature.KeyLookup {
	return func(_ context.Context, keyID string, refetch bool) (*rsa.PublicKey, string, error) {
		if calls != nil {
			*calls = append(*calls, refetch)
		}
		if keyID != testKeyID && !strings.HasSuffix(keyID, "/main-key") {
			return nil, "", fmt.Errorf("unknown key %s", keyID)
		}
		return key, testOwner, nil
	}
}

// newPost returns a POST of body to path on remote.example as a server sees it.
func newPost(path, b string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, path, strings.NewReader(b))
	r.Host = "samizdat.example"
	r.Header.Set("Content-Type", "application/activity+json")
	return r
}

func newGet(path string) *http.Request {
	r := httptest.NewRequest(http.MethodGet, path, nil)
	r.Host = "samizdat.example"
	return r
}

// handSig signs a request the way a peer might, built by hand so that tests
// can sign any header list with any parameters, independent of the code under
// test.
type handSig struct {
	keyID     string // testKeyID when empty
	algorithm string // parameter left out when empty
	headers   string // parameter left out when empty
	created   int64
	expires   int64
	target    string // (request-target) value; method and RequestURI when empty
	key       *rsa.PrivateKey
}

func (h handSig) apply(t *testing.T, r *http.Request, date time.Time, b string) {
	t.Helper()
	if h.keyID == "" {
		h.keyID = testKeyID
	}
	if h.key == nil {
		h.key = testKeys()[0]
	}
	if h.target == "" {
		h.target = strings.ToLower(r.Method) + " " + r.RequestURI
	}
	if !date.IsZero() {
		r.Header.Set("Date", date.Format(http.TimeFormat))
	}
	if r.Method != http.MethodGet && r.Header.Get("Digest") == "" {
		sum := sha256.Sum256([]byte(b))
		r.Header.Set("Digest", "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]))
	}
	names := strings.Fields(h.headers)
	if h.headers == "" {
		names = []string{"date"}
	}
	var lines []string
	for _, n := range names {
		var v string
		switch n {
		case "(request-target)":
			v = h.target
		case "(created)":
			v = fmt.Sprint(h.created)
		case "(expires)":
			v = fmt.Sprint(h.expires)
		case "host":
			v = r.Host
		default:
			v = r.Header.Get(n)
		}
		lines = append(lines, n+": "+v)
	}
	sum := sha256.Sum256([]byte(strings.Join(lines, "\n")))
	sig, err := rsa.SignPKCS1v15(rand.Reader, h.key, crypto.SHA256, sum[:])
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{fmt.Sprintf(`keyId="%s"`, h.keyID)}
	if h.algorithm != "" {
		parts = append(parts, fmt.Sprintf(`algorithm="%s"`, h.algorithm))
	}
	if h.created != 0 {
		parts = append(parts, fmt.Sprintf("created=%d", h.created))
	}
	if h.expires != 0 {
		parts = append(parts, fmt.Sprintf("expires=%d", h.expires))
	}
	if h.headers != "" {
		parts = append(parts, fmt.Sprintf(`headers="%s"`, h.headers))
	}
	parts = append(parts, fmt.Sprintf(`signature="%s"`, base64.StdEncoding.EncodeToString(sig)))
	r.Header.Set("Signature", strings.Join(parts, ","))
}

func TestSignRequest(t *testing.T) {
	t.Parallel()
	key := testKeys()[0]

	t.Run("POST", func(t *testing.T) {
		t.Parallel()
		r, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(body))
		if err := signature.SignRequest(r, testKeyID, key, []byte(body), now); err != nil {
			t.Fatal(err)
		}
		sig := r.Header.Get("Signature")
		for _, want := range []string{`keyId="` + testKeyID + `"`, `algorithm="rsa-sha256"`, `headers="(request-target) host date digest"`} {
			if !strings.Contains(sig, want) {
				t.Errorf("Signature %q lacks %s", sig, want)
			}
		}
		sum := sha256.Sum256([]byte(body))
		if got, want := r.Header.Get("Digest"), "SHA-256="+base64.StdEncoding.EncodeToString(sum[:]); got != want {
			t.Errorf("Digest = %q, want %q", got, want)
		}
		if got, want := r.Header.Get("Date"), "Wed, 25 Nov 2026 18:25:15 GMT"; got != want {
			t.Errorf("Date = %q, want %q", got, want)
		}
		if got := r.Header.Get("Host"); got != "remote.example" {
			t.Errorf("Host header = %q, want remote.example", got)
		}
		// The receiver sees the request as a server does.
		in := newPost("/inbox", body)
		in.Host = "remote.example"
		in.Header = r.Header.Clone()
		in.Header.Del("Host")
		if _, _, err := signature.Verify(in, []byte(body), now, lookupOf(&key.PublicKey, nil)); err != nil {
			t.Errorf("Verify: %v", err)
		}
	})

	t.Run("DigestOnce", func(t *testing.T) {
		// A digest computed once for many inboxes signs exactly as the body
		// would: the same headers, the same signature.
		t.Parallel()
		a, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(body))
		b, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(body))
		if err := signature.SignRequest(a, testKeyID, key, []byte(body), now); err != nil {
			t.Fatal(err)
		}
		if err := signature.SignRequestDigest(b, testKeyID, key, signature.Digest([]byte(body)), now); err != nil {
			t.Fatal(err)
		}
		for _, h := range []string{"Digest", "Date", "Host", "Signature"} {
			if got, want := b.Header.Get(h), a.Header.Get(h); got != want || got == "" {
				t.Errorf("%s = %q with the digest given, %q with the body", h, got, want)
			}
		}
		get, _ := http.NewRequest(http.MethodGet, "https://remote.example/inbox", nil)
		if err := signature.SignRequestDigest(get, testKeyID, key, signature.Digest(nil), now); err == nil {
			t.Error("a GET was signed with a digest")
		}
	})

	t.Run("GET", func(t *testing.T) {
		t.Parallel()
		r, _ := http.NewRequest(http.MethodGet, "https://remote.example/users/carol/outbox?page=2", nil)
		if err := signature.SignRequest(r, testKeyID, key, nil, now); err != nil {
			t.Fatal(err)
		}
		if sig := r.Header.Get("Signature"); !strings.Contains(sig, `headers="(request-target) host date"`) {
			t.Errorf("Signature %q does not sign (request-target) host date", sig)
		}
		if d := r.Header.Get("Digest"); d != "" {
			t.Errorf("GET carries Digest %q", d)
		}
	})

	t.Run("SignAgain", func(t *testing.T) {
		t.Parallel()
		r, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(body))
		for i := range 2 {
			if err := signature.SignRequest(r, testKeyID, key, []byte(body), now.Add(time.Duration(i)*time.Minute)); err != nil {
				t.Fatalf("sign %d: %v", i, err)
			}
		}
		if n := len(r.Header.Values("Signature")); n != 1 {
			t.Errorf("%d Signature headers after signing twice, want 1", n)
		}
		if n := len(r.Header.Values("Digest")); n != 1 {
			t.Errorf("%d Digest headers after signing twice, want 1", n)
		}
	})

	t.Run("ErrNoKey", func(t *testing.T) {
		t.Parallel()
		r, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", nil)
		if err := signature.SignRequest(r, testKeyID, nil, nil, now); err == nil {
			t.Error("signed without a key")
		}
	})

	// Signers are not safe for concurrent use
	// (docs/federation.md#httpsig-gaps); SignRequest makes one per call, which
	// -race checks here.
	t.Run("Parallel", func(t *testing.T) {
		t.Parallel()
		var wg sync.WaitGroup
		errs := make(chan error, 16)
		for i := range 16 {
			wg.Go(func() {
				b := fmt.Sprintf(`{"n":%d}`, i)
				r, _ := http.NewRequest(http.MethodPost, "https://remote.example/inbox", strings.NewReader(b))
				if err := signature.SignRequest(r, testKeyID, key, []byte(b), now); err != nil {
					errs <- err
					return
				}
				in := newPost("/inbox", b)
				in.Host = "remote.example"
				in.Header = r.Header.Clone()
				if _, _, err := signature.Verify(in, []byte(b), now, lookupOf(&key.PublicKey, nil)); err != nil {
					errs <- err
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
}

// TestSignRequest_OverHTTP sends signed requests through a real server on
// loopback, so the verifier sees Host and the path as net/http delivers them.
func TestSignRequest_OverHTTP(t *testing.T) {
	t.Parallel()
	key := testKeys()[0]
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		if _, _, err := signature.Verify(r, b, time.Now(), lookupOf(&key.PublicKey, nil)); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()

	for _, tc := range []struct{ method, path string }{
		{http.MethodPost, "/inbox"},
		{http.MethodPost, "/users/carol/inbox"},
		{http.MethodGet, "/users/carol/outbox?page=true&min_id=0"},
		{http.MethodGet, "/tags/caf%C3%A9"},
		{http.MethodGet, "/objects/a%2Fb"},
	} {
		t.Run(tc.method+tc.path, func(t *testing.T) {
			var rd io.Reader
			var b []byte
			if tc.method == http.MethodPost {
				b = []byte(body)
				rd = bytes.NewReader(b)
			}
			r, err := http.NewRequest(tc.method, srv.URL+tc.path, rd)
			if err != nil {
				t.Fatal(err)
			}
			if err := signature.SignRequest(r, testKeyID, key, b, time.Now()); err != nil {
				t.Fatal(err)
			}
			resp, err := srv.Client().Do(r)
			if err != nil {
				t.Fatal(err)
			}
			msg, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != http.StatusAccepted {
				t.Errorf("status %d: %s", resp.StatusCode, msg)
			}
		})
	}
}
