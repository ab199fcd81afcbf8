package federation

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"flag"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/federation/delivery"
	"samizdat/federation/transport"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// t0 is the fixed moment tests run at.
var t0 = time.Date(2026, 11, 20, 12, 0, 0, 0, time.UTC)

// clock is a settable clock shared by the store and federation of a test.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = t
}

// env is one test's federation over its own database.
type env struct {
	fed   *Federation
	store *store.Store
	clock *clock
}

type envOptions struct {
	base         string
	languages    []string
	allowPrivate bool
	copyMedia    bool
	authorized   bool // AuthorizedFetch
}

// newEnv builds a federation over a fresh database, with the fixed test keys
// of testdata/key-*.pem so that documents are the same on every run.
func newEnv(t *testing.T, opts envOptions) *env {
	t.Helper()
	if opts.base == "" {
		opts.base = "https://samizdat.example"
	}
	if opts.languages == nil {
		opts.languages = []string{"en", "ru", "fr"}
	}
	c := &clock{t: t0}
	st := storetest.New(t).WithClock(c.Now)
	ctx := t.Context()
	for _, name := range append([]string{instanceActor}, opts.languages...) {
		priv, pub := testKeyPEMs(t, name)
		if _, err := st.EnsureActorKey(ctx, name, func() (string, string, error) { return priv, pub, nil }); err != nil {
			t.Fatal(err)
		}
	}
	base, err := url.Parse(opts.base)
	if err != nil {
		t.Fatal(err)
	}
	cfg := Config{
		BaseURL:         base,
		Languages:       opts.languages,
		PublicationName: "Samizdat",
		Version:         "1.0.0",
		AllowPrivate:    opts.allowPrivate,
		CopyMedia:       opts.copyMedia,
		AuthorizedFetch: opts.authorized,
		Now:             c.Now,
	}
	logger := slog.New(slog.NewTextHandler(t.Output(), nil))
	keys, err := LoadKeys(ctx, cfg, st)
	if err != nil {
		t.Fatal(err)
	}
	// The real queue, never started: Enqueue writes the activity, its
	// deliveries and the River jobs, which tests read back.
	queue, err := delivery.New(st.Pool(), st, delivery.Config{
		Keys:   keys.KeySource,
		Client: transport.New(transport.Options{AllowPrivate: true}),
		Logger: logger,
		Now:    c.Now,
	})
	if err != nil {
		t.Fatal(err)
	}
	f, err := New(cfg, st, keys, queue, logger)
	if err != nil {
		t.Fatal(err)
	}
	return &env{fed: f, store: st, clock: c}
}

// testKeyPEMs returns the private and public PEM of a fixed test key. Actors
// without a key of their own in testdata borrow fr's: making RSA keys is slow.
func testKeyPEMs(t *testing.T, name string) (string, string) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "key-"+name+".pem"))
	if os.IsNotExist(err) {
		b, err = os.ReadFile(filepath.Join("testdata", "key-fr.pem"))
	}
	if err != nil {
		t.Fatal(err)
	}
	k, err := parsePrivateKey(string(b))
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return string(b), string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}))
}

// get serves a GET through the federation handler.
func (e *env) get(t *testing.T, h http.Handler, target, accept string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequestWithContext(t.Context(), http.MethodGet, target, nil)
	if accept != "" {
		r.Header.Set("Accept", accept)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

// getAP fetches an ActivityPub document and checks the response headers
// every AP document must carry (docs/federation.md#activitypub-content-type).
func (e *env) getAP(t *testing.T, target string) []byte {
	t.Helper()
	w := e.get(t, e.fed.Handler(), target, "application/activity+json")
	if w.Code != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %s", target, w.Code, w.Body)
	}
	if got := w.Header().Get("Content-Type"); got != "application/activity+json" {
		t.Errorf("GET %s: Content-Type %q, want application/activity+json", target, got)
	}
	if got := w.Header().Get("Vary"); got != "Accept" {
		t.Errorf("GET %s: Vary %q, want Accept", target, got)
	}
	return w.Body.Bytes()
}

// publish creates a story with one translation and publishes it.
func (e *env) publish(t *testing.T, lang, title string, tags []string, pinned bool) *content.Translation {
	t.Helper()
	ctx := t.Context()
	st := &content.Story{BylineKind: content.BylinePublication, Pinned: pinned}
	if err := e.store.CreateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	tr := &content.Translation{
		StoryID:      st.ID,
		Lang:         lang,
		Title:        title,
		Teaser:       "What happened on the night the lights went out, told by those who were there.",
		BodyMarkdown: "The *first* paragraph.\n\nThe second, with a [link](https://example.org/).",
		Tags:         tags,
	}
	if err := e.store.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	got, err := e.store.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// golden compares got, indented, with testdata/name.golden, or rewrites the
// file under -update. Object keys, which the database makes at random, are
// replaced by placeholders first.
func golden(t *testing.T, name string, got []byte, replace ...string) {
	t.Helper()
	var buf bytes.Buffer
	if json.Valid(got) {
		if err := json.Indent(&buf, got, "", "  "); err != nil {
			t.Fatal(err)
		}
		got = append(buf.Bytes(), '\n')
	}
	s := string(got)
	for i := 0; i+1 < len(replace); i += 2 {
		s = strings.ReplaceAll(s, replace[i], replace[i+1])
	}
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if s != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, s, want)
	}
}

// decode unmarshals a JSON document for assertions.
func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, b)
	}
	return m
}

// addFollower stores a remote actor and makes it follow lang.
func addFollower(t *testing.T, e *env, lang, id, inbox string) {
	t.Helper()
	u, err := url.Parse(id)
	if err != nil {
		t.Fatal(err)
	}
	a := &store.RemoteActor{ID: id, Host: u.Host, Inbox: inbox}
	if err := e.store.SaveRemoteActor(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Follow(t.Context(), lang, id, id+"#follows/1", nil); err != nil {
		t.Fatal(err)
	}
}

func newRecorder() *httptest.ResponseRecorder { return httptest.NewRecorder() }
