package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// UnavailableAfterDays is how many distinct days of failed deliveries make
// an instance unavailable, as in Mastodon's DeliveryFailureTracker
// (docs/federation.md#unavailable-instances).
const UnavailableAfterDays = 7

// Instance is a remote host's delivery health. Host is the authority of its
// inbox URLs, lower case, with the port when the URL has one.
type Instance struct {
	Host        string
	FailureDays []time.Time // distinct UTC days with a failed delivery since the last success
	Unavailable bool
	LastError   string
	LastSuccess time.Time
	UpdatedAt   time.Time
}

// Instance returns what is known of host's health.
func (s *Store) Instance(ctx context.Context, host string) (*Instance, error) {
	in := &Instance{Host: host}
	var last *time.Time
	err := s.pool.QueryRow(ctx, `
		SELECT failure_days, unavailable, last_error, last_success, updated_at
		FROM instances WHERE host = $1`, host).Scan(&in.FailureDays, &in.Unavailable, &in.LastError, &last, &in.UpdatedAt)
	if err != nil {
		return nil, mapErr("instance "+host, err)
	}
	in.LastSuccess = timeOrZero(last)
	return in, nil
}

// InstanceFailure records a failed delivery to host on the UTC day of at,
// and reports whether host is now unavailable: failures on
// UnavailableAfterDays distinct days since its last success make it so.
func (s *Store) InstanceFailure(ctx context.Context, host string, at time.Time, reason string) (unavailable bool, err error) {
	day := at.UTC().Format(time.DateOnly)
	err = s.pool.QueryRow(ctx, `
		INSERT INTO instances AS i (host, failure_days, unavailable, last_error, updated_at)
		VALUES ($1, ARRAY[$2::date], $5 <= 1, $3, $4)
		ON CONFLICT (host) DO UPDATE SET
			failure_days = CASE WHEN $2::date = ANY (i.failure_days) THEN i.failure_days
			                    ELSE i.failure_days || $2::date END,
			unavailable = i.unavailable OR cardinality(array_remove(i.failure_days, $2::date)) + 1 >= $5,
			last_error = EXCLUDED.last_error,
			updated_at = EXCLUDED.updated_at
		RETURNING unavailable`, host, day, reason, s.now(), UnavailableAfterDays).Scan(&unavailable)
	return unavailable, mapErr("instance failure of "+host, err)
}

// InstanceSuccess records a delivery that host acknowledged, or answered
// with a final refusal, which shows it alive: its failure days are forgotten
// and it is available again.
func (s *Store) InstanceSuccess(ctx context.Context, host string) error {
	_, err := s.pool.Exec(ctx, instanceSuccessQuery, host, s.now())
	return mapErr("instance success of "+host, err)
}

// instanceSuccessQuery writes nothing for a host in good health whose last
// success is under a minute old: a fan-out acknowledged by a thousand
// inboxes there would otherwise rewrite its row a thousand times,
// and nothing needs last_success closer than that.
const instanceSuccessQuery = `
	INSERT INTO instances (host, last_success, updated_at) VALUES ($1, $2, $2)
	ON CONFLICT (host) DO UPDATE SET failure_days = '{}', unavailable = false,
		last_error = '', last_success = $2, updated_at = $2
	WHERE instances.unavailable OR instances.failure_days <> '{}' OR instances.last_error <> ''
		OR instances.last_success IS NULL OR instances.last_success < $2 - interval '1 minute'`

// InstanceContact revives host when it contacts us (a signed request that
// verified), as Mastodon does on any inbound POST
// (docs/federation.md#unavailable-instances). It writes nothing for a host in
// good health, so it is cheap to call on every request.
func (s *Store) InstanceContact(ctx context.Context, host string) error {
	_, err := s.pool.Exec(ctx, instanceContactQuery, host, s.now())
	return mapErr("instance contact from "+host, err)
}

const instanceContactQuery = `
	UPDATE instances SET failure_days = '{}', unavailable = false, updated_at = $2
	WHERE host = $1 AND (unavailable OR failure_days <> '{}')`

// InstanceAvailable reports whether deliveries to host should be attempted.
// An unknown host is available.
func (s *Store) InstanceAvailable(ctx context.Context, host string) (bool, error) {
	var unavailable bool
	err := s.pool.QueryRow(ctx, instanceUnavailableQuery, host).Scan(&unavailable)
	return !unavailable, mapErr("instance availability of "+host, err)
}

const instanceUnavailableQuery = `SELECT EXISTS (SELECT 1 FROM instances WHERE host = $1 AND unavailable)`

// UnavailableHosts returns which of hosts are unavailable. q is a
// transaction or the pool.
func (s *Store) UnavailableHosts(ctx context.Context, q querier, hosts []string) ([]string, error) {
	if len(hosts) == 0 {
		return nil, nil
	}
	rows, err := q.Query(ctx, `SELECT host FROM instances WHERE unavailable AND host = ANY ($1)`, hosts)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("unavailable among %d hosts", len(hosts)), err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr(fmt.Sprintf("unavailable among %d hosts", len(hosts)), err)
}

// Signature schemes an instance is known to accept on the POSTs we send
// (docs/federation.md#rfc9421-signatures). An instance never recorded, or
// recorded with "", gets draft-cavage.
const (
	SignatureCavage  = "cavage"
	SignatureRFC9421 = "rfc9421"
)

// DeliveryHost is what a delivery needs to know of its inbox's host.
type DeliveryHost struct {
	Available bool   // not given up on (docs/federation.md#unavailable-instances)
	Signature string // the scheme it accepts: "", SignatureCavage or SignatureRFC9421
	// Stale is whether a delivery's success must be written to the
	// host's record (InstanceSuccess): it has none, or failures, or its
	// last success is over a minute old. Otherwise the caller tells
	// DeliverySucceeded to leave the record alone.
	Stale bool
}

// deliveryHostQuery is what DeliveryHost says of host $3, always one row
// (an unknown host is available), for DeliveryJob's statements; stale is
// whether instanceSuccessQuery would write the row at $4 (now).
const deliveryHostQuery = `
	SELECT coalesce(bool_or(unavailable), false) AS unavailable, coalesce(max(signature), '') AS signature,
	       coalesce(bool_or(unavailable OR failure_days <> '{}' OR last_error <> ''
	                        OR last_success IS NULL OR last_success < $4::timestamptz - interval '1 minute'), true) AS stale
	FROM instances WHERE host = $3`

// SetInstanceSignature records the signature scheme host accepted after
// refusing the other one, so that later deliveries use it at once. It
// writes nothing when that is already what is recorded.
func (s *Store) SetInstanceSignature(ctx context.Context, host, scheme string) error {
	if scheme != SignatureCavage && scheme != SignatureRFC9421 {
		return fmt.Errorf("store: signature scheme %q of %s", scheme, host)
	}
	_, err := s.pool.Exec(ctx, `
		INSERT INTO instances (host, signature, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (host) DO UPDATE SET signature = EXCLUDED.signature, updated_at = EXCLUDED.updated_at
		WHERE instances.signature <> EXCLUDED.signature`, host, scheme, s.now())
	return mapErr("signature scheme of "+host, err)
}

// InstanceSignature returns the signature scheme recorded for host, "" when
// none is.
func (s *Store) InstanceSignature(ctx context.Context, host string) (string, error) {
	var scheme string
	err := s.pool.QueryRow(ctx, `SELECT coalesce(max(signature), '') FROM instances WHERE host = $1`, host).Scan(&scheme)
	return scheme, mapErr("signature scheme of "+host, err)
}
