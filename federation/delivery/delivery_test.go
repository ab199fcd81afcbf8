package delivery

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river/rivertype"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/migrations"
)

func TestDeliverer_Rollback(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := newInbox(t, &testKey().PublicKey)
	d := f.deliverer(t, true)

	rolledBack := activity("https://samizdat.example/ap/articles/1#create")
	tx, err := f.pool.Begin(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := d.Enqueue(t.Context(), tx, rolledBack, []string{in.URL}); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(t.Context()); err != nil {
		t.Fatal(err)
	}
	// A committed activity to the same inbox, queued after the rolled-back
	// one: once it has arrived, the other would have too.
	committed := activity("https://samizdat.example/ap/articles/2#create")
	f.enqueue(t, d, committed, in.URL)
	f.settle(t, committed.ID, 10*time.Second)

	if n, _ := in.received(committed.ID); n != 1 {
		t.Errorf("committed activity received %d times, want 1", n)
	}
	if n, posts := in.received(rolledBack.ID); n != 0 || posts != 1 {
		t.Errorf("rolled-back activity received %d times (%d POSTs in all), want 0 (1)", n, posts)
	}
	if _, _, err := f.st.DeliveryTarget(t.Context(), rolledBack.ID, in.URL); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("rolled-back delivery: %v, want ErrNotFound", err)
	}
	if jobs := jobStates(t, d, rolledBack.ID); len(jobs) != 0 {
		t.Errorf("rolled-back activity has jobs %v", jobs)
	}
}

func TestDeliverer_CommitDeliversOnce(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := &testKey().PublicKey
	inboxes := []*inbox{newInbox(t, pub), newInbox(t, pub), newInbox(t, pub), newInbox(t, pub), newInbox(t, pub)}
	d := f.deliverer(t, true)
	a := activity("https://samizdat.example/ap/articles/3#create")
	// Repeats and stray spaces are one inbox each.
	f.enqueue(t, d, a, inboxes[0].URL, inboxes[1].URL, inboxes[0].URL, " "+inboxes[2].URL, inboxes[3].URL, inboxes[4].URL, inboxes[1].URL)

	got := f.settle(t, a.ID, 10*time.Second)
	if len(got) != 5 {
		t.Fatalf("%d deliveries, want 5", len(got))
	}
	for _, in := range inboxes {
		if n, posts := in.received(a.ID); n != 1 || posts != 1 {
			t.Errorf("%s received %d (%d POSTs), want 1", in.URL, n, posts)
		}
		in.mu.Lock()
		if len(in.bodies) != 1 || !bytes.Equal(in.bodies[0], a.Body) {
			t.Errorf("%s got a body other than the stored bytes", in.URL)
		}
		in.mu.Unlock()
		del := got[in.URL]
		if del == nil || del.State != store.DeliveryDelivered || del.Attempts != 1 || del.LastStatus != http.StatusAccepted {
			t.Errorf("%s: delivery %+v", in.URL, del)
		}
		waitJob(t, d, a.ID, in.URL, rivertype.JobStateCompleted)
		inst, err := f.st.Instance(t.Context(), in.Host)
		if err != nil || inst.LastSuccess.IsZero() {
			t.Errorf("%s: instance %+v, %v; want a success recorded", in.Host, inst, err)
		}
	}
}

