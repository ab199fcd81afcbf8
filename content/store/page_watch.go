package store

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"
)

// pageChannel is the channel on which the triggers of migrations 005 and
// 006 announce, at commit, that a page version has changed.
const pageChannel = "page_versions"

// PageWatch follows the changes of page versions without a query per
// request. It holds one connection that listens on the channel the version
// triggers notify at commit, and counts the notifications: a count that has
// not moved since a page's version was last read means that version is
// still the current one (web/page_cache.go). PostgreSQL delivers a
// notification only after its transaction commits, and in the order of
// commits.
//
// A notification reaches this process a moment after the commit. A change
// made by this process, and answered to a client, must show on that
// client's next request even so: whoever makes one calls Touch before
// answering (the root router does it for every request that may write).
//
// While the connection is down, and until it listens again, Current says
// so and readers go back to reading the version on every request.
type PageWatch struct {
	gen    atomic.Uint64
	live   atomic.Bool
	logger *slog.Logger
}

// WatchPages starts watching the page versions until ctx ends.
func (s *Store) WatchPages(ctx context.Context, logger *slog.Logger) *PageWatch {
	w := &PageWatch{logger: logger}
	go w.run(ctx, s)
	return w
}

// Current returns the count of changes seen, and whether the watch is
// listening: when it is not, the count means nothing.
func (w *PageWatch) Current() (gen uint64, live bool) {
	if w == nil {
		return 0, false
	}
	live = w.live.Load()
	return w.gen.Load(), live
}

// Touch counts a change this process has just committed, so that no page
// checked before it is served again without reading its version.
func (w *PageWatch) Touch() {
	if w != nil {
		w.gen.Add(1)
	}
}

// run listens, and listens again after any failure, a second later.
func (w *PageWatch) run(ctx context.Context, s *Store) {
	for ctx.Err() == nil {
		err := w.listen(ctx, s)
		w.live.Store(false)
		w.gen.Add(1)
		if ctx.Err() != nil {
			return
		}
		w.logger.Warn("page versions: listening again in a second", "err", err)
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Second):
		}
	}
}

// listen holds a connection of its own (outside the pool, which must not
// lose one for good) and counts notifications until it fails.
func (w *PageWatch) listen(ctx context.Context, s *Store) error {
	conn, err := pgx.ConnectConfig(ctx, s.pool.Config().ConnConfig.Copy())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	if _, err := conn.Exec(ctx, "LISTEN "+pageChannel); err != nil {
		return err
	}
	// Whatever changed before LISTEN was not announced to us.
	w.gen.Add(1)
	w.live.Store(true)
	for {
		if _, err := conn.WaitForNotification(ctx); err != nil {
			return err
		}
		w.gen.Add(1)
	}
}
