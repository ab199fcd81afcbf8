package delivery

import (
	"bytes"
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"

	"github.com/riverqueue/river"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation/signature"
	"samizdat/federation/transport"
)

// deliverArgs is one delivery job: an activity to one inbox. The activity's
// bytes stay in the activities table, once for all its inboxes.
type deliverArgs struct {
	ActivityID string `json:"activity_id"`
	Inbox      string `json:"inbox"`
}

// Kind names the job for River.
func (deliverArgs) Kind() string { return "samizdat.deliver" }

type worker struct {
	river.WorkerDefaults[deliverArgs]
	d *Deliverer
}

func (w *worker) Work(ctx context.Context, job *river.Job[deliverArgs]) error {
	return w.d.deliver(ctx, job)
}

// deliver makes one attempt. Its result tells River what to do next: nil
// (done), river.JobCancel (a final failure: never again) or another error
// (retry by the policy, until the attempts run out).
func (d *Deliverer) deliver(ctx context.Context, job *river.Job[deliverArgs]) error {
	id, inbox := job.Args.ActivityID, job.Args.Inbox
	host, err := hostOf(inbox)
	if err != nil {
		return d.fail(ctx, id, inbox, 0, err.Error(), true)
	}
	if transport.Reserved(host) {
		// A fictional instance, such as the demo's: never attempted, and
		// not counted against the host, which does not exist.
		return d.fail(ctx, id, inbox, 0, "reserved example host: never contacted", true)
	}
	// The delivery and its host's health in one round trip, the activity
	// from the cache after its first delivery.
	cached := d.activities.get(id)
	var known *store.Activity
	if cached != nil {
		known = cached.Activity
	}
	got, del, h, err := d.st.DeliveryJob(ctx, id, inbox, host, known)
	if errors.Is(err, content.ErrNotFound) {
		return river.JobCancel(err) // the activity is gone
	}
	if err != nil {
		return err
	}
	a := cached
	if a == nil {
		a = d.activities.put(got)
	}
	if del.State != store.DeliveryPending {
		return nil // acknowledged already, or settled: never send twice
	}
	// Built only when something is logged: With formats its attributes at
	// once, about 2% of the CPU of a delivered job.
	log := func() *slog.Logger {
		return d.log.With("activity_id", id, "inbox", inbox, "attempt", job.Attempt)
	}
	if !h.Available {
		log().Info("instance unavailable; delivery skipped")
		d.result("skipped")
		return d.st.MarkDeliverySkipped(ctx, id, inbox)
	}

	keyID, key, err := d.cfg.Keys(ctx, a.Actor)
	if err != nil {
		// Our fault, not the host's: retried without counting against it.
		reason := fmt.Sprintf("signing key of %s: %v", a.Actor, err)
		if err := d.fail(ctx, id, inbox, 0, reason, job.Attempt >= job.MaxAttempts); err != nil {
			return err
		}
		return errors.New(reason)
	}

	status, err := d.post(ctx, a, inbox, keyID, key, h.Signature)
	if err == nil && knockAgain(status) {
		// Refused as unauthenticated: perhaps the scheme, not the key. Try
		// the other scheme once, at once, and remember it if it is taken
		// (docs/federation.md#rfc9421-signatures). Refused that way too,
		// the first answer stands; any other answer is the one classified.
		other := otherScheme(h.Signature)
		s2, err2 := d.post(ctx, a, inbox, keyID, key, other)
		switch {
		case err2 == nil && s2 >= 200 && s2 < 300:
			if err := d.st.SetInstanceSignature(ctx, host, other); err != nil {
				log().Warn("recording the signature scheme an instance accepts", "err", err)
			}
			log().Info("instance refused one signature scheme and took the other", "host", host, "refused", status, "scheme", other)
			status = s2
		case err2 == nil && knockAgain(s2):
		default:
			status, err = s2, err2
		}
	}
	if err != nil && errors.Is(ctx.Err(), context.Canceled) {
		// Shutting down mid-request: not the host's fault either. Put the
		// job back without spending an attempt.
		return river.JobSnooze(0)
	}
	switch classify(status, err) {
	case delivered:
		// The delivery and the host's health in one transaction and one
		// round trip; River then completes the job in its batches. Were the
		// process to die before that, the job would run again, find the
		// delivery delivered and send nothing: the state, not the job,
		// guards against sending twice (the job's completion is kept
		// out of this transaction, which would cost three more round trips).
		alive := host
		if !h.Stale {
			alive = "" // its record says so already
		}
		if err := d.st.DeliverySucceeded(ctx, id, inbox, alive, status); err != nil {
			return err
		}
		if d.log.Enabled(ctx, slog.LevelDebug) {
			log().Debug("delivered", "status", status)
		}
		d.result("delivered")
		return nil

	case final:
		reason := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
		d.alive(ctx, log(), host) // the host answered: it is alive
		if status == http.StatusGone {
			n, err := d.st.RemoveFollowersAtInbox(ctx, inbox)
			if err != nil {
				return err
			}
			log().Info("inbox gone; its followers removed", "followers", n)
		}
		// Last, so that whoever sees the delivery settled sees its effects.
		if err := d.fail(ctx, id, inbox, status, reason, true); err != nil {
			return err
		}
		log().Warn("delivery refused", "status", status)
		d.result("refused")
		return river.JobCancel(errors.New(reason))

	default:
		reason := fmt.Sprintf("HTTP %d %s", status, http.StatusText(status))
		if err != nil {
			reason = err.Error()
		}
		down, err := d.st.InstanceFailure(ctx, host, d.cfg.Now(), reason)
		if err != nil {
			return err
		}
		last := job.Attempt >= job.MaxAttempts
		if err := d.fail(ctx, id, inbox, status, reason, last); err != nil {
			return err
		}
		if down {
			log().Warn("instance marked unavailable after failures on many days", "host", host)
		}
		if last {
			log().Warn("delivery given up", "err", reason)
			d.result("given_up")
		} else {
			d.result("retry")
		}
		return errors.New(reason)
	}
}

