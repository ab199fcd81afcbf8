package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"samizdat/federation/signature"
)

// fleet is a crowd of fake fediverse instances, each a listener of its own
// on a loopback address: 127.0.0.2, 127.0.0.3 … with several ports per
// address when there are many. An instance's host is "127.0.0.x:port", so
// every one is a distinct host to Samizdat's delivery queue and health
// tracking, as distinct servers would be.
//
// Every POST to an inbox is checked as a strict receiver would check it
// (see verify), but after the fact: on arrival it is only kept and
// answered. Instances also serve actor documents for the actors they host, so
// that a server that fetches one gets a real answer.
type fleet struct {
	hosts []string // "127.0.0.x:port", one per instance
	srv   *http.Server
	lns   []net.Listener

	// expectKeyID and expectKey are what every delivery must be signed with.
	expectKeyID string
	expectKey   *rsa.PublicKey

	// actorKeys are the public keys of the actors the fleet hosts, by
	// index (see actorKeyIndex).
	actorKeys []*rsa.PublicKey

	arrived  atomic.Int64 // inbox POSTs received, verified or not yet
	posts    atomic.Int64 // inbox POSTs that verified
	rejected atomic.Int64 // inbox POSTs that did not

	mu       sync.Mutex
	arrivals []arrival         // every inbox POST, in the order they arrived
	verified int               // arrivals[:verified] went through verify
	bodies   map[string][]byte // distinct request bodies, see intern
	byHost   map[string]int    // verified POSTs per instance
	ids      map[string]int    // verified POSTs per activity id
	last     time.Time         // when the last POST arrived
	first    time.Time
	heads    map[string]activityHead // by Digest header, see head
	errs     []string                // the first few rejections, for the report
	want     int                     // total POSTs that close done
	done     chan struct{}
	doneOnce sync.Once
}

// addrFor returns the loopback address of instance i when perAddr instances
// share each address.
func addrFor(i, perAddr int) string {
	n := 2 + i/perAddr // 127.0.0.2 upward
	return fmt.Sprintf("127.0.%d.%d", n/256, n%256)
}

// startFleet opens n instances, perAddr to an address.
func startFleet(n, perAddr int) (*fleet, error) {
	f := &fleet{bodies: map[string][]byte{}, byHost: map[string]int{}, ids: map[string]int{}, heads: map[string]activityHead{}, done: make(chan struct{})}
	f.srv = &http.Server{
		Handler:           f,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       5 * time.Second,
	}
	for i := 0; i < n; i++ {
		ln, err := net.Listen("tcp", addrFor(i, perAddr)+":0")
		if err != nil {
			f.close()
			return nil, fmt.Errorf("fleet: listen on %s (instance %d of %d): %w", addrFor(i, perAddr), i+1, n, err)
		}
		f.lns = append(f.lns, ln)
		f.hosts = append(f.hosts, ln.Addr().String())
		go f.srv.Serve(ln) //nolint:errcheck // ends with close
	}
	return f, nil
}

// close stops every instance.
func (f *fleet) close() {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	f.srv.Shutdown(ctx) //nolint:errcheck
	for _, ln := range f.lns {
		ln.Close()
	}
}

// expect arms the fleet: done closes once want POSTs arrived, including
// any that arrived before it was armed.
func (f *fleet) expect(want int) {
	f.mu.Lock()
	f.want = want
	if want > 0 && int(f.arrived.Load()) >= want {
		f.doneOnce.Do(func() { close(f.done) })
	}
	f.mu.Unlock()
}

// actorID is the id of actor name on host.
func actorID(host, name string) string { return "http://" + host + "/users/" + name }

// ServeHTTP answers inbox POSTs and actor fetches.
func (f *fleet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch {
	case r.Method == http.MethodPost && (r.URL.Path == "/inbox" || strings.HasSuffix(r.URL.Path, "/inbox")):
		f.receive(w, r)
	case r.Method == http.MethodGet && strings.HasPrefix(r.URL.Path, "/users/"):
		f.serveActor(w, r)
	default:
		http.NotFound(w, r)
	}
}

// receive keeps one inbox POST for verify and answers 202 at once. The
// fleet stands for other machines, whose checks cost the sender nothing:
// verifying on arrival would spend the shared cores on the receivers'
// work while the fan-out is timed. What signature.Verify reads (method,
// path, host, headers), the body and the moment of arrival are kept, so
// that verify makes every check later exactly as it would have then.
func (f *fleet) receive(w http.ResponseWriter, r *http.Request) {
	buf := bodyBufs.Get().(*bytes.Buffer)
	buf.Reset()
	_, err := buf.ReadFrom(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		bodyBufs.Put(buf)
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}
	now := time.Now()
	a := arrival{
		// The server keeps no reference to a request's URL or header map
		// once its handler returned: they are the fleet's to keep.
		req:  &http.Request{Method: r.Method, URL: r.URL, Host: r.Host, RequestURI: r.RequestURI, Header: r.Header},
		host: r.Host,
		at:   now,
	}
	n := f.arrived.Add(1)
	f.mu.Lock()
	a.body = f.intern(buf.Bytes())
	f.arrivals = append(f.arrivals, a)
	if f.first.IsZero() {
		f.first = now
	}
	f.last = now
	if f.want > 0 && int(n) >= f.want {
		f.doneOnce.Do(func() { close(f.done) })
	}
	f.mu.Unlock()
	bodyBufs.Put(buf)
	w.WriteHeader(http.StatusAccepted)
}

// bodyBufs hold request bodies while they are compared with those kept.
var bodyBufs = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// arrival is one inbox POST as it arrived.
type arrival struct {
	req  *http.Request
	host string
	body []byte
	at   time.Time
}

