package store

import (
	"context"
	"errors"
	"io"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
)

// Unavailable reports whether err says that PostgreSQL could not be
// reached or went away (refused or lost connections, a server shutting
// down or starting up), rather than that it refused a statement: the same
// request may succeed once the database is back. Callers answer 503 with
// Retry-After for it.
func Unavailable(err error) bool {
	if err == nil {
		return false
	}
	var ce *pgconn.ConnectError
	if errors.As(err, &ce) {
		return true
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		// Class 08 is connection exceptions; 57P01-57P03 are the server
		// shutting down, crashing or not yet accepting connections.
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	return errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE) ||
		pgconn.SafeToRetry(err)
}

// QueueStat is what one River queue holds in one state.
type QueueStat struct {
	Queue string
	State string // available, scheduled, retryable or running
	Jobs  int64
	// OldestAvailable is how long the oldest available job has been due;
	// zero for other states.
	OldestAvailable time.Duration
}

// QueueStats counts the unfinished jobs of River's queues by queue and
// state, for metrics.
func (s *Store) QueueStats(ctx context.Context) ([]QueueStat, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT queue, state::text, count(*),
			CASE WHEN state = 'available' THEN extract(epoch FROM now() - min(scheduled_at)) ELSE 0 END
		FROM river_job
		WHERE state IN ('available', 'scheduled', 'retryable', 'running')
		GROUP BY queue, state`)
	if err != nil {
		return nil, mapErr("queue stats", err)
	}
	defer rows.Close()
	var out []QueueStat
	for rows.Next() {
		var q QueueStat
		var age float64
		if err := rows.Scan(&q.Queue, &q.State, &q.Jobs, &age); err != nil {
			return nil, mapErr("queue stats", err)
		}
		q.OldestAvailable = time.Duration(max(age, 0) * float64(time.Second))
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("queue stats", err)
	}
	return out, nil
}
