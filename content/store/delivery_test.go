package store_test

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// followVia stores a remote actor with the given inboxes and makes it follow
// lang.
func followVia(t *testing.T, s *store.Store, lang, id, inbox, shared string) {
	t.Helper()
	a := &store.RemoteActor{ID: id, Host: "remote.example", Inbox: inbox, SharedInbox: shared}
	if err := s.SaveRemoteActor(t.Context(), a); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Follow(t.Context(), lang, id, id+"#follow", nil); err != nil {
		t.Fatal(err)
	}
}

// deliveryTranslation makes a draft translation for activities to point at.
func deliveryTranslation(t *testing.T, s *store.Store) int64 {
	t.Helper()
	st := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	if err := s.CreateStory(t.Context(), st); err != nil {
		t.Fatal(err)
	}
	tr := &content.Translation{StoryID: st.ID, Lang: "en", Title: "Letters", Teaser: "A teaser.", BodyMarkdown: "Hello."}
	if err := s.SaveTranslation(t.Context(), tr); err != nil {
		t.Fatal(err)
	}
	return tr.ID
}

// deliveryCreate is the Create of deliveryTranslation's translation, not
// stored yet.
func deliveryCreate(t *testing.T, s *store.Store) *store.Activity {
	t.Helper()
	return &store.Activity{ID: "https://samizdat.example/ap/articles/1#create", Actor: "en", Type: "Create",
		TranslationID: deliveryTranslation(t, s), Body: []byte(`{"type":"Create"}`)}
}

