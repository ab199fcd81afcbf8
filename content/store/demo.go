package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// SetPublishedAt moves the publication time of a published or withdrawn
// translation, for content brought in from elsewhere: the demo publication,
// whose stories look as if they came out over the past weeks. It tells no
// change hook, so nothing goes out to the fediverse, and leaves updated_at
// alone: no one edited the text.
func (s *Store) SetPublishedAt(ctx context.Context, id int64, at time.Time) error {
	tag, err := s.pool.Exec(ctx, `
		UPDATE translations SET published_at = $2
		WHERE id = $1 AND state IN ('published', 'withdrawn')`, id, at)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr(fmt.Sprintf("set published_at of translation %d", id), err)
}

// demoLockKey is the advisory lock taken while the demo loads: an arbitrary
// constant, distinct from the template lock of storetest (72120501) and the
// River migration lock (72120502).
const demoLockKey = 72120510

// LockDemo waits until no other process is loading the demo publication and
// returns a function that lets the next one in. Two `samizdat demo` runs at
// once then load it once: the second finds it done.
func (s *Store) LockDemo(ctx context.Context) (unlock func(), err error) {
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil, mapErr("lock demo", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, demoLockKey); err != nil {
		conn.Release()
		return nil, mapErr("lock demo", err)
	}
	return func() {
		// A session lock ends with its session: if the unlock fails, drop
		// the connection rather than return it to the pool still locked.
		if _, err := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, demoLockKey); err != nil {
			conn.Conn().Close(context.WithoutCancel(ctx))
		}
		conn.Release()
	}, nil
}
