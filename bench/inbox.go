package main

import (
	"bytes"
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-fed/httpsig"

	"samizdat/content"
)

// inboxSize is one inbox run: Requests signed activities from Actors
// actors, sent by Concurrency clients in a closed loop (each sends its next
// request when the last one is answered), or, when Rate is set, on a
// schedule of Rate a second over at most Concurrency connections (an open
// loop: see sendAt).
type inboxSize struct {
	Kind        string // "reply": Create{Note} answering a story; "follow": Follow of @en
	Requests    int
	Concurrency int
	Actors      int
	Rate        int // requests a second, for an open loop; 0 for the closed loop
}

// inboxResult is what an inbox run measured.
type inboxResult struct {
	inboxSize
	Accepted  int         // answered 202
	InFlight  int         // open loop: the most requests awaiting their answers at once
	Refused   map[int]int // other answers, by status
	Elapsed   time.Duration
	PerSecond float64 // accepted per second
	Latency   latencies
	Stored    int           // rows the activities left in the database
	StoreWait time.Duration // from the last answer until Stored reached Requests
	PeakRSS   int64
	CPU       cpuMeter      // the server's and its PostgreSQL backends', load start to all stored
	Signing   time.Duration // pre-signing, not part of the measurement
}

// signedRequest is a request signed before the run, replayed during it:
// the whole HTTP/1.1 request, as it goes on the wire.
type signedRequest []byte

// instancesFor spreads actors over at most 100 instances.
func instancesFor(actors int) int { return max(1, min(actors, 100)) }