// intern returns the kept copy of body, keeping one when these bytes are
// new: a fan-out sends the same bytes to every instance, so 10,000 POSTs
// keep one body, not 10,000. Called with f.mu held.
func (f *fleet) intern(body []byte) []byte {
	if kept, ok := f.bodies[string(body)]; ok {
		return kept
	}
	kept := bytes.Clone(body)
	f.bodies[string(kept)] = kept
	return kept
}

// verify checks every POST that arrived since the last call, as a strict
// receiver would have on arrival: signature.Verify (draft-cavage
// signature, Digest against the body, Date window against the moment it
// arrived, required headers) against the key the sender is expected to
// sign with, and the body must be an activity. It counts those that pass
// by instance and by activity id, and those that fail, for check. It runs
// on every core: the timed part of the run is over.
func (f *fleet) verify() {
	f.mu.Lock()
	todo := f.arrivals[f.verified:]
	f.verified = len(f.arrivals)
	f.mu.Unlock()
	var next atomic.Int64
	var wg sync.WaitGroup
	for range runtime.NumCPU() {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(todo) {
					return
				}
				f.verifyOne(&todo[i])
			}
		})
	}
	wg.Wait()
}

func (f *fleet) verifyOne(a *arrival) {
	_, _, err := signature.Verify(a.req, a.body, a.at, func(_ context.Context, keyID string, _ bool) (*rsa.PublicKey, string, error) {
		if keyID != f.expectKeyID || f.expectKey == nil {
			return nil, "", fmt.Errorf("unexpected keyId %q", keyID)
		}
		return f.expectKey, "", nil
	})
	var h activityHead
	if err == nil {
		h, err = f.head(a.req.Header.Get("Digest"), a.body)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if err != nil {
		f.rejected.Add(1)
		if len(f.errs) < 5 {
			f.errs = append(f.errs, a.host+a.req.URL.Path+": "+err.Error())
		}
		return
	}
	f.posts.Add(1)
	f.byHost[a.host]++
	f.ids[h.ID]++
}

// activityHead is what the fleet reads of an activity.
type activityHead struct{ ID, Type string }

// head returns the id and type of the activity in body, whose Digest header,
// digest, signature.Verify has checked against it. A fan-out sends the same
// bytes to every instance, so the body is parsed once per digest.
func (f *fleet) head(digest string, body []byte) (activityHead, error) {
	f.mu.Lock()
	a, ok := f.heads[digest]
	f.mu.Unlock()
	if ok {
		return a, nil
	}
	if err := json.Unmarshal(body, &a); err != nil || a.ID == "" || a.Type == "" {
		return a, errors.New("the body is not an activity")
	}
	f.mu.Lock()
	f.heads[digest] = a
	f.mu.Unlock()
	return a, nil
}

// serveActor answers GET /users/{name}: an actor whose key is
// actorKeys[actorKeyIndex(name)].
func (f *fleet) serveActor(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/users/"), "/main-key")
	if len(f.actorKeys) == 0 || strings.Contains(name, "/") {
		http.NotFound(w, r)
		return
	}
	id := actorID(r.Host, name)
	pemText, err := publicKeyPEM(f.actorKeys[actorKeyIndex(name, len(f.actorKeys))])
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/activity+json")
	json.NewEncoder(w).Encode(map[string]any{ //nolint:errcheck
		"@context":          []string{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1"},
		"id":                id,
		"type":              "Person",
		"preferredUsername": name,
		"name":              "Bench " + name,
		"inbox":             id + "/inbox",
		"outbox":            id + "/outbox",
		"endpoints":         map[string]any{"sharedInbox": "http://" + r.Host + "/inbox"},
		"url":               "http://" + r.Host + "/@" + name,
		"publicKey":         map[string]any{"id": id + "#main-key", "owner": id, "publicKeyPem": pemText},
	})
}

// actorKeyIndex picks which of n keys actor name (a letter and a number)
// signs with.
func actorKeyIndex(name string, n int) int {
	i, _ := strconv.Atoi(strings.TrimLeft(name, "abcdefghijklmnopqrstuvwxyz"))
	return i % n
}

// publicKeyPEM encodes a public key as actors publish it.
func publicKeyPEM(k *rsa.PublicKey) (string, error) {
	der, err := x509.MarshalPKIXPublicKey(k)
	if err != nil {
		return "", err
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})), nil
}

// wait waits until the expected POSTs arrived or timeout passed.
func (f *fleet) wait(ctx context.Context, timeout time.Duration) error {
	select {
	case <-f.done:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(timeout):
		f.mu.Lock()
		defer f.mu.Unlock()
		return fmt.Errorf("fleet: %d of %d deliveries after %s", f.arrived.Load(), f.want, timeout)
	}
}

// check verifies the POSTs that arrived and reports how they spread: every
// instance in hosts must have had exactly one, all of activity id, and
// none may have failed verification.
func (f *fleet) check(hosts []string, id string) error {
	f.verify()
	f.mu.Lock()
	defer f.mu.Unlock()
	var errs []error
	for got, n := range f.ids {
		if got != id {
			errs = append(errs, fmt.Errorf("%d deliveries of %s, expected only %s", n, got, id))
		}
	}
	if n := f.rejected.Load(); n > 0 {
		errs = append(errs, fmt.Errorf("%d deliveries refused: %s", n, strings.Join(f.errs, "; ")))
	}
	missing, extra := 0, 0
	for _, h := range hosts {
		switch c := f.byHost[h]; {
		case c == 0:
			missing++
		case c > 1:
			extra += c - 1
		}
	}
	if missing > 0 {
		errs = append(errs, fmt.Errorf("%d instances got no delivery", missing))
	}
	if extra > 0 {
		errs = append(errs, fmt.Errorf("%d deliveries arrived twice at the same instance", extra))
	}
	return errors.Join(errs...)
}
