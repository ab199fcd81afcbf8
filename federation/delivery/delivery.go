// Package delivery sends our activities to remote inboxes as durable jobs in
// PostgreSQL, run by River.
//
// Enqueue runs inside the caller's transaction, the one that publishes,
// edits or withdraws a translation or records a follower: it stores the
// activity as the exact bytes to send, one deliveries row per distinct inbox
// and one River job per inbox. A rollback therefore sends nothing and a
// commit loses nothing, whatever crashes afterwards.
//
// A worker signs the stored bytes with the activity's actor's key and POSTs
// them. A 2xx marks the delivery delivered, and a job finds its delivery's
// state before it sends, so an inbox that acknowledged an activity is never
// sent it again, even when River runs the job once more because the process
// died before the job's completion was written; a crash between the POST and
// the delivered mark sends it again, which receivers tolerate since activities
// carry ids (at least once, never lost). Failures are classified and retried as
// Mastodon does (docs/federation.md#mastodon-retry-schedule), hosts failing on
// 7 distinct days are skipped until they show signs of life
// (docs/federation.md#unavailable-instances), and a 410 from a follower's own
// inbox removes that follower (docs/federation.md#gone-inbox-removes-follower).
package delivery

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"samizdat/content/store"
)

// Activity is an activity to deliver. Body is sent byte for byte.
type Activity struct {
	ID            string
	Actor         string // our actor: a language code, or "instance"
	Type          string
	TranslationID int64 // 0 when the activity concerns no translation
	Body          []byte
}

// KeySource returns the key that signs for one of our actors, by the name
// Activity.Actor uses, and the keyId to sign with.
type KeySource func(ctx context.Context, actor string) (keyID string, key *rsa.PrivateKey, err error)

// Config configures a Deliverer. Keys and Client are required.
type Config struct {
	Keys   KeySource
	Client *http.Client // transport.New's; its redirects are not followed for deliveries
	Logger *slog.Logger
	// Workers is how many deliveries run at once in this process; 128 if zero.
	// A delivery mostly waits on a remote server (Mastodon allows itself 10 s
	// per answer, docs/federation.md#peer-timeouts-and-limits), so reaching a
	// thousand instances within seconds takes many at once; each costs a
	// goroutine and a connection while it waits, and a pool connection only for
	// the moments it reads or records the delivery. More at once also makes
	// each coalesced batch and each fetch of jobs larger, so that PostgreSQL
	// and the process spend less per delivery: on 2 cores, 128 instead of 64
	// cost 0.03 ms less server CPU and 0.03 ms less of PostgreSQL's a
	// delivery. After a crash, the deliveries that were running may be sent
	// again (at least once), so this also bounds the repeats.
	Workers int
	// Now is the clock for signatures and failure days; time.Now if nil.
	Now func() time.Time
	// RetryPolicy decides when a failed delivery is tried again;
	// Mastodon's schedule (MastodonRetry) if nil.
	RetryPolicy river.ClientRetryPolicy
	// MaxAttempts is how many times a delivery is tried in all; 17 if zero,
	// Mastodon's first attempt and 16 retries (about 2–3 days).
	MaxAttempts int
	// JobTimeout bounds one attempt; if zero, the Client's timeout (or
	// PostTimeout) plus time to read and record the delivery.
	JobTimeout time.Duration
	// RescueAfter is how long an attempt may look running before it is taken
	// for the work of a crashed process and run again at once; JobTimeout
	// plus a margin if zero. It must be longer than JobTimeout.
	RescueAfter time.Duration
	// Result, when set, is told how each attempt ended, for metrics:
	// delivered, skipped, refused (final), retry or given_up.
	Result func(outcome string)
	// PollInterval is how often idle workers look for due jobs; River's
	// default (one second) if zero.
	PollInterval time.Duration
	// FetchCooldown is the least time between two fetches of jobs; 5 ms if
	// zero. River waits at least this long (100 ms by its default) before
	// filling worker slots freed since its last fetch, which caps a fan-out
	// at Workers per FetchCooldown: 160 deliveries a second with River's
	// defaults and 16 workers, whatever the machine (see docs/benchmarks.md).
	FetchCooldown time.Duration
	// InsertOnly makes a Deliverer that queues deliveries and other work
	// but runs none, for a process in the web role only (SAMIZDAT_ROLES):
	// its River client has no queues, so it neither works jobs nor stands
	// for the election of the leader that inserts periodic jobs and
	// rescues the jobs of crashed processes. Start and Stop do nothing.
	InsertOnly bool
}

const (
	queue              = "delivery"
	defaultWorkers     = 128
	defaultCooldown    = 5 * time.Millisecond
	defaultMaxAttempts = 17
	// jobMargin is what an attempt may take besides its POST (reading the
	// delivery, recording the outcome), and what a rescue waits beyond the
	// attempt's timeout.
	jobMargin = 3 * time.Second
)

