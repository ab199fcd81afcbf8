package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Delivery states, as in the deliveries table.
const (
	DeliveryPending   = "pending"   // queued, or failed and waiting for a retry
	DeliveryDelivered = "delivered" // the inbox answered 2xx: never sent again
	DeliveryFailed    = "failed"    // a final answer, or retries exhausted
	DeliverySkipped   = "skipped"   // the inbox's instance was unavailable (docs/federation.md#unavailable-instances)
)

// Activity is an activity we send, kept as the exact bytes that are signed
// and posted to every inbox.
type Activity struct {
	ID            string
	Actor         string // our actor: a language code, or "instance"
	Type          string
	TranslationID int64 // 0 when the activity concerns no translation
	Body          []byte
	CreatedAt     time.Time
}

// Delivery is the state of one activity's delivery to one inbox.
type Delivery struct {
	ActivityID string
	Inbox      string
	State      string
	Attempts   int
	LastStatus int // the last HTTP status, 0 when none came back
	LastError  string
	UpdatedAt  time.Time
}

// FollowerInboxes returns where an activity of the language actor lang must go:
// for each follower its shared inbox, or its own inbox when it has none, each
// address once (docs/federation.md#shared-inbox-delivery). q is a transaction
// or the pool.
func (s *Store) FollowerInboxes(ctx context.Context, q querier, lang string) ([]string, error) {
	rows, err := q.Query(ctx, `
		SELECT DISTINCT coalesce(nullif(a.shared_inbox, ''), a.inbox) AS inbox
		FROM followers f JOIN remote_actors a ON a.id = f.follower
		WHERE f.actor = $1 AND coalesce(nullif(a.shared_inbox, ''), a.inbox) <> ''
		ORDER BY inbox`, lang)
	if err != nil {
		return nil, mapErr("follower inboxes of "+lang, err)
	}
	inboxes, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return inboxes, mapErr("follower inboxes of "+lang, err)
}