// TestDeliverer_SharedInboxes is docs/federation.md#shared-inbox-delivery: ten
// followers behind three shared inboxes get three POSTs.
func TestDeliverer_SharedInboxes(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := &testKey().PublicKey
	shared := []*inbox{newInbox(t, pub), newInbox(t, pub), newInbox(t, pub)}
	for i := range 10 {
		s := shared[i%3]
		id := fmt.Sprintf("http://%s/users/u%d", s.Host, i)
		if err := f.st.SaveRemoteActor(t.Context(), &store.RemoteActor{ID: id, Host: s.Host, Inbox: id + "/inbox", SharedInbox: s.URL}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.Follow(t.Context(), "en", id, id+"#follow", nil); err != nil {
			t.Fatal(err)
		}
	}
	d := f.deliverer(t, true)
	a := activity("https://samizdat.example/ap/articles/4#create")
	err := pgx.BeginFunc(t.Context(), f.pool, func(tx pgx.Tx) error {
		inboxes, err := f.st.FollowerInboxes(t.Context(), tx, "en")
		if err != nil {
			return err
		}
		return d.Enqueue(t.Context(), tx, a, inboxes)
	})
	if err != nil {
		t.Fatal(err)
	}
	f.settle(t, a.ID, 10*time.Second)
	for _, s := range shared {
		if n, posts := s.received(a.ID); n != 1 || posts != 1 {
			t.Errorf("shared inbox %s received %d (%d POSTs), want 1", s.URL, n, posts)
		}
	}
	for inbox, states := range jobStates(t, d, a.ID) {
		if len(states) != 1 {
			t.Errorf("%s has jobs %v, want one", inbox, states)
		}
	}
}

// TestDeliverer_ManyFollowers checks the arithmetic of
// docs/federation.md#shared-inbox-delivery at scale: ten thousand inbox entries
// naming a thousand shared inboxes make a thousand deliveries and a thousand
// jobs.
func TestDeliverer_ManyFollowers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deliverer(t, false)
	inboxes := make([]string, 0, 10000)
	for i := range 10000 {
		inboxes = append(inboxes, fmt.Sprintf("https://i%d.example/inbox", i%1000))
	}
	a := activity("https://samizdat.example/ap/articles/5#create")
	f.enqueue(t, d, a, inboxes...)
	ds, err := f.st.Deliveries(t.Context(), a.ID)
	if err != nil || len(ds) != 1000 {
		t.Fatalf("%d deliveries, %v; want 1000", len(ds), err)
	}
	jobs := 0
	for _, states := range jobStates(t, d, a.ID) {
		jobs += len(states)
	}
	if jobs != 1000 {
		t.Errorf("%d jobs, want 1000", jobs)
	}
}

func TestDeliverer_Retried(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deliverer(t, true)
	// Mastodon retries these (docs/federation.md#mastodon-retry-schedule); so
	// are redirects, which are not followed for a POST.
	for _, status := range []int{500, 502, 503, 401, 408, 429, 308} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			in := newInbox(t, &testKey().PublicKey, status, status)
			a := activity(fmt.Sprintf("https://samizdat.example/ap/articles/retry-%d#create", status))
			f.enqueue(t, d, a, in.URL)
			got := f.settle(t, a.ID, 10*time.Second)[in.URL]
			if got.State != store.DeliveryDelivered || got.Attempts != 3 {
				t.Errorf("delivery %+v, want delivered on the third attempt", got)
			}
			if n, _ := in.received(a.ID); n != 3 {
				t.Errorf("received %d POSTs, want 3", n)
			}
			waitJob(t, d, a.ID, in.URL, rivertype.JobStateCompleted)
			inst, err := f.st.Instance(t.Context(), in.Host)
			if err != nil || len(inst.FailureDays) != 0 || inst.Unavailable {
				t.Errorf("instance after success: %+v, %v; want failures cleared", inst, err)
			}
		})
	}
}

func TestDeliverer_Final(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	d := f.deliverer(t, true)
	for _, status := range []int{400, 403, 404, 405, 422, 501} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			t.Parallel()
			in := newInbox(t, &testKey().PublicKey, status)
			a := activity(fmt.Sprintf("https://samizdat.example/ap/articles/final-%d#create", status))
			f.enqueue(t, d, a, in.URL)
			got := f.settle(t, a.ID, 10*time.Second)[in.URL]
			if got.State != store.DeliveryFailed || got.LastStatus != status || got.Attempts != 1 {
				t.Errorf("delivery %+v, want failed after one attempt", got)
			}
			waitJob(t, d, a.ID, in.URL, rivertype.JobStateCancelled)
			// A 400 is also answered by knocking again with RFC 9421, which
			// this draft-cavage inbox refuses: then the 400 stands
			// (docs/federation.md#rfc9421-signatures).
			want := 1
			if status == http.StatusBadRequest {
				want = 2
			}
			if n, posts := in.received(a.ID); n != 1 || posts != want {
				t.Errorf("received %d (%d POSTs), want 1 (%d)", n, posts, want)
			}
			// The host answered: it counts as alive, not as failing.
			if ok, err := f.st.InstanceAvailable(t.Context(), in.Host); err != nil || !ok {
				t.Errorf("instance available = %v, %v", ok, err)
			}
		})
	}
}

