// Package store keeps Samizdat's data in PostgreSQL. Every SQL statement of
// the program lives in this package.
package store

import (
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content"
)

// Store is the PostgreSQL store.
type Store struct {
	pool *pgxpool.Pool
	// The inbox's reads and its writes, each sent together with other
	// callers' (coalesce.go). They are kept apart so that the reads do not
	// wait for the commit of new replies. (The reads' batch holds one
	// write, InboxSender's revival of an instance, which rarely finds a
	// row to change.)
	reads, writes *coalescer
	now           func() time.Time
	hooks         []ChangeHook
}

// New returns a store over pool.
func New(pool *pgxpool.Pool) *Store {
	return &Store{pool: pool, reads: newCoalescer(pool), writes: newCoalescer(pool), now: time.Now}
}

// WithClock returns a copy of the store that reads the time from now, for tests.
func (s *Store) WithClock(now func() time.Time) *Store {
	c := *s
	c.now = now
	return &c
}

// Pool returns the connection pool, for components that keep their own tables
// through a library (sessions, the job queue).
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Now is the store's clock.
func (s *Store) Now() time.Time { return s.now() }

// mapErr turns pgx's errors into content's kinds, keeping the original wrapped.
func mapErr(op string, err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("store: %s: %w", op, content.ErrNotFound)
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) && pgErr.Code == "23505" {
		// Keep the database's error too, so callers can tell constraints apart.
		return fmt.Errorf("store: %s: %w: %w", op, content.ErrConflict, err)
	}
	return fmt.Errorf("store: %s: %w", op, err)
}

// isUnique reports whether err is a unique violation of the named constraint.
func isUnique(err error, constraint string) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == "23505" && pgErr.ConstraintName == constraint
}

// nullTime maps the zero time to SQL NULL.
func nullTime(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	return &t
}

// timeOrZero maps SQL NULL to the zero time.
func timeOrZero(t *time.Time) time.Time {
	if t == nil {
		return time.Time{}
	}
	return *t
}