// InsertActivity stores a in tx. An id already used is content.ErrConflict.
func (s *Store) InsertActivity(ctx context.Context, tx pgx.Tx, a *Activity) error {
	var translationID *int64
	if a.TranslationID != 0 {
		translationID = &a.TranslationID
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO activities (id, actor, type, translation_id, body, created_at)
		VALUES ($1, $2, $3, $4, $5, $6) RETURNING created_at`,
		a.ID, a.Actor, a.Type, translationID, a.Body, s.now()).Scan(&a.CreatedAt)
	return mapErr("insert activity "+a.ID, err)
}

// InsertDeliveries records, in tx, that activityID goes to each of inboxes,
// starting in state (DeliveryPending, or DeliverySkipped for inboxes of
// unavailable instances, or DeliveryFailed with a reason for addresses that
// cannot be delivered to). Inboxes already recorded for the activity are left
// as they are.
func (s *Store) InsertDeliveries(ctx context.Context, tx pgx.Tx, activityID string, inboxes []string, state, reason string) error {
	return s.InsertReachDeliveries(ctx, tx, activityID, inboxes, nil, state, reason)
}

// InsertReachDeliveries is InsertDeliveries with the reach group of each
// inbox (ReachFollowers…), groups[i] for inboxes[i]; nil records none.
func (s *Store) InsertReachDeliveries(ctx context.Context, tx pgx.Tx, activityID string, inboxes, groups []string, state, reason string) error {
	if len(inboxes) == 0 {
		return nil
	}
	if groups == nil {
		groups = make([]string, len(inboxes))
	}
	if len(groups) != len(inboxes) {
		return fmt.Errorf("store: insert deliveries of %s: %d inboxes, %d groups", activityID, len(inboxes), len(groups))
	}
	_, err := tx.Exec(ctx, `
		INSERT INTO deliveries (activity_id, inbox, reach, state, last_error, updated_at)
		SELECT $1, d.inbox, d.reach, $4, $5, $6 FROM unnest($2::text[], $3::text[]) AS d (inbox, reach)
		ON CONFLICT (activity_id, inbox) DO NOTHING`,
		activityID, inboxes, groups, state, reason, s.now())
	return mapErr(fmt.Sprintf("insert %d deliveries of %s", len(inboxes), activityID), err)
}

// DeliveryTarget returns the activity and the state of its delivery to inbox,
// for the worker that is about to send it.
func (s *Store) DeliveryTarget(ctx context.Context, activityID, inbox string) (*Activity, *Delivery, error) {
	a, d, err := scanDeliveryTarget(s.pool.QueryRow(ctx, deliveryTargetQuery, activityID, inbox), activityID, inbox)
	if err != nil {
		return nil, nil, mapErr(fmt.Sprintf("delivery of %s to %s", activityID, inbox), err)
	}
	return a, d, nil
}

const deliveryTargetQuery = `
	SELECT a.actor, a.type, a.translation_id, a.body, a.created_at,
	       d.state, d.attempts, d.last_status, d.last_error, d.updated_at
	FROM deliveries d JOIN activities a ON a.id = d.activity_id
	WHERE d.activity_id = $1 AND d.inbox = $2`

func scanDeliveryTarget(row pgx.Row, activityID, inbox string) (*Activity, *Delivery, error) {
	a := &Activity{ID: activityID}
	d := &Delivery{ActivityID: activityID, Inbox: inbox}
	var translationID *int64
	var lastStatus *int
	err := row.Scan(&a.Actor, &a.Type, &translationID, &a.Body, &a.CreatedAt,
		&d.State, &d.Attempts, &lastStatus, &d.LastError, &d.UpdatedAt)
	if err != nil {
		return nil, nil, err
	}
	if translationID != nil {
		a.TranslationID = *translationID
	}
	if lastStatus != nil {
		d.LastStatus = *lastStatus
	}
	return a, d, nil
}

// DeliveryJob is DeliveryTarget and what DeliveryHost says of the inbox's host in
// one statement, for a worker that makes thousands of attempts a second in a
// fan-out: each statement and round trip costs both the worker and PostgreSQL
// CPU that RSA signing needs. It is sent with the statements of the other
// workers asking at the same moment (coalesce.go). known, when not nil, is the
// activity as the caller already holds it: activities never change once
// stored, so only the delivery's state is read, not the body again, and known
// is returned.
func (s *Store) DeliveryJob(ctx context.Context, activityID, inbox, host string, known *Activity) (*Activity, *Delivery, DeliveryHost, error) {
	var (
		a *Activity
		d *Delivery
		h DeliveryHost
	) // written by the callbacks, read only once they have run
	now := s.now()
	err := s.reads.do(ctx, func(b *pgx.Batch) {
		a, d, h = known, nil, DeliveryHost{}
		query := deliveryJobQuery
		if known == nil {
			query = deliveryJobBodyQuery
		}
		b.Queue(query, activityID, inbox, host, now).QueryRow(func(row pgx.Row) error {
			d = &Delivery{ActivityID: activityID, Inbox: inbox}
			var (
				unavailable   bool
				translationID *int64
			)
			dest := []any{&d.State, &d.Attempts, &d.LastStatus, &d.LastError, &d.UpdatedAt, &unavailable, &h.Signature, &h.Stale}
			if known == nil {
				a = &Activity{ID: activityID}
				dest = append(dest, &a.Actor, &a.Type, &translationID, &a.Body, &a.CreatedAt)
			}
			if err := row.Scan(dest...); err != nil {
				return err
			}
			h.Available = !unavailable
			if translationID != nil {
				a.TranslationID = *translationID
			}
			return nil
		})
	})
	if err != nil {
		return nil, nil, DeliveryHost{}, mapErr(fmt.Sprintf("delivery of %s to %s", activityID, inbox), err)
	}
	return a, d, h, nil
}

// deliveryJobQuery reads a delivery's state and deliveryHostQuery's answer
// for its host ($3; $4 is now) as one row: one statement a delivery instead
// of two. No delivery, no row.
const deliveryJobQuery = `
	SELECT d.state, d.attempts, coalesce(d.last_status, 0), d.last_error, d.updated_at,
	       h.unavailable, h.signature, h.stale
	FROM deliveries d, (` + deliveryHostQuery + `) h
	WHERE d.activity_id = $1 AND d.inbox = $2`

// deliveryJobBodyQuery is deliveryJobQuery with the activity.
const deliveryJobBodyQuery = `
	SELECT d.state, d.attempts, coalesce(d.last_status, 0), d.last_error, d.updated_at,
	       h.unavailable, h.signature, h.stale,
	       a.actor, a.type, a.translation_id, a.body, a.created_at
	FROM deliveries d JOIN activities a ON a.id = d.activity_id, (` + deliveryHostQuery + `) h
	WHERE d.activity_id = $1 AND d.inbox = $2`

// Deliveries returns the deliveries of one activity, by inbox.
func (s *Store) Deliveries(ctx context.Context, activityID string) ([]*Delivery, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT activity_id, inbox, state, attempts, coalesce(last_status, 0), last_error, updated_at
		FROM deliveries WHERE activity_id = $1 ORDER BY inbox`, activityID)
	if err != nil {
		return nil, mapErr("deliveries of "+activityID, err)
	}
	ds, err := pgx.CollectRows(rows, scanDelivery)
	return ds, mapErr("deliveries of "+activityID, err)
}