// TestDeliverer_Gone: a 410 from a follower's own inbox removes that follower
// and is not retried; from a shared inbox it fails the delivery and removes no
// one (docs/federation.md#gone-inbox-removes-follower, and
// RemoveFollowersAtInbox's reasons).
func TestDeliverer_Gone(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := &testKey().PublicKey
	personal := newInbox(t, pub, http.StatusGone)
	shared := newInbox(t, pub, http.StatusGone)
	follow := func(id, inbox, sharedInbox string) {
		t.Helper()
		if err := f.st.SaveRemoteActor(t.Context(), &store.RemoteActor{ID: id, Host: "x", Inbox: inbox, SharedInbox: sharedInbox}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.Follow(t.Context(), "en", id, id+"#follow", nil); err != nil {
			t.Fatal(err)
		}
	}
	gone := "http://" + personal.Host + "/users/gone"
	follow(gone, personal.URL, "")
	follow("http://"+shared.Host+"/users/a", "http://"+shared.Host+"/users/a/inbox", shared.URL)
	follow("http://"+shared.Host+"/users/b", "http://"+shared.Host+"/users/b/inbox", shared.URL)

	d := f.deliverer(t, true)
	a := activity("https://samizdat.example/ap/articles/6#create")
	inboxes, err := f.st.FollowerInboxes(t.Context(), f.pool, "en")
	if err != nil || len(inboxes) != 2 {
		t.Fatalf("FollowerInboxes = %v, %v", inboxes, err)
	}
	f.enqueue(t, d, a, inboxes...)
	got := f.settle(t, a.ID, 10*time.Second)
	for _, in := range []*inbox{personal, shared} {
		if del := got[in.URL]; del.State != store.DeliveryFailed || del.LastStatus != http.StatusGone {
			t.Errorf("%s: %+v, want failed with 410", in.URL, del)
		}
		waitJob(t, d, a.ID, in.URL, rivertype.JobStateCancelled)
		if n, posts := in.received(a.ID); n != 1 || posts != 1 {
			t.Errorf("%s received %d (%d POSTs), want 1", in.URL, n, posts)
		}
	}
	if ok, _ := f.st.IsFollower(t.Context(), "en", gone); ok {
		t.Error("the follower behind the gone inbox is still following")
	}
	if n, _ := f.st.FollowerCount(t.Context(), "en"); n != 2 {
		t.Errorf("%d followers left, want the 2 behind the shared inbox", n)
	}
}

func TestDeliverer_GivesUp(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := newInbox(t, &testKey().PublicKey, 500, 500, 500, 500, 500)
	d := f.deliverer(t, true, func(c *Config) { c.MaxAttempts = 3 })
	a := activity("https://samizdat.example/ap/articles/7#create")
	f.enqueue(t, d, a, in.URL)
	got := f.settle(t, a.ID, 10*time.Second)[in.URL]
	if got.State != store.DeliveryFailed || got.Attempts != 3 || got.LastStatus != 500 {
		t.Errorf("delivery %+v, want failed after 3 attempts", got)
	}
	waitJob(t, d, a.ID, in.URL, rivertype.JobStateDiscarded)
	if n, _ := in.received(a.ID); n != 3 {
		t.Errorf("received %d POSTs, want 3", n)
	}
	inst, err := f.st.Instance(t.Context(), in.Host)
	if err != nil || len(inst.FailureDays) != 1 || inst.LastError != "HTTP 500 Internal Server Error" {
		t.Errorf("instance %+v, %v; want one failure day", inst, err)
	}
}

// TestDeliverer_Unavailable is docs/federation.md#unavailable-instances: an
// instance that failed on seven days is skipped, at enqueue and at work time,
// until it contacts us; then a retry from the desk reaches it.
func TestDeliverer_Unavailable(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := &testKey().PublicKey
	dead := newInbox(t, pub)
	later := newInbox(t, pub)
	tid := translation(t, f.st)
	kill := func(host string) {
		t.Helper()
		for i := range store.UnavailableAfterDays {
			if _, err := f.st.InstanceFailure(t.Context(), host, time.Now().AddDate(0, 0, -i), "timeout"); err != nil {
				t.Fatal(err)
			}
		}
	}
	kill(dead.Host)

	d := f.deliverer(t, false)
	a := activity("https://samizdat.example/ap/articles/8#create")
	a.TranslationID = tid
	f.enqueue(t, d, a, dead.URL, later.URL)
	if got := jobStates(t, d, a.ID); len(got) != 1 || got[later.URL] == nil {
		t.Errorf("jobs %v, want one, for the live inbox", got)
	}
	kill(later.Host) // after the job is queued: skipped when worked
	if err := d.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		d.Stop(ctx) //nolint:errcheck
	})
	got := f.settle(t, a.ID, 10*time.Second)
	for _, in := range []*inbox{dead, later} {
		if got[in.URL].State != store.DeliverySkipped {
			t.Errorf("%s: %+v, want skipped", in.URL, got[in.URL])
		}
		if _, posts := in.received(a.ID); posts != 0 {
			t.Errorf("%s received %d POSTs while unavailable", in.URL, posts)
		}
	}

	if err := f.st.InstanceContact(t.Context(), dead.Host); err != nil {
		t.Fatal(err)
	}
	n, err := d.RetryFailed(t.Context(), tid)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	got = f.settle(t, a.ID, 10*time.Second)
	if got[dead.URL].State != store.DeliveryDelivered {
		t.Errorf("revived %s: %+v, want delivered", dead.URL, got[dead.URL])
	}
	if got[later.URL].State != store.DeliverySkipped {
		t.Errorf("still unavailable %s: %+v, want skipped again", later.URL, got[later.URL])
	}
	if n, _ := dead.received(a.ID); n != 1 {
		t.Errorf("revived inbox received %d, want 1", n)
	}
}

