package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
)

// A reply reaching the inbox costs three round trips to PostgreSQL, and on two
// cores a round trip costs the server and PostgreSQL more CPU (system calls,
// waking each other) than the statements it carries (see docs/benchmarks.md).
// When replies arrive together, a coalescer sends the statements of every
// caller waiting at that moment in one pgx.Batch: one round trip, and one
// commit, for all of them. A caller alone is sent at once, alone: nothing waits
// for company.
//
// A batch is one implicit transaction. When a statement fails, PostgreSQL
// rolls the whole batch back, and each caller's statements are then sent
// again on their own, so that one caller's error is never another's. An
// error that a caller's callback returns of its own, such as pgx.ErrNoRows
// for a row that is gone, is that caller's alone: PostgreSQL ran the batch
// without fault, and the callers after it still read their answers.

// coalescer sends the statements of concurrent callers together.
type coalescer struct {
	pool    *pgxpool.Pool
	senders int // batches in flight at most
	max     int // callers in one batch at most

	mu      sync.Mutex
	pending []*coalesced
	running int
	batches int // sent so far, for tests
}

// coalesced is one caller's share of a batch.
type coalesced struct {
	ctx   context.Context
	queue func(b *pgx.Batch) // queues the caller's statements, resetting what their callbacks fill
	done  chan error
	err   error // the first error of the caller's own callbacks in the batch being sent
}

// coalesceTimeout bounds a batch, which runs for several callers and so
// under none of their contexts.
const coalesceTimeout = time.Minute

// newCoalescer returns a coalescer with one batch in flight at a time:
// measured on two cores with 32 clients, one sender for the reads and one
// for the writes gathered six or seven callers a batch and cost PostgreSQL
// the least; with two or three, batches were smaller and no faster.
func newCoalescer(pool *pgxpool.Pool) *coalescer {
	return &coalescer{pool: pool, senders: 1, max: 32}
}

// do queues the caller's statements through queue, sends them, alone or
// with other callers', and returns once their callbacks have run. queue
// may be called more than once (see above), so it must start its results
// afresh each time.
func (c *coalescer) do(ctx context.Context, queue func(b *pgx.Batch)) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	req := &coalesced{ctx: ctx, queue: queue, done: make(chan error, 1)}
	c.mu.Lock()
	c.pending = append(c.pending, req)
	if c.running < c.senders {
		c.running++
		go c.drain()
	}
	c.mu.Unlock()
	select {
	case err := <-req.done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// drain sends what is pending until nothing is, then returns.
func (c *coalescer) drain() {
	for {
		c.mu.Lock()
		if len(c.pending) == 0 {
			c.running--
			c.mu.Unlock()
			return
		}
		n := min(len(c.pending), c.max)
		reqs := make([]*coalesced, n)
		copy(reqs, c.pending)
		c.pending = append(c.pending[:0], c.pending[n:]...)
		c.mu.Unlock()
		c.send(reqs)
	}
}

// send sends reqs in one batch, or each on its own when the batch failed
// in PostgreSQL and was rolled back.
func (c *coalescer) send(reqs []*coalesced) {
	live := reqs[:0]
	for _, r := range reqs {
		if err := r.ctx.Err(); err != nil {
			r.done <- err // gone already: nothing of it is sent
			continue
		}
		live = append(live, r)
	}
	if len(live) == 0 {
		return
	}
	err := c.sendBatch(live)
	var pgErr *pgconn.PgError
	if err != nil && len(live) > 1 && errors.As(err, &pgErr) {
		for _, r := range live {
			err := c.sendBatch([]*coalesced{r}) // before r.err is read: it sets r.err
			r.done <- cmp.Or(err, r.err)
		}
		return
	}
	for _, r := range live {
		r.done <- cmp.Or(err, r.err)
	}
}

// own wraps the callback of qq, one of r's statements, so that an error it
// returns of its own is kept as r's instead of ending the batch for every
// caller; once r has one, its later answers are read and dropped, as they
// would be were r sent alone. An error of PostgreSQL's still ends the batch
// (see send).
func (r *coalesced) own(qq *pgx.QueuedQuery) {
	fn := qq.Fn
	if fn == nil {
		return // pgx reads the answer itself, and ends the batch on an error
	}
	qq.Fn = func(br pgx.BatchResults) error {
		if r.err != nil {
			_, err := br.Exec()
			return err
		}
		err := fn(br)
		var pgErr *pgconn.PgError
		if err == nil || errors.As(err, &pgErr) {
			return err
		}
		r.err = err
		return nil
	}
}

func (c *coalescer) sendBatch(reqs []*coalesced) (err error) {
	c.mu.Lock()
	c.batches++
	c.mu.Unlock()
	// The callbacks run here, out of their callers' goroutines: a panic
	// in one must not take the server down, as a panic in a request does
	// not, nor keep the connection from going back to the pool.
	var br pgx.BatchResults
	defer func() {
		if p := recover(); p != nil {
			if br != nil {
				br.Close()
			}
			err = fmt.Errorf("store: panic in a coalesced batch: %v", p)
		}
	}()
	ctx, cancel := context.WithTimeout(context.Background(), coalesceTimeout)
	defer cancel()
	b := &pgx.Batch{}
	for _, r := range reqs {
		r.err = nil
		from := len(b.QueuedQueries)
		r.queue(b)
		for _, qq := range b.QueuedQueries[from:] {
			r.own(qq)
		}
	}
	br = c.pool.SendBatch(ctx, b)
	return br.Close()
}