func scanDelivery(row pgx.CollectableRow) (*Delivery, error) {
	d := &Delivery{}
	err := row.Scan(&d.ActivityID, &d.Inbox, &d.State, &d.Attempts, &d.LastStatus, &d.LastError, &d.UpdatedAt)
	return d, err
}

// MarkDelivered records in tx that inbox acknowledged activityID with status.
func (s *Store) MarkDelivered(ctx context.Context, tx pgx.Tx, activityID, inbox string, status int) error {
	_, err := tx.Exec(ctx, markDeliveredQuery, activityID, inbox, status, s.now())
	return mapErr(fmt.Sprintf("mark %s delivered to %s", activityID, inbox), err)
}

const markDeliveredQuery = `
	UPDATE deliveries SET state = 'delivered', attempts = attempts + 1,
	       last_status = $3, last_error = '', updated_at = $4
	WHERE activity_id = $1 AND inbox = $2`

// DeliverySucceeded records that inbox acknowledged activityID with status,
// and that its host is alive (InstanceSuccess), in one round trip and one
// transaction: the host's health is recorded with the delivery, never after
// it. host is "" when the caller knows that the host's record needs no word
// of this success (DeliveryHost.Stale is false): then only the delivery is
// written. instanceSuccessQuery would write nothing either, but its ON
// CONFLICT DO UPDATE locks the row all the same, and a row lock writes the
// page and WAL: in a fan-out to 1,000 instances whose records were fresh,
// 1,000 statements and 1,000 WAL records, 0.02 ms of PostgreSQL's time a
// delivery (pg_stat_statements).
func (s *Store) DeliverySucceeded(ctx context.Context, activityID, inbox, host string, status int) error {
	now := s.now()
	// A batch runs as one implicit transaction: both or neither, and with
	// the other deliveries recorded at the same moment, one commit for all.
	err := s.writes.do(ctx, func(b *pgx.Batch) {
		if host != "" {
			b.Queue(instanceSuccessQuery, host, now)
		}
		b.Queue(markDeliveredQuery, activityID, inbox, status, now)
	})
	return mapErr(fmt.Sprintf("mark %s delivered to %s", activityID, inbox), err)
}

// RecordDeliveryFailure counts a failed attempt to send activityID to inbox,
// with the status that came back (0 for none) and what went wrong. A final
// failure moves the delivery to DeliveryFailed; otherwise it stays pending
// for its retry. A delivery already acknowledged is left alone.
func (s *Store) RecordDeliveryFailure(ctx context.Context, activityID, inbox string, status int, reason string, final bool) error {
	var st *int
	if status != 0 {
		st = &status
	}
	_, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET attempts = attempts + 1, last_status = $3, last_error = $4, updated_at = $6,
		       state = CASE WHEN $5 THEN 'failed' ELSE state END
		WHERE activity_id = $1 AND inbox = $2 AND state <> 'delivered'`,
		activityID, inbox, st, reason, final, s.now())
	return mapErr(fmt.Sprintf("record failure of %s to %s", activityID, inbox), err)
}

// MarkDeliverySkipped records that activityID was not sent to inbox because
// its instance is unavailable.
func (s *Store) MarkDeliverySkipped(ctx context.Context, activityID, inbox string) error {
	_, err := s.pool.Exec(ctx, `
		UPDATE deliveries SET state = 'skipped', last_error = 'instance unavailable', updated_at = $3
		WHERE activity_id = $1 AND inbox = $2 AND state = 'pending'`, activityID, inbox, s.now())
	return mapErr(fmt.Sprintf("mark %s skipped for %s", activityID, inbox), err)
}

// RemoveFollowersAtInbox removes the followers, of any of our actors, whose
// personal inbox is inbox, after it answered 410 Gone
// (docs/federation.md#gone-inbox-removes-follower), and returns how many
// follows went. An address that is some actor's shared inbox removes nothing: a
// shared inbox speaks for a whole instance, and one 410 from it is no proof
// that every follower there is gone.
func (s *Store) RemoveFollowersAtInbox(ctx context.Context, inbox string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM followers f USING remote_actors a
		WHERE f.follower = a.id AND a.inbox = $1
		  AND NOT EXISTS (SELECT 1 FROM remote_actors s WHERE s.shared_inbox = $1)`, inbox)
	if err != nil {
		return 0, mapErr("remove followers at "+inbox, err)
	}
	return tag.RowsAffected(), nil
}

// DeliveryKey names one delivery.
type DeliveryKey struct {
	ActivityID string
	Inbox      string
}