// TestDeliverer_RetryFailed is the desk's retry button.
func TestDeliverer_RetryFailed(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	pub := &testKey().PublicKey
	refuses := newInbox(t, pub, http.StatusNotFound)
	fine := newInbox(t, pub)
	tid := translation(t, f.st)
	d := f.deliverer(t, true)
	a := activity("https://samizdat.example/ap/articles/9#create")
	a.TranslationID = tid
	f.enqueue(t, d, a, refuses.URL, fine.URL, "ftp://old.example/inbox")
	f.settle(t, a.ID, 10*time.Second)

	r, err := f.st.DeliveryReport(t.Context(), tid)
	if err != nil || r.Delivered != 1 || r.Failed != 2 || r.Pending != 0 {
		t.Fatalf("report %+v, %v; want 1 delivered, 2 failed", r, err)
	}
	n, err := d.RetryFailed(t.Context(), tid)
	if err != nil || n != 2 {
		t.Fatalf("RetryFailed = %d, %v; want 2", n, err)
	}
	got := f.settle(t, a.ID, 10*time.Second)
	if got[refuses.URL].State != store.DeliveryDelivered || got[fine.URL].Attempts != 1 {
		t.Errorf("after retry: %+v, %+v", got[refuses.URL], got[fine.URL])
	}
	if n, _ := fine.received(a.ID); n != 1 {
		t.Errorf("the inbox that had acknowledged received %d, want 1", n)
	}
	if n, err := d.RetryFailed(t.Context(), tid); err != nil || n != 1 {
		t.Errorf("second RetryFailed = %d, %v; want only the ftp address again", n, err)
	}
}

func TestDeliverer_KeyMissing(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := newInbox(t, &testKey().PublicKey)
	d := f.deliverer(t, true, func(c *Config) { c.MaxAttempts = 2 })
	a := activity("https://samizdat.example/ap/articles/10#create")
	a.Actor = "xx" // no key: our fault, never the host's
	f.enqueue(t, d, a, in.URL)
	got := f.settle(t, a.ID, 10*time.Second)[in.URL]
	if got.State != store.DeliveryFailed || got.Attempts != 2 {
		t.Errorf("delivery %+v, want failed after 2 attempts", got)
	}
	if _, posts := in.received(a.ID); posts != 0 {
		t.Errorf("%d POSTs without a key", posts)
	}
	if _, err := f.st.Instance(t.Context(), in.Host); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("the host was charged with our failure: %v", err)
	}
}