// result tells Config.Result how an attempt ended.
func (d *Deliverer) result(outcome string) {
	if d.cfg.Result != nil {
		d.cfg.Result(outcome)
	}
}

// fail records a failed attempt.
func (d *Deliverer) fail(ctx context.Context, id, inbox string, status int, reason string, final bool) error {
	if len(reason) > 500 {
		reason = reason[:500]
	}
	return d.st.RecordDeliveryFailure(ctx, id, inbox, status, reason, final)
}

// alive records that host answered. Failing to record it loses only
// bookkeeping, so it is logged rather than retried.
func (d *Deliverer) alive(ctx context.Context, log *slog.Logger, host string) {
	if err := d.st.InstanceSuccess(ctx, host); err != nil {
		log.Warn("recording instance success", "err", err)
	}
}

// knockAgain reports whether an answer to a signed POST may mean that the
// instance does not take its signature scheme: 401, and 400, which Mastodon
// 4.7 also answers by signing again with the other scheme
// (docs/federation.md#rfc9421-signatures). One more POST per such answer is
// cheap; a 400 is final otherwise, and the activity would be lost.
func knockAgain(status int) bool {
	return status == http.StatusUnauthorized || status == http.StatusBadRequest
}

// otherScheme is the scheme to try after scheme was refused.
func otherScheme(scheme string) string {
	if scheme == store.SignatureRFC9421 {
		return store.SignatureCavage
	}
	return store.SignatureRFC9421
}

// post signs a's body with key in scheme (draft-cavage unless it is
// store.SignatureRFC9421) and POSTs it to inbox, returning the status, or
// an error when no response came.
func (d *Deliverer) post(ctx context.Context, a *outgoing, inbox, keyID string, key *rsa.PrivateKey, scheme string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, inbox, bytes.NewReader(a.Body))
	if err != nil {
		return 0, err
	}
	// Never a Collection-Synchronization header
	// (docs/federation.md#no-follower-synchronization).
	req.Header.Set("Content-Type", "application/activity+json")
	if scheme == store.SignatureRFC9421 {
		err = signature.SignMessage(req, keyID, key, a.Body, d.cfg.Now())
	} else {
		err = signature.SignRequestDigest(req, keyID, key, a.digest, d.cfg.Now())
	}
	if err != nil {
		return 0, err
	}
	resp, err := d.client.Do(req)
	if err != nil {
		return 0, err
	}
	// Drain a little so the connection can be reused; the body is not needed.
	io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10)) //nolint:errcheck
	resp.Body.Close()
	return resp.StatusCode, nil
}

// outgoing is an activity being delivered, with its body's Digest header
// value, the same for every inbox.
type outgoing struct {
	*store.Activity
	digest string
}

// activityCache holds the activities being delivered, by id. An activity
// never changes once stored and a fan-out sends the same one to every
// inbox, so reading its body from PostgreSQL and hashing it once per
// process instead of once per inbox saves a detoasted read of several
// kilobytes and a SHA-256 of them per delivery. It keeps the few most
// recently added; the delivery's state is still read every time, so a
// deleted activity is still noticed.
type activityCache struct {
	mu    sync.Mutex
	byID  map[string]*outgoing
	order []string // oldest first
}

// activityCacheSize bounds the cache: a handful of fan-outs at once.
const activityCacheSize = 16

func (c *activityCache) get(id string) *outgoing {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.byID[id]
}

// put adds a and returns it with its digest; if another delivery added it
// meanwhile, that one's.
func (c *activityCache) put(a *store.Activity) *outgoing {
	o := &outgoing{Activity: a, digest: signature.Digest(a.Body)}
	c.mu.Lock()
	defer c.mu.Unlock()
	if had, ok := c.byID[a.ID]; ok {
		return had
	}
	if c.byID == nil {
		c.byID = map[string]*outgoing{}
	}
	if len(c.order) == activityCacheSize {
		delete(c.byID, c.order[0])
		c.order = c.order[1:]
	}
	c.byID[a.ID] = o
	c.order = append(c.order, a.ID)
	return o
}