// RequeueDeliveries moves, in tx, the failed and skipped deliveries of the
// translation's activities back to pending and returns them, so that the
// caller can queue a job for each in the same transaction.
func (s *Store) RequeueDeliveries(ctx context.Context, tx pgx.Tx, translationID int64) ([]DeliveryKey, error) {
	rows, err := tx.Query(ctx, `
		UPDATE deliveries d SET state = 'pending', updated_at = $2
		FROM activities a
		WHERE a.id = d.activity_id AND a.translation_id = $1 AND d.state IN ('failed', 'skipped')
		RETURNING d.activity_id, d.inbox`, translationID, s.now())
	if err != nil {
		return nil, mapErr(fmt.Sprintf("requeue deliveries of translation %d", translationID), err)
	}
	keys, err := pgx.CollectRows(rows, pgx.RowToStructByPos[DeliveryKey])
	return keys, mapErr(fmt.Sprintf("requeue deliveries of translation %d", translationID), err)
}

// ActivityReport counts the deliveries of one activity by state.
type ActivityReport struct {
	ActivityID string
	Type       string
	CreatedAt  time.Time
	Delivered  int
	Pending    int
	Failed     int
	Skipped    int
	// Reach counts the inboxes by why they got the activity, in the
	// order of the groups (followers first); empty for activities sent
	// before groups were recorded.
	Reach []ReachCount `db:"-"`
}

// ReachCount is how many inboxes of one reach group an activity went to,
// and how many of them acknowledged it.
type ReachCount struct {
	Group     string
	Inboxes   int
	Delivered int
}

// DeliveryReport is how a translation's activities fared: one line per
// activity, newest first, their totals, and the latest error.
type DeliveryReport struct {
	Activities  []ActivityReport
	Delivered   int // inboxes that acknowledged
	Pending     int // queued or waiting for a retry
	Failed      int
	Skipped     int
	LastError   string
	LastInbox   string // where LastError came from
	LastErrorAt time.Time
}

// DeliveryReport reports the deliveries of every activity of a translation
// (its Create, Updates and Delete), for the desk.
func (s *Store) DeliveryReport(ctx context.Context, translationID int64) (*DeliveryReport, error) {
	op := fmt.Sprintf("delivery report of translation %d", translationID)
	rows, err := s.pool.Query(ctx, `
		SELECT a.id, a.type, a.created_at,
		       count(*) FILTER (WHERE d.state = 'delivered'),
		       count(*) FILTER (WHERE d.state = 'pending'),
		       count(*) FILTER (WHERE d.state = 'failed'),
		       count(*) FILTER (WHERE d.state = 'skipped')
		FROM activities a LEFT JOIN deliveries d ON d.activity_id = a.id
		WHERE a.translation_id = $1
		GROUP BY a.id, a.type, a.created_at
		ORDER BY a.created_at DESC, a.id`, translationID)
	if err != nil {
		return nil, mapErr(op, err)
	}
	acts, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ActivityReport])
	if err != nil {
		return nil, mapErr(op, err)
	}
	r := &DeliveryReport{Activities: acts}
	if err := s.reachCounts(ctx, translationID, r.Activities); err != nil {
		return nil, mapErr(op, err)
	}
	for _, a := range acts {
		r.Delivered += a.Delivered
		r.Pending += a.Pending
		r.Failed += a.Failed
		r.Skipped += a.Skipped
	}
	err = s.pool.QueryRow(ctx, `
		SELECT d.last_error, d.inbox, d.updated_at
		FROM deliveries d JOIN activities a ON a.id = d.activity_id
		WHERE a.translation_id = $1 AND d.state <> 'delivered' AND d.last_error <> ''
		ORDER BY d.updated_at DESC LIMIT 1`, translationID).Scan(&r.LastError, &r.LastInbox, &r.LastErrorAt)
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return nil, mapErr(op, err)
	}
	return r, nil
}

// FailedDeliveries returns the failed and skipped deliveries of a
// translation's activities, most recent first, at most limit of them.
func (s *Store) FailedDeliveries(ctx context.Context, translationID int64, limit int) ([]*Delivery, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT d.activity_id, d.inbox, d.state, d.attempts, coalesce(d.last_status, 0), d.last_error, d.updated_at
		FROM deliveries d JOIN activities a ON a.id = d.activity_id
		WHERE a.translation_id = $1 AND d.state IN ('failed', 'skipped')
		ORDER BY d.updated_at DESC, d.inbox LIMIT $2`, translationID, limit)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("failed deliveries of translation %d", translationID), err)
	}
	ds, err := pgx.CollectRows(rows, scanDelivery)
	return ds, mapErr(fmt.Sprintf("failed deliveries of translation %d", translationID), err)
}
