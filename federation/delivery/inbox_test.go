package delivery

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/federation/signature"
	"samizdat/federation/transport"
)

const (
	testKeyID = "https://samizdat.example/actors/en#main-key"
	testActor = "https://samizdat.example/actors/en"
)

// testKey signs for the actor "en" in every test, and in the crash test's
// child processes, which read it from a file.
var testKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})

func testKeys(key *rsa.PrivateKey) KeySource {
	return func(_ context.Context, actor string) (string, *rsa.PrivateKey, error) {
		if actor != "en" {
			return "", nil, fmt.Errorf("no key for actor %q", actor)
		}
		return testKeyID, key, nil
	}
}

// nextLoopback hands out 127.0.0.2, 127.0.0.3, …: each fake inbox listens on
// its own loopback address, as distinct instances would.
var nextLoopback atomic.Uint32

// inbox is a fake remote inbox. It verifies every request by Mastodon's rules
// (signature strength, Digest, Date) with signature.Verify, answers with the
// statuses in script in turn and then 202, and counts what it received.
type inbox struct {
	t      testing.TB
	srv    *httptest.Server
	URL    string
	Host   string
	pub    *rsa.PublicKey
	delay  time.Duration
	mu     sync.Mutex
	script []int
	got    map[string]int // activity id → verified POSTs received
	posts  int
	bodies [][]byte
	bad    []string // what failed verification
	// accepts is the signature scheme the inbox takes: draft-cavage when
	// "" (as Mastodon before 4.5), store.SignatureRFC9421 for a server that
	// verifies RFC 9421 only. The other is answered refuseWith (401 if 0)
	// and counted in refused, before any script.
	accepts    string
	refuseWith int
	refused    int
	// conns counts the TCP connections the inbox accepted.
	conns atomic.Int64
}

func newInbox(t testing.TB, pub *rsa.PublicKey, script ...int) *inbox {
	t.Helper()
	n := 2 + nextLoopback.Add(1)%250
	ln, err := net.Listen("tcp", fmt.Sprintf("127.0.0.%d:0", n))
	if err != nil {
		t.Fatalf("listen on 127.0.0.%d: %v", n, err)
	}
	in := &inbox{t: t, pub: pub, script: script, got: map[string]int{}}
	in.srv = httptest.NewUnstartedServer(in)
	in.srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			in.conns.Add(1)
		}
	}
	in.srv.Listener.Close()
	in.srv.Listener = ln
	in.srv.Start()
	t.Cleanup(in.srv.Close)
	in.URL = in.srv.URL + "/inbox"
	in.Host = strings.TrimPrefix(in.srv.URL, "http://")
	return in
}

func (in *inbox) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, transport.MaxBody))
	if err != nil {
		http.Error(w, "body", http.StatusRequestEntityTooLarge)
		return
	}
	var problems []string
	if r.Method != http.MethodPost || r.URL.Path != "/inbox" {
		problems = append(problems, r.Method+" "+r.URL.Path)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/activity+json" {
		problems = append(problems, "Content-Type "+ct)
	}
	if r.Header.Get("Collection-Synchronization") != "" {
		problems = append(problems, "Collection-Synchronization sent (docs/federation.md#no-follower-synchronization)")
	}
	if ua := r.Header.Get("User-Agent"); !strings.HasPrefix(ua, "Samizdat/") {
		problems = append(problems, "User-Agent "+ua)
	}
	scheme := ""
	if r.Header.Get("Signature-Input") != "" {
		scheme = store.SignatureRFC9421
	}
	in.mu.Lock()
	accepts, refuseWith := in.accepts, in.refuseWith
	if scheme != accepts {
		in.refused++
		in.posts++
	}
	in.mu.Unlock()
	if scheme != accepts {
		if refuseWith == 0 {
			refuseWith = http.StatusUnauthorized
		}
		http.Error(w, "signature scheme not supported", refuseWith)
		return
	}
	if scheme == store.SignatureRFC9421 {
		// Mastodon 4.7's shape, and nothing of draft-cavage left over.
		input := r.Header.Get("Signature-Input")
		if !strings.HasPrefix(input, `sig1=("@method" "@target-uri" "content-digest");created=`) || !strings.HasSuffix(input, `;keyid="`+testKeyID+`";alg="rsa-v1_5-sha256"`) {
			problems = append(problems, "Signature-Input "+input)
		}
		if r.Header.Get("Digest") != "" || !strings.HasPrefix(r.Header.Get("Signature"), "sig1=:") {
			problems = append(problems, "Signature "+r.Header.Get("Signature")+", Digest "+r.Header.Get("Digest"))
		}
	} else if sig := r.Header.Get("Signature"); !strings.Contains(sig, `headers="(request-target) host date digest"`) || !strings.Contains(sig, `algorithm="rsa-sha256"`) {
		problems = append(problems, "Signature "+sig)
	}
	lookup := func(_ context.Context, keyID string, _ bool) (*rsa.PublicKey, string, error) {
		if keyID != testKeyID {
			return nil, "", errors.New("unknown key")
		}
		return in.pub, testActor, nil
	}
	_, owner, err := signature.Verify(r, body, time.Now(), lookup)
	if err != nil {
		problems = append(problems, err.Error())
	}
	var act struct{ ID, Actor string }
	if err := json.Unmarshal(body, &act); err != nil || act.ID == "" {
		problems = append(problems, "body "+string(body))
	} else if owner != "" && act.Actor != owner {
		problems = append(problems, "signed by "+owner+" for actor "+act.Actor+" (docs/federation.md#signer-is-actor)")
	}

	in.mu.Lock()
	in.posts++
	if len(problems) > 0 {
		in.bad = append(in.bad, strings.Join(problems, "; "))
		in.mu.Unlock()
		http.Error(w, "rejected", http.StatusUnauthorized)
		return
	}
	in.got[act.ID]++
	in.bodies = append(in.bodies, body)
	status := http.StatusAccepted
	if len(in.script) > 0 {
		status, in.script = in.script[0], in.script[1:]
	}
	in.mu.Unlock()

	if in.delay > 0 {
		select {
		case <-time.After(in.delay):
		case <-r.Context().Done():
		}
	}
	w.WriteHeader(status)
}