// enqueueActivity stores an activity and its deliveries as the delivery package does.
func enqueueActivity(t *testing.T, s *store.Store, a *store.Activity, inboxes ...string) {
	t.Helper()
	err := pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
		if err := s.InsertActivity(t.Context(), tx, a); err != nil {
			return err
		}
		return s.InsertDeliveries(t.Context(), tx, a.ID, inboxes, store.DeliveryPending, "")
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestStore_FollowerInboxes(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	followVia(t, s, "en", "https://a.example/users/1", "https://a.example/users/1/inbox", "https://a.example/inbox")
	followVia(t, s, "en", "https://a.example/users/2", "https://a.example/users/2/inbox", "https://a.example/inbox")
	followVia(t, s, "en", "https://b.example/users/3", "https://b.example/users/3/inbox", "")
	followVia(t, s, "en", "https://c.example/ap/users/4", "https://c.example/ap/users/4/inbox", "https://c.example/inbox")
	followVia(t, s, "ru", "https://d.example/users/5", "https://d.example/users/5/inbox", "https://d.example/inbox")
	followVia(t, s, "ru", "https://a.example/users/2", "https://a.example/users/2/inbox", "https://a.example/inbox")

	want := []string{"https://a.example/inbox", "https://b.example/users/3/inbox", "https://c.example/inbox"}
	got, err := s.FollowerInboxes(t.Context(), s.Pool(), "en")
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("FollowerInboxes(en) = %v, %v; want %v", got, err, want)
	}
	err = pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
		got, err := s.FollowerInboxes(t.Context(), tx, "ru")
		if want := []string{"https://a.example/inbox", "https://d.example/inbox"}; !slices.Equal(got, want) {
			t.Errorf("FollowerInboxes(ru) in a tx = %v, want %v", got, want)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got, err := s.FollowerInboxes(t.Context(), s.Pool(), "fr"); err != nil || len(got) != 0 {
		t.Errorf("FollowerInboxes(fr) = %v, %v; want none", got, err)
	}
}

func TestStore_Deliveries(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	create := deliveryCreate(t, s)
	tid := create.TranslationID
	enqueueActivity(t, s, create, "https://a.example/inbox", "https://b.example/inbox", "https://c.example/inbox", "https://d.example/inbox")

	t.Run("ErrDuplicateActivity", func(t *testing.T) {
		err := pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
			return s.InsertActivity(t.Context(), tx, &store.Activity{ID: create.ID, Actor: "en", Type: "Create", Body: []byte("{}")})
		})
		if !errors.Is(err, content.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})

	a, d, err := s.DeliveryTarget(t.Context(), create.ID, "https://a.example/inbox")
	if err != nil {
		t.Fatal(err)
	}
	if string(a.Body) != `{"type":"Create"}` || a.Actor != "en" || a.TranslationID != tid || d.State != store.DeliveryPending {
		t.Errorf("DeliveryTarget = %+v %+v", a, d)
	}
	if _, _, err := s.DeliveryTarget(t.Context(), create.ID, "https://nowhere.example/inbox"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("DeliveryTarget of an unknown inbox: got %v, want ErrNotFound", err)
	}

	err = pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
		return s.MarkDelivered(t.Context(), tx, create.ID, "https://a.example/inbox", 202)
	})
	if err != nil {
		t.Fatal(err)
	}
	noErr(t, s.RecordDeliveryFailure(t.Context(), create.ID, "https://b.example/inbox", 503, "HTTP 503", false))
	noErr(t, s.RecordDeliveryFailure(t.Context(), create.ID, "https://c.example/inbox", 404, "HTTP 404", true))
	noErr(t, s.MarkDeliverySkipped(t.Context(), create.ID, "https://d.example/inbox"))
	// A failure recorded after the acknowledgement changes nothing.
	noErr(t, s.RecordDeliveryFailure(t.Context(), create.ID, "https://a.example/inbox", 0, "late", true))

	ds, err := s.Deliveries(t.Context(), create.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, d := range ds {
		got[d.Inbox] = fmt.Sprintf("%s %d %d %s", d.State, d.Attempts, d.LastStatus, d.LastError)
	}
	want := map[string]string{
		"https://a.example/inbox": "delivered 1 202 ",
		"https://b.example/inbox": "pending 1 503 HTTP 503",
		"https://c.example/inbox": "failed 1 404 HTTP 404",
		"https://d.example/inbox": "skipped 0 0 instance unavailable",
	}
	for inbox, w := range want {
		if got[inbox] != w {
			t.Errorf("%s: got %q, want %q", inbox, got[inbox], w)
		}
	}

	update := &store.Activity{ID: "https://samizdat.example/ap/articles/1#update-1", Actor: "en", Type: "Update", TranslationID: tid, Body: []byte(`{}`)}
	enqueueActivity(t, s, update, "https://a.example/inbox")
	r, err := s.DeliveryReport(t.Context(), tid)
	if err != nil {
		t.Fatal(err)
	}
	if r.Delivered != 1 || r.Pending != 2 || r.Failed != 1 || r.Skipped != 1 || len(r.Activities) != 2 {
		t.Errorf("report: %+v", r)
	}
	if r.LastError != "instance unavailable" || r.LastInbox != "https://d.example/inbox" {
		t.Errorf("last error %q from %q, want the skip of d", r.LastError, r.LastInbox)
	}
	if r.Activities[0].Type != "Update" || r.Activities[1].Pending != 1 {
		t.Errorf("activities: %+v", r.Activities)
	}
	failed, err := s.FailedDeliveries(t.Context(), tid, 10)
	if err != nil || len(failed) != 2 {
		t.Errorf("FailedDeliveries = %d, %v; want 2", len(failed), err)
	}

	var keys []store.DeliveryKey
	err = pgx.BeginFunc(t.Context(), s.Pool(), func(tx pgx.Tx) error {
		var err error
		keys, err = s.RequeueDeliveries(t.Context(), tx, tid)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	slices.SortFunc(keys, func(a, b store.DeliveryKey) int { return cmp.Compare(a.Inbox, b.Inbox) })
	if len(keys) != 2 || keys[0].Inbox != "https://c.example/inbox" || keys[1].Inbox != "https://d.example/inbox" {
		t.Errorf("RequeueDeliveries = %+v, want c and d", keys)
	}
	if r, _ := s.DeliveryReport(t.Context(), tid); r.Pending != 4 || r.Failed != 0 || r.Skipped != 0 {
		t.Errorf("report after requeue: %+v", r)
	}

	empty, err := s.DeliveryReport(t.Context(), tid+1000)
	if err != nil || len(empty.Activities) != 0 || empty.Delivered != 0 {
		t.Errorf("report of a translation without activities: %+v, %v", empty, err)
	}
}

func TestStore_RemoveFollowersAtInbox(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	followVia(t, s, "en", "https://a.example/users/1", "https://a.example/users/1/inbox", "https://a.example/inbox")
	followVia(t, s, "ru", "https://a.example/users/1", "https://a.example/users/1/inbox", "https://a.example/inbox")
	followVia(t, s, "en", "https://a.example/users/2", "https://a.example/users/2/inbox", "https://a.example/inbox")
	followVia(t, s, "en", "https://b.example/solo", "https://b.example/inbox", "")
	followVia(t, s, "en", "https://b.example/other", "https://b.example/other/inbox", "https://b.example/inbox")

	n, err := s.RemoveFollowersAtInbox(t.Context(), "https://a.example/users/1/inbox")
	if err != nil || n != 2 {
		t.Errorf("personal inbox: removed %d, %v; want the 2 follows of users/1", n, err)
	}
	n, err = s.RemoveFollowersAtInbox(t.Context(), "https://a.example/inbox")
	if err != nil || n != 0 {
		t.Errorf("shared inbox: removed %d, %v; want 0", n, err)
	}
	// b.example/inbox is solo's own inbox but also other's shared inbox.
	n, err = s.RemoveFollowersAtInbox(t.Context(), "https://b.example/inbox")
	if err != nil || n != 0 {
		t.Errorf("inbox that is also a shared inbox: removed %d, %v; want 0", n, err)
	}
	if c, _ := s.FollowerCount(t.Context(), "en"); c != 3 {
		t.Errorf("%d followers of en left, want 3", c)
	}
}

func noErr(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestStore_InstanceHealth(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	const host = "dead.example"
	day := time.Date(2026, 11, 1, 23, 30, 0, 0, time.UTC)

	if ok, err := s.InstanceAvailable(t.Context(), host); err != nil || !ok {
		t.Fatalf("unknown host available = %v, %v", ok, err)
	}
	for i := range store.UnavailableAfterDays - 1 {
		for range 3 { // several failures a day count once
			down, err := s.InstanceFailure(t.Context(), host, day.AddDate(0, 0, i), "HTTP 503")
			if err != nil || down {
				t.Fatalf("day %d: unavailable = %v, %v", i+1, down, err)
			}
		}
	}
	if ok, _ := s.InstanceAvailable(t.Context(), host); !ok {
		t.Fatal("unavailable after 6 days")
	}
	down, err := s.InstanceFailure(t.Context(), host, day.AddDate(0, 0, store.UnavailableAfterDays-1), "HTTP 503")
	if err != nil || !down {
		t.Fatalf("day 7: unavailable = %v, %v; want true", down, err)
	}
	if ok, _ := s.InstanceAvailable(t.Context(), host); ok {
		t.Fatal("available after 7 days of failure")
	}
	got, err := s.UnavailableHosts(t.Context(), s.Pool(), []string{host, "alive.example"})
	if err != nil || !slices.Equal(got, []string{host}) {
		t.Errorf("UnavailableHosts = %v, %v", got, err)
	}
	in, err := s.Instance(t.Context(), host)
	if err != nil || len(in.FailureDays) != 7 || in.LastError != "HTTP 503" {
		t.Errorf("Instance = %+v, %v", in, err)
	}

	noErr(t, s.InstanceContact(t.Context(), host))
	if ok, _ := s.InstanceAvailable(t.Context(), host); !ok {
		t.Error("still unavailable after contact")
	}
	if in, _ := s.Instance(t.Context(), host); len(in.FailureDays) != 0 {
		t.Errorf("failure days kept after contact: %v", in.FailureDays)
	}
	noErr(t, s.InstanceContact(t.Context(), "never-seen.example"))

	for i := range store.UnavailableAfterDays {
		if _, err := s.InstanceFailure(t.Context(), host, day.AddDate(0, 1, i), "timeout"); err != nil {
			t.Fatal(err)
		}
	}
	noErr(t, s.InstanceSuccess(t.Context(), host))
	in, err = s.Instance(t.Context(), host)
	if err != nil || in.Unavailable || len(in.FailureDays) != 0 || in.LastSuccess.IsZero() {
		t.Errorf("after success: %+v, %v", in, err)
	}
	if _, err := s.Instance(t.Context(), "never-seen.example"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("Instance of an unknown host: %v, want ErrNotFound", err)
	}
}

// TestStore_InstanceSuccess_Quiet: a host in good health is not written
// again for every acknowledged delivery, only once its last success is a
// minute old; a host with any trouble recorded is written at once.
func TestStore_InstanceSuccess_Quiet(t *testing.T) {
	t.Parallel()
	base := storetest.New(t)
	host := "quiet.example"
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *store.Store { return base.WithClock(func() time.Time { return t0.Add(d) }) }
	lastSuccess := func() time.Time {
		t.Helper()
		in, err := base.Instance(t.Context(), host)
		if err != nil {
			t.Fatal(err)
		}
		return in.LastSuccess
	}

	noErr(t, at(0).InstanceSuccess(t.Context(), host))
	if got := lastSuccess(); !got.Equal(t0) {
		t.Fatalf("first success: last_success %v, want %v", got, t0)
	}
	noErr(t, at(30*time.Second).InstanceSuccess(t.Context(), host))
	if got := lastSuccess(); !got.Equal(t0) {
		t.Errorf("a success 30 s later rewrote the row: last_success %v", got)
	}
	noErr(t, at(90*time.Second).InstanceSuccess(t.Context(), host))
	if got := lastSuccess(); !got.Equal(t0.Add(90 * time.Second)) {
		t.Errorf("a success 90 s later: last_success %v, want %v", got, t0.Add(90*time.Second))
	}
	if _, err := at(100*time.Second).InstanceFailure(t.Context(), host, t0, "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	noErr(t, at(101*time.Second).InstanceSuccess(t.Context(), host))
	in, err := base.Instance(t.Context(), host)
	if err != nil || len(in.FailureDays) != 0 || in.LastError != "" || !in.LastSuccess.Equal(t0.Add(101*time.Second)) {
		t.Errorf("a success just after a failure: %+v, %v", in, err)
	}
}

// TestStore_DeliveryJob_Together: workers asking at the same moment share
// one batch (coalesce.go), and a delivery that is gone is reported to its
// own worker only: the others read their deliveries. A missing row failing
// the whole batch would cancel every job in it.
func TestStore_DeliveryJob_Together(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	create := deliveryCreate(t, s)
	inboxes := []string{"https://a.example/inbox", "https://nowhere.example/inbox", "https://b.example/inbox", "https://c.example/inbox"}
	enqueueActivity(t, s, create, inboxes[0], inboxes[2], inboxes[3])

	wait := holdSender(t, s)
	type answer struct {
		a   *store.Activity
		d   *store.Delivery
		h   store.DeliveryHost
		err error
	}
	got := make([]answer, len(inboxes))
	var wg sync.WaitGroup
	for i, inbox := range inboxes {
		var known *store.Activity
		if i%2 == 1 {
			known = create // the body cached: only the state is read
		}
		wg.Go(func() {
			a, d, h, err := s.DeliveryJob(t.Context(), create.ID, inbox, strings.TrimSuffix(strings.TrimPrefix(inbox, "https://"), "/inbox"), known)
			got[i] = answer{a, d, h, err}
		})
		waitPending(t, s, i+1)
	}
	_, before := s.CoalesceState()
	wait()
	wg.Wait()
	if _, after := s.CoalesceState(); after-before != 1 {
		t.Errorf("%d workers went out in %d batches, want 1", len(inboxes), after-before)
	}
	for i, g := range got {
		if inboxes[i] == "https://nowhere.example/inbox" {
			if !errors.Is(g.err, content.ErrNotFound) {
				t.Errorf("the delivery that is not there: %v, want ErrNotFound", g.err)
			}
			continue
		}
		if g.err != nil || !g.h.Available || g.d == nil || g.d.State != store.DeliveryPending || g.d.Inbox != inboxes[i] || g.a == nil || string(g.a.Body) != `{"type":"Create"}` {
			t.Errorf("%s: activity %+v, delivery %+v, available %v, err %v", inboxes[i], g.a, g.d, g.h.Available, g.err)
		}
	}
}

// TestStore_DeliveryJob_Stale: a worker learns whether its host's record
// wants the next success written (unknown, failing, or last success over a
// minute old), and a success recorded without its host leaves the record
// as it was.
func TestStore_DeliveryJob_Stale(t *testing.T) {
	t.Parallel()
	base := storetest.New(t)
	t0 := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	at := func(d time.Duration) *store.Store { return base.WithClock(func() time.Time { return t0.Add(d) }) }
	create := deliveryCreate(t, base)
	inboxes := []string{"https://stale.example/inbox", "https://stale.example/other/inbox", "https://stale.example/third/inbox"}
	enqueueActivity(t, base, create, inboxes...)
	stale := func(s *store.Store, inbox string) bool {
		t.Helper()
		_, _, h, err := s.DeliveryJob(t.Context(), create.ID, inbox, "stale.example", nil)
		if err != nil {
			t.Fatal(err)
		}
		return h.Stale
	}

	if !stale(at(0), inboxes[0]) {
		t.Error("an unknown host: not stale")
	}
	noErr(t, at(0).DeliverySucceeded(t.Context(), create.ID, inboxes[0], "stale.example", 202))
	if stale(at(30*time.Second), inboxes[1]) {
		t.Error("30 s after a success: stale")
	}
	noErr(t, at(30*time.Second).DeliverySucceeded(t.Context(), create.ID, inboxes[1], "", 202))
	in, err := base.Instance(t.Context(), "stale.example")
	if err != nil || !in.LastSuccess.Equal(t0) {
		t.Errorf("a success recorded without its host rewrote the record: %+v, %v", in, err)
	}
	if !stale(at(90*time.Second), inboxes[2]) {
		t.Error("90 s after a success: not stale")
	}
	if _, err := at(100*time.Second).InstanceFailure(t.Context(), "stale.example", t0, "HTTP 503"); err != nil {
		t.Fatal(err)
	}
	if !stale(at(101*time.Second), inboxes[2]) {
		t.Error("just after a failure: not stale")
	}
	ds, err := base.Deliveries(t.Context(), create.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, d := range ds[:2] {
		if d.State != store.DeliveryDelivered {
			t.Errorf("%s: %s, want delivered", d.Inbox, d.State)
		}
	}
}
