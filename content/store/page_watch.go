package store

import (
	"context"
	"crypto/rand"
	"log/slog"
	"strings"
	"sync"
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
// That next request may go to another process behind the same address,
// which hears of the change through its own connection: Sync waits, before
// the answer, until the announcement has reached this process, and
// PostgreSQL sends it to every listener at the same moment.
//
// While the connection is down, and until it listens again, Current says
// so and readers go back to reading the version on every request.
type PageWatch struct {
	gen    atomic.Uint64
	live   atomic.Bool
	logger *slog.Logger
	store  *Store

	mu      sync.Mutex
	waiters map[string]chan struct{} // Sync's tokens not heard yet
}

// syncPrefix starts the payload of Sync's own announcements, which say
// nothing changed and are not counted; the triggers' payload is empty.
const syncPrefix = "sync:"

// SyncTimeout bounds how long Sync waits for its announcement.
const SyncTimeout = 2 * time.Second

// WatchPages starts watching the page versions until ctx ends.
func (s *Store) WatchPages(ctx context.Context, logger *slog.Logger) *PageWatch {
	w := &PageWatch{logger: logger, store: s}
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

// Sync counts a change this process has just committed, as Touch does,
// and returns once this process's listening connection has received an
// announcement sent after that commit. PostgreSQL delivers announcements
// in the order of commits, to every listening connection at once, so by
// then every other process has been sent the change's announcement too,
// and a client answered after Sync finds the change on whichever process
// it asks next. It reports whether it heard its announcement within
// SyncTimeout; when the watch is not listening it returns false at once,
// and readers read versions on every request anyway.
func (w *PageWatch) Sync(ctx context.Context) bool {
	if w == nil {
		return false
	}
	w.Touch()
	if !w.live.Load() {
		return false
	}
	token := syncPrefix + rand.Text()
	heard := make(chan struct{})
	w.mu.Lock()
	if w.waiters == nil {
		w.waiters = map[string]chan struct{}{}
	}
	w.waiters[token] = heard
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.waiters, token)
		w.mu.Unlock()
	}()
	if _, err := w.store.pool.Exec(ctx, "SELECT pg_notify($1, $2)", pageChannel, token); err != nil {
		w.logger.Warn("page versions: announcing a sync", "err", err)
		return false
	}
	t := time.NewTimer(SyncTimeout)
	defer t.Stop()
	select {
	case <-heard:
		return true
	case <-t.C:
		w.logger.Warn("page versions: a sync was not heard in time", "timeout", SyncTimeout)
	case <-ctx.Done():
	}
	return false
}

// heard handles one announcement: a change is counted; a sync token wakes
// its waiter, if it is this process's.
func (w *PageWatch) heard(payload string) {
	if !strings.HasPrefix(payload, syncPrefix) {
		w.gen.Add(1)
		return
	}
	w.mu.Lock()
	if ch, ok := w.waiters[payload]; ok {
		close(ch)
		delete(w.waiters, payload)
	}
	w.mu.Unlock()
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
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		w.heard(n.Payload)
	}
}