// received returns how many verified POSTs of activity id arrived, and all
// POSTs, and fails the test for any request that did not verify.
func (in *inbox) received(id string) (verified, posts int) {
	in.t.Helper()
	in.mu.Lock()
	defer in.mu.Unlock()
	for _, b := range in.bad {
		in.t.Errorf("inbox %s got a bad request: %s", in.URL, b)
	}
	return in.got[id], in.posts
}

// fixture is a database, a store and what tests build Deliverers from.
type fixture struct {
	pool *pgxpool.Pool
	st   *store.Store
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	pool := storetest.NewPool(t)
	return &fixture{pool: pool, st: store.New(pool)}
}

func fastRetry() river.ClientRetryPolicy { return fixedRetry(50 * time.Millisecond) }

type fixedRetry time.Duration

func (f fixedRetry) NextRetry(*rivertype.JobRow) time.Time { return time.Now().Add(time.Duration(f)) }

// testConfig is a Config for tests: the test key, a client allowed to reach
// loopback, fast retries and polling.
func testConfig(t testing.TB) Config {
	return Config{
		Keys: testKeys(testKey()),
		Client: transport.New(transport.Options{
			AllowPrivate: true,
			UserAgent:    transport.UserAgent("test", "https://samizdat.example/"),
			Timeout:      5 * time.Second,
		}),
		Logger:       slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn})),
		Workers:      8,
		RetryPolicy:  fastRetry(),
		PollInterval: 50 * time.Millisecond,
	}
}

// deliverer builds a Deliverer; started, it is stopped when the test ends.
func (f *fixture) deliverer(t *testing.T, start bool, edit ...func(*Config)) *Deliverer {
	t.Helper()
	cfg := testConfig(t)
	for _, e := range edit {
		e(&cfg)
	}
	d, err := New(f.pool, f.st, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if start {
		if err := d.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if err := d.Stop(ctx); err != nil {
				t.Errorf("Stop: %v", err)
			}
		})
	}
	return d
}

// enqueue commits a as one transaction.
func (f *fixture) enqueue(t *testing.T, d *Deliverer, a Activity, inboxes ...string) {
	t.Helper()
	err := pgx.BeginFunc(t.Context(), f.pool, func(tx pgx.Tx) error {
		return d.Enqueue(t.Context(), tx, a, inboxes)
	})
	if err != nil {
		t.Fatal(err)
	}
}

// activity returns an activity by "en" with its id in the body.
func activity(id string) Activity {
	return Activity{ID: id, Actor: "en", Type: "Create",
		Body: fmt.Appendf(nil, `{"@context":"https://www.w3.org/ns/activitystreams","id":%q,"type":"Create","actor":%q}`, id, testActor)}
}

// settle waits until no delivery of activity id is pending and returns them
// by inbox.
func (f *fixture) settle(t *testing.T, id string, timeout time.Duration) map[string]*store.Delivery {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ds, err := f.st.Deliveries(t.Context(), id)
		if err != nil {
			t.Fatal(err)
		}
		byInbox := map[string]*store.Delivery{}
		pending := 0
		for _, d := range ds {
			byInbox[d.Inbox] = d
			if d.State == store.DeliveryPending {
				pending++
			}
		}
		if pending == 0 {
			return byInbox
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d deliveries of %s still pending after %s", pending, id, timeout)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jobStates returns the River job states of activity id's deliveries by inbox.
func jobStates(t *testing.T, d *Deliverer, id string) map[string][]rivertype.JobState {
	t.Helper()
	res, err := d.river.JobList(t.Context(), river.NewJobListParams().Kinds(deliverArgs{}.Kind()).First(10000))
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]rivertype.JobState{}
	for _, j := range res.Jobs {
		var a deliverArgs
		if err := json.Unmarshal(j.EncodedArgs, &a); err != nil {
			t.Fatal(err)
		}
		if a.ActivityID == id {
			out[a.Inbox] = append(out[a.Inbox], j.State)
		}
	}
	return out
}

// waitJob waits until the single job of id to inbox is in state.
func waitJob(t *testing.T, d *Deliverer, id, inbox string, want rivertype.JobState) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		got := jobStates(t, d, id)[inbox]
		if len(got) == 1 && got[0] == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("job of %s to %s: states %v, want [%s]", id, inbox, got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