func TestNew_Config(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	if _, err := New(f.pool, f.st, Config{}); err == nil {
		t.Error("New without Keys and Client succeeded")
	}
	cfg := testConfig(t)
	cfg.JobTimeout, cfg.RescueAfter = time.Minute, time.Second
	if _, err := New(f.pool, f.st, cfg); err == nil {
		t.Error("New with RescueAfter shorter than JobTimeout succeeded")
	}
	d := f.deliverer(t, false)
	err := pgx.BeginFunc(t.Context(), f.pool, func(tx pgx.Tx) error {
		return d.Enqueue(t.Context(), tx, Activity{ID: "x", Actor: "en"}, nil)
	})
	if err == nil {
		t.Error("enqueued an activity without a body")
	}
	// River's tables come with the migrations, and applying them again is
	// harmless.
	if err := migrations.Apply(t.Context(), f.pool); err != nil {
		t.Errorf("Apply again: %v", err)
	}
}

// translation makes a translation for activities to belong to.
func translation(t *testing.T, st *store.Store) int64 {
	t.Helper()
	s := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	if err := st.CreateStory(t.Context(), s); err != nil {
		t.Fatal(err)
	}
	tr := &content.Translation{StoryID: s.ID, Lang: "en", Title: "Letters", Teaser: "A teaser.", BodyMarkdown: "Hello."}
	if err := st.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	return tr.ID
}

// TestDeliverer_ReservedHost: a delivery to a .example inbox (the demo's
// fictional instances) is settled as failed without a request, whatever
// the client would do, and the host is not counted as failing.
func TestDeliverer_ReservedHost(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	fine := newInbox(t, &testKey().PublicKey)
	var toReserved atomic.Int32
	d := f.deliverer(t, true, func(c *Config) {
		next := c.Client.Transport
		c.Client = &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
			if strings.HasSuffix(r.URL.Hostname(), ".example") {
				toReserved.Add(1)
			}
			return next.RoundTrip(r)
		})}
	})
	a := activity("https://samizdat.example/ap/articles/reserved#create")
	const fictional = "https://harbour.example/inbox"
	f.enqueue(t, d, a, fictional, fine.URL)
	got := f.settle(t, a.ID, 10*time.Second)
	if g := got[fictional]; g.State != store.DeliveryFailed || g.Attempts > 1 || !strings.Contains(g.LastError, "reserved") {
		t.Errorf("delivery to %s: %+v, want failed as reserved", fictional, g)
	}
	if got[fine.URL].State != store.DeliveryDelivered {
		t.Errorf("delivery to the real inbox: %+v", got[fine.URL])
	}
	if n := toReserved.Load(); n != 0 {
		t.Errorf("%d requests to the reserved host", n)
	}
	if ok, err := f.st.InstanceAvailable(t.Context(), "harbour.example"); err != nil || !ok {
		t.Errorf("instance available = %v, %v", ok, err)
	}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// TestDeliverer_KeepsConnection checks that a second activity to the same
// instance goes over the connection the first one opened, rather than a new
// TCP handshake per delivery.
func TestDeliverer_KeepsConnection(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	in := newInbox(t, &testKey().PublicKey)
	d := f.deliverer(t, true)
	for i, id := range []string{"https://samizdat.example/ap/articles/41#create", "https://samizdat.example/ap/articles/42#create"} {
		a := activity(id)
		f.enqueue(t, d, a, in.URL)
		got := f.settle(t, a.ID, 10*time.Second)
		if del := got[in.URL]; del == nil || del.State != store.DeliveryDelivered {
			t.Fatalf("activity %d: delivery %+v", i+1, del)
		}
	}
	if n, _ := in.received("https://samizdat.example/ap/articles/42#create"); n != 1 {
		t.Fatalf("second activity received %d times, want 1", n)
	}
	if got := in.conns.Load(); got != 1 {
		t.Errorf("%d connections for two deliveries to one instance, want 1", got)
	}
}