// runInbox sends size.Requests signed activities to the shared inbox and
// checks that each was answered 202 and left its row in the database.
//
// The requests are signed before the clock starts, with a pool of
// e.actorKeys RSA keys shared round-robin by the actors (each actor has its
// own keyId; the server's work per request is the same as with a key each):
// the load generator runs on the same two cores as the server, and signing
// during the run would spend 0.7 ms of them per request. A signature's Date
// stays valid for five minutes, far longer than a run.
func runInbox(ctx context.Context, e *env, size inboxSize) (*inboxResult, error) {
	if size.Kind == "follow" {
		size.Actors = size.Requests // one Follow per actor, or they would be repeats
	}
	res := &inboxResult{inboxSize: size}
	db, err := newDatabase(ctx, e.databaseURL, e.keepDB)
	if err != nil {
		return nil, err
	}
	defer db.drop()
	fl, err := startFleet(instancesFor(size.Actors), e.perAddr)
	if err != nil {
		return nil, err
	}
	defer fl.close()
	keys := e.actorKeys()
	for _, k := range keys {
		fl.actorKeys = append(fl.actorKeys, &k.PublicKey)
	}
	actors := make([]seedActor, size.Actors)
	for i := range actors {
		host := fl.hosts[i%len(fl.hosts)]
		name := fmt.Sprintf("a%d", i)
		pemText, err := publicKeyPEM(&keys[actorKeyIndex(name, len(keys))].PublicKey)
		if err != nil {
			return nil, err
		}
		actors[i] = seedActor{id: actorID(host, name), host: host, name: name, keyPEM: pemText}
	}
	if err := seedActors(ctx, db, actors); err != nil {
		return nil, err
	}
	history, err := seedHistory(ctx, db)
	if err != nil {
		return nil, err
	}
	st, draft, err := createDraft(ctx, db, "en", 1)
	if err != nil {
		return nil, err
	}
	if err := db.analyze(ctx); err != nil {
		return nil, err
	}

	name := fmt.Sprintf("inbox-%s-%d-c%d", size.Kind, size.Requests, size.Concurrency)
	if size.Rate > 0 {
		name = fmt.Sprintf("inbox-%s-%d-at%d", size.Kind, size.Requests, size.Rate)
	}
	srv, err := e.startServer(ctx, db, name)
	if err != nil {
		return nil, err
	}
	defer srv.stop()
	// Follows are answered with Accepts, which the fleet receives and
	// verifies like any delivery.
	if fl.expectKeyID, fl.expectKey, err = actorKey(ctx, srv.URL, "en"); err != nil {
		return nil, err
	}
	pub, err := newPublisher(ctx, db, srv.URL)
	if err != nil {
		return nil, err
	}
	defer pub.close()
	t, err := pub.publish(ctx, draft.ID)
	if err != nil {
		return nil, err
	}
	var article struct{ ID string }
	if err := fetchJSON(ctx, srv.URL+"/en/stories/"+t.Slug, &article); err != nil {
		return nil, err
	}

	var earlier struct{ ID string }
	if err := fetchJSON(ctx, srv.URL+"/en/stories/"+history.Slug, &earlier); err != nil {
		return nil, err
	}

	signStart := time.Now()
	reqs, err := signAll(srv.URL, article.ID, size.Kind, 0, size.Requests, actors, keys)
	if err != nil {
		return nil, err
	}
	// The warm-up: one reply from each actor to the earlier story, so
	// that every actor's key is in the server's cache when the clock
	// starts: a running server has its frequent senders cached, while the
	// first request of each actor reads its key from PostgreSQL and parses it.
	warm, err := signAll(srv.URL, earlier.ID, "reply", size.Requests, len(actors), actors, keys)
	if err != nil {
		return nil, err
	}
	res.Signing = time.Since(signStart)

	// The load: Concurrency clients, each on its own kept-alive connection.
	client := newWire(strings.TrimPrefix(srv.URL, "http://"), size.Concurrency)
	defer client.close()
	// The warm-up: untimed, and every request must be answered 202.
	if _, refused := sendAll(ctx, client, warm, size.Concurrency); len(refused) > 0 || ctx.Err() != nil {
		return nil, fmt.Errorf("inbox warm-up: answers other than 202 (by status: %v), %v", refused, ctx.Err())
	}
	res.CPU = cpuMeter{srv: srv, db: db}
	res.CPU.start(ctx)
	start := time.Now()
	var all latencies
	var refused map[int]int
	if size.Rate > 0 {
		all, refused, res.InFlight = sendAt(ctx, client, reqs, size.Rate, size.Concurrency)
	} else {
		all, refused = sendAll(ctx, client, reqs, size.Concurrency)
	}
	res.Refused = refused
	res.Elapsed = time.Since(start)
	res.Latency = all
	res.Accepted = len(all)
	for _, n := range res.Refused {
		res.Accepted -= n
	}
	res.PerSecond = float64(res.Accepted) / res.Elapsed.Seconds()

	// Stored: each activity must have left its row, now or shortly after
	// if the server stores asynchronously.
	// It stops waiting when nothing new was stored for three seconds.
	end, progress := time.Now(), time.Now()
	for {
		n, err := countStored(ctx, db, size.Kind, st.ID)
		if err != nil {
			return nil, err
		}
		if n > res.Stored {
			res.Stored, progress = n, time.Now()
		}
		if res.Stored >= size.Requests || time.Since(progress) > 3*time.Second {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	res.StoreWait = time.Since(end)
	res.CPU.stop(ctx)
	if size.Kind == "follow" {
		// Every follower gets its Accept: wait for the fleet to have them.
		fl.expect(size.Requests)
		if err := fl.wait(ctx, time.Minute); err != nil {
			return nil, fmt.Errorf("inbox: Accepts: %w", err)
		}
		fl.verify()
		if n := fl.rejected.Load(); n > 0 {
			return nil, fmt.Errorf("inbox: %d Accepts refused by the fleet: %v", n, fl.errs)
		}
	}
	if res.PeakRSS, _, err = srv.memory(); err != nil {
		return nil, err
	}
	if len(res.Refused) > 0 {
		return res, fmt.Errorf("inbox: %d of %d activities refused (%v); server log:\n%s", size.Requests-res.Accepted, size.Requests, res.Refused, srv.logTail())
	}
	if res.Stored != size.Requests {
		return res, fmt.Errorf("inbox: %d of %d activities stored", res.Stored, size.Requests)
	}
	return res, nil
}

// countStored counts what the activities of kind left in the database:
// replies to story, or followers of @en.
func countStored(ctx context.Context, db *database, kind string, story int64) (int, error) {
	q, args := `SELECT count(*) FROM replies WHERE story_id = $1`, []any{story}
	if kind == "follow" {
		q, args = `SELECT count(*) FROM followers WHERE actor = 'en'`, nil
	}
	var n int
	err := db.Pool.QueryRow(ctx, q, args...).Scan(&n)
	return n, err
}

// historyReplies is how many replies the publication holds before an
// inbox run, under an earlier story: the storm of replies reaches a
// publication that has been running, whose tables PostgreSQL has
// statistics for. Into empty tables, the first statements of a run would
// be planned for tables of a few rows, and each connection would keep
// those plans (sequential scans) until autovacuum's next ANALYZE, up to a
// minute later; runs were up to twice as slow or fast, depending on when
// that came.
const historyReplies = 5000

// seedHistory publishes an earlier story with historyReplies visible
// replies from the pages' 40 authors, and returns its translation.
func seedHistory(ctx context.Context, db *database) (*content.Translation, error) {
	authors, err := seedReplyAuthors(ctx, db)
	if err != nil {
		return nil, err
	}
	st, t, err := createDraft(ctx, db, "en", 2)
	if err != nil {
		return nil, err
	}
	if t, err = db.Store.SetTranslationState(ctx, t.ID, content.StatePublished, time.Time{}); err != nil {
		return nil, err
	}
	return t, seedReplies(ctx, db, st.ID, t, authors, historyReplies)
}

// sendAll sends reqs from concurrency clients in a closed loop (each sends
// its next request when the last one is answered) and returns the latency
// of each and the count of answers other than 202, by status.
func sendAll(ctx context.Context, client *wire, reqs []signedRequest, concurrency int) (latencies, map[int]int) {
	var next atomic.Int64
	var mu sync.Mutex
	all := make(latencies, 0, len(reqs))
	refused := map[int]int{}
	var wg sync.WaitGroup
	for range concurrency {
		wg.Go(func() {
			own := make(latencies, 0, len(reqs)/concurrency+1)
			ownRefused := map[int]int{}
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) || ctx.Err() != nil {
					break
				}
				t0 := time.Now()
				status, _ := client.do(reqs[i])
				own = append(own, time.Since(t0))
				if status != http.StatusAccepted {
					ownRefused[status]++
				}
			}
			mu.Lock()
			all = append(all, own...)
			for k, v := range ownRefused {
				refused[k] += v
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	return all, refused
}

// sendAt sends reqs on a schedule, rate a second, whatever the answers
// (an open loop): request i is due at start + i/rate, and its latency is
// counted from then. Time a request spends waiting for a connection, when
// conns are all awaiting answers, counts in it: a closed loop instead sends
// less while the server is slow, and its latencies hide the wait. It
// returns the latency of each request, the count of answers other than 202
// by status, and the most requests awaiting answers at once.
func sendAt(ctx context.Context, client *wire, reqs []signedRequest, rate, conns int) (latencies, map[int]int, int) {
	all := make(latencies, len(reqs))
	status := make([]int, len(reqs))
	slots := make(chan struct{}, conns) // one per request awaiting its answer
	most, sent := 0, 0
	var wg sync.WaitGroup
	start := time.Now()
	for ; sent < len(reqs); sent++ {
		i := sent
		due := start.Add(time.Duration(i) * time.Second / time.Duration(rate))
		time.Sleep(time.Until(due)) // late already: at once, to catch up with the schedule
		select {
		case slots <- struct{}{}:
		case <-ctx.Done():
		}
		if ctx.Err() != nil {
			break
		}
		most = max(most, len(slots))
		wg.Go(func() {
			status[i], _ = client.do(reqs[i])
			all[i] = time.Since(due)
			<-slots
		})
	}
	wg.Wait()
	refused := map[int]int{}
	for _, st := range status[:sent] {
		if st != http.StatusAccepted {
			refused[st]++
		}
	}
	return all[:sent], refused, most
}

// signAll builds and signs count activities of kind, the first numbered
// first, on every core. Activity i comes from actors[i % len(actors)].
func signAll(base, article, kind string, first, count int, actors []seedActor, keys []*rsa.PrivateKey) ([]signedRequest, error) {
	out := make([]signedRequest, count)
	errs := make([]error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	for w := range errs {
		wg.Go(func() {
			for i := w; i < len(out); i += len(errs) {
				a := actors[i%len(actors)]
				body, err := json.Marshal(activity(kind, base, article, a, first+i))
				if err != nil {
					errs[w] = err
					return
				}
				if out[i], err = sign(base+"/inbox", a.id+"#main-key", keys[actorKeyIndex(a.name, len(keys))], body); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	return out, nil
}

// sign signs a POST of body to url as Mastodon does, with go-fed/httpsig
// rather than Samizdat's own signing code, so that the server verifies a
// signature it did not make itself.
func sign(url, keyID string, key *rsa.PrivateKey, body []byte) (signedRequest, error) {
	r, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	r.Header.Set("Date", time.Now().UTC().Format(http.TimeFormat))
	r.Header.Set("Host", r.URL.Host)
	signer, _, err := httpsig.NewSigner([]httpsig.Algorithm{httpsig.RSA_SHA256}, httpsig.DigestSha256,
		[]string{httpsig.RequestTarget, "host", "date", "digest"}, httpsig.Signature, 0)
	if err != nil {
		return nil, err
	}
	if err := signer.SignRequest(key, keyID, r, body); err != nil {
		return nil, err
	}
	return wireRequest(r.URL.Host, r.URL.Path, body, r.Header), nil
}

// replyLangs are the languages replies come in, as on a multilingual story.
var replyLangs = []string{"en", "ru", "fr", "uk", "de"}

// activity is the n-th activity of a run, sent by actor a.
func activity(kind, base, article string, a seedActor, n int) map[string]any {
	const public = "https://www.w3.org/ns/activitystreams#Public"
	if kind == "follow" {
		return map[string]any{
			"@context": "https://www.w3.org/ns/activitystreams",
			"id":       fmt.Sprintf("%s/follows/%d", a.id, n),
			"type":     "Follow",
			"actor":    a.id,
			"object":   base + "/actors/en",
		}
	}
	lang := replyLangs[n%len(replyLangs)]
	published := time.Now().UTC().Format(time.RFC3339)
	note := fmt.Sprintf("%s/statuses/%d", a.id, n)
	html := fmt.Sprintf(`<p><span class="h-card" translate="no"><a href="%s/actors/en" class="u-url mention">@<span>en</span></a></span> `+
		`Thank you for telling this. My grandmother crossed the same river in 1944; reply %d, in %s.</p>`, base, n, lang)
	return map[string]any{
		"@context":  []any{"https://www.w3.org/ns/activitystreams", map[string]any{"sensitive": "as:sensitive"}},
		"id":        note + "/activity",
		"type":      "Create",
		"actor":     a.id,
		"published": published,
		"to":        []string{public},
		"cc":        []string{a.id + "/followers", base + "/actors/en"},
		"object": map[string]any{
			"id":           note,
			"type":         "Note",
			"summary":      nil,
			"inReplyTo":    article,
			"published":    published,
			"url":          fmt.Sprintf("http://%s/@%s/%d", a.host, a.name, n),
			"attributedTo": a.id,
			"to":           []string{public},
			"cc":           []string{a.id + "/followers", base + "/actors/en"},
			"sensitive":    false,
			"content":      html,
			"contentMap":   map[string]string{lang: html},
			"tag":          []any{map[string]any{"type": "Mention", "href": base + "/actors/en", "name": "@en@" + base[len("http://"):]}},
			"attachment":   []any{},
		},
	}
}