// PostTimeout bounds one delivery's POST, from connecting to reading the
// answer. Mastodon gives itself 10 s to read an answer
// (docs/federation.md#peer-timeouts-and-limits); an inbox slower than that
// is tried again later. The bound keeps a crashed process's deliveries
// waiting less than a minute: an attempt lasts at most PostTimeout plus
// jobMargin (13 s), and is rescued 16 s after it began, at the next pass of
// River's rescuer (every 30 s), then run within River's scheduling interval
// (5 s): 51 s at worst (docs/operations.md#crash-recovery).
const PostTimeout = 10 * time.Second

// Deliverer enqueues and runs deliveries.
type Deliverer struct {
	pool   *pgxpool.Pool
	st     *store.Store
	cfg    Config
	log    *slog.Logger
	client *http.Client
	river  *river.Client[pgx.Tx]
	// workers is the client's bundle, to which AddWork adds (jobs.go).
	workers *river.Workers
	// activities holds the activities being delivered (worker.go).
	activities activityCache
}

// New returns a Deliverer on pool. It can enqueue at once; it delivers only
// after Start.
func New(pool *pgxpool.Pool, st *store.Store, cfg Config) (*Deliverer, error) {
	if cfg.Keys == nil || cfg.Client == nil {
		return nil, errors.New("delivery: Config needs Keys and Client")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.Workers <= 0 {
		cfg.Workers = defaultWorkers
	}
	if cfg.FetchCooldown <= 0 {
		cfg.FetchCooldown = defaultCooldown
	}
	if cfg.PollInterval > 0 {
		cfg.FetchCooldown = min(cfg.FetchCooldown, cfg.PollInterval)
	}
	if cfg.RetryPolicy == nil {
		cfg.RetryPolicy = MastodonRetry{}
	}
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = defaultMaxAttempts
	}
	if cfg.JobTimeout <= 0 {
		post := cfg.Client.Timeout
		if post <= 0 {
			post = PostTimeout
		}
		cfg.JobTimeout = post + jobMargin
	}
	if cfg.RescueAfter <= 0 {
		cfg.RescueAfter = cfg.JobTimeout + jobMargin
	}
	if cfg.RescueAfter <= cfg.JobTimeout {
		return nil, fmt.Errorf("delivery: RescueAfter %s must be longer than JobTimeout %s", cfg.RescueAfter, cfg.JobTimeout)
	}

	// A redirected POST would either lose its body (301, 302, 303) or reach
	// an address the signature does not cover (307, 308); like Mastodon,
	// treat the redirect itself as the answer, which is retried.
	client := *cfg.Client
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }

	d := &Deliverer{pool: pool, st: st, cfg: cfg, log: cfg.Logger.With("component", "delivery"), client: &client}
	workers := river.NewWorkers()
	if err := river.AddWorkerSafely(workers, &worker{d: d}); err != nil {
		return nil, fmt.Errorf("delivery: add worker: %w", err)
	}
	queues := map[string]river.QueueConfig{queue: {MaxWorkers: cfg.Workers}}
	if cfg.InsertOnly {
		queues = nil // River's insert-only client
	}
	rc, err := river.NewClient(riverpgxv5.New(pool), &river.Config{
		Queues:               queues,
		Workers:              workers,
		RetryPolicy:          rescuedAtOnce{cfg.RetryPolicy, cfg.RescueAfter},
		MaxAttempts:          cfg.MaxAttempts,
		JobTimeout:           cfg.JobTimeout,
		RescueStuckJobsAfter: cfg.RescueAfter,
		FetchPollInterval:    cfg.PollInterval,
		FetchCooldown:        cfg.FetchCooldown,
		Logger:               slog.New(quieter{cfg.Logger.Handler()}).With("component", "river"),
	})
	if err != nil {
		return nil, fmt.Errorf("delivery: river client: %w", err)
	}
	d.river = rc
	d.workers = workers
	return d, nil
}

// Start starts the workers. They stop when ctx ends or Stop is called.
func (d *Deliverer) Start(ctx context.Context) error {
	if d.cfg.InsertOnly {
		return nil
	}
	if err := d.river.Start(ctx); err != nil {
		return fmt.Errorf("delivery: start: %w", err)
	}
	return nil
}

// Stop waits for running deliveries to finish, until ctx ends; jobs cut short
// stay in the queue and are rescued (Config.RescueAfter) by the next process.
func (d *Deliverer) Stop(ctx context.Context) error {
	if d.cfg.InsertOnly {
		return nil
	}
	if err := d.river.Stop(ctx); err != nil {
		return fmt.Errorf("delivery: stop: %w", err)
	}
	return nil
}

// Enqueue queues a for delivery to inboxes, in tx. Each inbox address is
// delivered to once, however often it appears
// (docs/federation.md#shared-inbox-delivery: ten thousand followers behind a
// thousand shared inboxes make a thousand jobs). Inboxes of unavailable
// instances are recorded as skipped and get no job; addresses that are not
// http(s) URLs are recorded as failed.
func (d *Deliverer) Enqueue(ctx context.Context, tx pgx.Tx, a Activity, inboxes []string) error {
	rs := make([]Recipient, len(inboxes))
	for i, inbox := range inboxes {
		rs[i] = Recipient{Inbox: inbox}
	}
	return d.EnqueueTo(ctx, tx, a, rs)
}

