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
// which hears of the change through its own connection, when its
// listening goroutine gets to it: Sync waits, before the answer, until
// every listening process has said that it heard the change.
//
// While the connection is down, and until it listens again, Current says
// so and readers go back to reading the version on every request.
type PageWatch struct {
	gen    atomic.Uint64
	live   atomic.Bool
	logger *slog.Logger
	store  *Store

	id string // names this watch in its acknowledgements

	mu      sync.Mutex
	waiters map[string]*syncWait // by Sync's token, until every watch acknowledged it

	// hearDelay holds up the handling of each announcement, for a test
	// that plays a process slow to get to it.
	hearDelay time.Duration
}

// A sync is announced as syncPrefix and a token; every watch that hears it
// announces ackPrefix, the token, a space and its own id. Neither counts
// as a change (the triggers' payload is empty).
const (
	syncPrefix = "sync:"
	ackPrefix  = "ack:"
)

// watchName is the application_name a watch's connection takes once it
// listens, so that Sync can count the watches of the database in
// pg_stat_activity: unlike a connection's query, its application_name is
// shown to every role, so a process connecting as another role is counted
// too.
const watchName = "samizdat page watch"

// syncWait is one Sync waiting for acknowledgements.
type syncWait struct {
	need  int             // listening watches when it was announced; 0 until known
	acked map[string]bool // by watch id
	done  chan struct{}
}

// complete reports whether every watch counted has acknowledged.
func (sw *syncWait) complete() bool { return sw.need > 0 && len(sw.acked) >= sw.need }

// SyncTimeout bounds how long Sync waits for the acknowledgements.
const SyncTimeout = 2 * time.Second

// WatchPages starts watching the page versions until ctx ends.
func (s *Store) WatchPages(ctx context.Context, logger *slog.Logger) *PageWatch {
	w := &PageWatch{logger: logger, store: s, id: rand.Text()}
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
// and returns once every process listening on the database has heard of
// it: it announces a token, and each watch, this one included,
// acknowledges the token once it has handled every announcement before
// it. PostgreSQL delivers announcements in the order of commits, so by
// then each has counted the change, and a client answered after Sync
// finds the change on whichever process it asks next. How many watches
// listen is read from pg_stat_activity (by watchName) in the same
// statement as the announcement. Sync reports whether every one
// acknowledged within SyncTimeout; when this watch is not listening it
// returns false at once, and readers here read versions on every request
// anyway.
func (w *PageWatch) Sync(ctx context.Context) bool {
	if w == nil {
		return false
	}
	w.Touch()
	if !w.live.Load() {
		return false
	}
	token := rand.Text()
	sw := &syncWait{acked: map[string]bool{}, done: make(chan struct{})}
	w.mu.Lock()
	if w.waiters == nil {
		w.waiters = map[string]*syncWait{}
	}
	w.waiters[token] = sw
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.waiters, token)
		w.mu.Unlock()
	}()
	var need int
	err := w.store.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM pg_stat_activity
			WHERE datname = current_database() AND application_name = $3)
		FROM pg_notify($1, $2)`,
		pageChannel, syncPrefix+token, watchName).Scan(&need)
	if err != nil {
		w.logger.Warn("page versions: announcing a sync", "err", err)
		return false
	}
	w.mu.Lock()
	sw.need = max(need, 1) // this watch listens, whatever the view said
	if sw.complete() {
		close(sw.done)
	}
	w.mu.Unlock()
	t := time.NewTimer(SyncTimeout)
	defer t.Stop()
	select {
	case <-sw.done:
		return true
	case <-t.C:
		w.mu.Lock()
		acked := len(sw.acked)
		w.mu.Unlock()
		w.logger.Warn("page versions: a sync was not acknowledged in time", "timeout", SyncTimeout, "listening", need, "acknowledged", acked)
	case <-ctx.Done():
	}
	return false
}

// heard handles one announcement: a change is counted; a sync token is
// acknowledged, this watch having counted every change announced before
// it; an acknowledgement goes to its Sync, if it is this process's.
func (w *PageWatch) heard(payload string) {
	if w.hearDelay > 0 {
		time.Sleep(w.hearDelay)
	}
	switch {
	case strings.HasPrefix(payload, syncPrefix):
		go w.acknowledge(strings.TrimPrefix(payload, syncPrefix))
	case strings.HasPrefix(payload, ackPrefix):
		token, id, _ := strings.Cut(strings.TrimPrefix(payload, ackPrefix), " ")
		w.mu.Lock()
		if sw, ok := w.waiters[token]; ok && !sw.complete() {
			sw.acked[id] = true
			if sw.complete() {
				close(sw.done)
			}
		}
		w.mu.Unlock()
	default:
		w.gen.Add(1)
	}
}

// acknowledge announces that this watch heard token. It runs beside the
// listening loop, which must not wait for a round trip; a lost
// acknowledgement only makes its Sync wait out SyncTimeout.
func (w *PageWatch) acknowledge(token string) {
	ctx, cancel := context.WithTimeout(context.Background(), SyncTimeout)
	defer cancel()
	if _, err := w.store.pool.Exec(ctx, "SELECT pg_notify($1, $2)", pageChannel, ackPrefix+token+" "+w.id); err != nil {
		w.logger.Warn("page versions: acknowledging a sync", "err", err)
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
	// Named only now, so that Sync counts it only once it hears.
	if _, err := conn.Exec(ctx, "SET application_name = '"+watchName+"'"); err != nil {
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