// Recipient is an inbox and why it gets an activity (a store.Reach group,
// or "" for an activity to one actor); the delivery report counts by it.
type Recipient struct {
	Inbox string
	Group string
}

// EnqueueTo is Enqueue with a group per inbox. An inbox listed twice keeps
// its first group.
func (d *Deliverer) EnqueueTo(ctx context.Context, tx pgx.Tx, a Activity, recipients []Recipient) error {
	if a.ID == "" || a.Actor == "" || len(a.Body) == 0 {
		return errors.New("delivery: enqueue: activity needs an id, an actor and a body")
	}
	err := d.st.InsertActivity(ctx, tx, &store.Activity{ID: a.ID, Actor: a.Actor, Type: a.Type, TranslationID: a.TranslationID, Body: a.Body})
	if err != nil {
		return fmt.Errorf("delivery: enqueue %s: %w", a.ID, err)
	}

	var valid, invalid, hosts []string
	group := map[string]string{}
	hostSeen := map[string]bool{}
	for _, r := range recipients {
		inbox := strings.TrimSpace(r.Inbox)
		if _, seen := group[inbox]; inbox == "" || seen {
			continue
		}
		group[inbox] = r.Group
		host, err := hostOf(inbox)
		if err != nil {
			invalid = append(invalid, inbox)
			continue
		}
		valid = append(valid, inbox)
		if !hostSeen[host] {
			hostSeen[host] = true
			hosts = append(hosts, host)
		}
	}
	down, err := d.st.UnavailableHosts(ctx, tx, hosts)
	if err != nil {
		return fmt.Errorf("delivery: enqueue %s: %w", a.ID, err)
	}
	unavailable := map[string]bool{}
	for _, h := range down {
		unavailable[h] = true
	}
	var pending, skipped []string
	for _, inbox := range valid {
		if host, _ := hostOf(inbox); unavailable[host] {
			skipped = append(skipped, inbox)
		} else {
			pending = append(pending, inbox)
		}
	}
	for _, set := range []struct {
		inboxes       []string
		state, reason string
	}{
		{pending, store.DeliveryPending, ""},
		{skipped, store.DeliverySkipped, "instance unavailable"},
		{invalid, store.DeliveryFailed, "not an http(s) URL"},
	} {
		groups := make([]string, len(set.inboxes))
		for i, inbox := range set.inboxes {
			groups[i] = group[inbox]
		}
		if err := d.st.InsertReachDeliveries(ctx, tx, a.ID, set.inboxes, groups, set.state, set.reason); err != nil {
			return fmt.Errorf("delivery: enqueue %s: %w", a.ID, err)
		}
	}
	keys := make([]store.DeliveryKey, len(pending))
	for i, inbox := range pending {
		keys[i] = store.DeliveryKey{ActivityID: a.ID, Inbox: inbox}
	}
	return d.insertJobs(ctx, tx, keys)
}

// insertJobs queues one job per delivery in tx.
func (d *Deliverer) insertJobs(ctx context.Context, tx pgx.Tx, keys []store.DeliveryKey) error {
	if len(keys) == 0 {
		return nil
	}
	params := make([]river.InsertManyParams, len(keys))
	for i, k := range keys {
		params[i] = river.InsertManyParams{
			Args:       deliverArgs{ActivityID: k.ActivityID, Inbox: k.Inbox},
			InsertOpts: &river.InsertOpts{Queue: queue, MaxAttempts: d.cfg.MaxAttempts},
		}
	}
	if _, err := d.river.InsertManyTx(ctx, tx, params); err != nil {
		return fmt.Errorf("delivery: queue %d jobs: %w", len(keys), err)
	}
	return nil
}

// RetryFailed queues again every failed or skipped delivery of the
// translation's activities and returns how many. A skipped inbox whose
// instance is still unavailable is skipped again.
func (d *Deliverer) RetryFailed(ctx context.Context, translationID int64) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, d.pool, func(tx pgx.Tx) error {
		keys, err := d.st.RequeueDeliveries(ctx, tx, translationID)
		if err != nil {
			return err
		}
		n = len(keys)
		return d.insertJobs(ctx, tx, keys)
	})
	if err != nil {
		return 0, fmt.Errorf("delivery: retry failed deliveries of translation %d: %w", translationID, err)
	}
	return n, nil
}

// hostOf returns the host an inbox URL's health is tracked under: its
// authority in lower case, port included when the URL names one.
func hostOf(inbox string) (string, error) {
	u, err := url.Parse(inbox)
	if err != nil {
		return "", err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", fmt.Errorf("delivery: %q is not an http(s) URL", inbox)
	}
	return strings.ToLower(u.Host), nil
}

// Host returns the host under which deliveries to inbox are tracked in the
// instances table, for callers that revive an instance on contact
// (store.InstanceContact) from a URL of theirs, such as a keyId.
func Host(rawURL string) (string, error) { return hostOf(rawURL) }
