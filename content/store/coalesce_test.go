package store_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// holdSender keeps the coalescer's one sender busy with a caller whose
// statement sleeps, so that the callers queued meanwhile go out together
// once it is done. It returns a function that waits for the sleeper.
func holdSender(t *testing.T, s *store.Store) (wait func()) {
	t.Helper()
	_, before := s.CoalesceState()
	done := make(chan error, 1)
	go func() {
		done <- s.CoalesceReads(context.Background(), func(b *pgx.Batch) { b.Queue(`SELECT pg_sleep(0.5)`) })
	}()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if pending, batches := s.CoalesceState(); pending == 0 && batches > before {
			break // the sleeper is in flight
		}
		if time.Now().After(deadline) {
			t.Fatal("the sleeper was never sent")
		}
	}
	return func() {
		if err := <-done; err != nil {
			t.Errorf("sleeper: %v", err)
		}
	}
}

// waitPending waits until n callers wait to be sent.
func waitPending(t *testing.T, s *store.Store, n int) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(time.Millisecond) {
		if pending, _ := s.CoalesceState(); pending == n {
			return
		}
		if time.Now().After(deadline) {
			pending, _ := s.CoalesceState()
			t.Fatalf("%d callers pending, want %d", pending, n)
		}
	}
}

// TestCoalescer_Together: callers that arrive while a batch is in flight
// are sent in one batch, and each reads its own answers.
func TestCoalescer_Together(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	wait := holdSender(t, s)
	const n = 20
	got := make([]int, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = s.CoalesceReads(t.Context(), func(b *pgx.Batch) {
				got[i] = 0
				b.Queue(`SELECT $1::int * 10`, i).QueryRow(func(row pgx.Row) error { return row.Scan(&got[i]) })
			})
		})
	}
	waitPending(t, s, n)
	_, before := s.CoalesceState()
	wait()
	wg.Wait()
	for i := range n {
		if errs[i] != nil || got[i] != i*10 {
			t.Errorf("caller %d: %d, %v; want %d", i, got[i], errs[i], i*10)
		}
	}
	if _, after := s.CoalesceState(); after-before != 1 {
		t.Errorf("%d callers went out in %d batches, want 1", n, after-before)
	}
}

// TestCoalescer_ErrorsStayOwn: when one caller's statement fails, the
// batch is rolled back and each caller is sent again alone: the others
// succeed, their writes land once, and only the failing caller sees the
// error.
func TestCoalescer_ErrorsStayOwn(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	if _, err := s.Pool().Exec(ctx, `CREATE TABLE coalesced (n int PRIMARY KEY)`); err != nil {
		t.Fatal(err)
	}
	wait := holdSender(t, s)
	insert := func(n int) func(b *pgx.Batch) {
		return func(b *pgx.Batch) { b.Queue(`INSERT INTO coalesced VALUES ($1)`, n) }
	}
	var missing int
	queues := []func(b *pgx.Batch){
		insert(1),
		func(b *pgx.Batch) { b.Queue(`SELECT 1 / (SELECT count(*) - count(*) FROM coalesced)`) }, // division by zero
		insert(3),
		func(b *pgx.Batch) { // sent again alone too, and still its own pgx.ErrNoRows
			b.Queue(`SELECT n FROM coalesced WHERE n = 4`).QueryRow(func(row pgx.Row) error { return row.Scan(&missing) })
		},
	}
	errs := make([]error, len(queues))
	var wg sync.WaitGroup
	for i, q := range queues {
		wg.Go(func() { errs[i] = s.CoalesceReads(ctx, q) })
		waitPending(t, s, i+1) // in this order in the batch
	}
	wait()
	wg.Wait()
	var pgErr *pgconn.PgError
	if errs[0] != nil || errs[2] != nil || !errors.As(errs[1], &pgErr) || pgErr.Code != "22012" || !errors.Is(errs[3], pgx.ErrNoRows) {
		t.Fatalf("errors = %v; want division by zero for the second, no rows for the fourth, none for the others", errs)
	}
	var rows []int
	r, err := s.Pool().Query(ctx, `SELECT n FROM coalesced ORDER BY n`)
	if err == nil {
		rows, err = pgx.CollectRows(r, pgx.RowTo[int])
	}
	if err != nil || len(rows) != 2 || rows[0] != 1 || rows[1] != 3 {
		t.Errorf("rows = %v, %v; want [1 3]", rows, err)
	}
}

// TestCoalescer_CallbackErrorsStayOwn: an error that a caller's callback
// returns, such as pgx.ErrNoRows for a row that is gone, is that caller's
// alone: PostgreSQL ran the batch without fault, and the callers after it
// still read their answers.
func TestCoalescer_CallbackErrorsStayOwn(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	wait := holdSender(t, s)
	got := make([]int, 3)
	queues := []func(b *pgx.Batch){
		func(b *pgx.Batch) {
			b.Queue(`SELECT 10`).QueryRow(func(row pgx.Row) error { return row.Scan(&got[0]) })
		},
		func(b *pgx.Batch) {
			b.Queue(`SELECT 20 WHERE false`).QueryRow(func(row pgx.Row) error { return row.Scan(&got[1]) })
			b.Queue(`SELECT 21`).QueryRow(func(row pgx.Row) error { return row.Scan(&got[1]) })
		},
		func(b *pgx.Batch) {
			b.Queue(`SELECT 30`).QueryRow(func(row pgx.Row) error { return row.Scan(&got[2]) })
		},
	}
	errs := make([]error, len(queues))
	var wg sync.WaitGroup
	for i, q := range queues {
		wg.Go(func() { errs[i] = s.CoalesceReads(ctx, q) })
		waitPending(t, s, i+1) // in this order in the batch
	}
	_, before := s.CoalesceState()
	wait()
	wg.Wait()
	if errs[0] != nil || got[0] != 10 || errs[2] != nil || got[2] != 30 {
		t.Errorf("the others: %d, %v and %d, %v; want 10 and 30 without error", got[0], errs[0], got[2], errs[2])
	}
	if !errors.Is(errs[1], pgx.ErrNoRows) {
		t.Errorf("the caller whose row was missing: %v, want pgx.ErrNoRows", errs[1])
	}
	if _, after := s.CoalesceState(); after-before != 1 {
		t.Errorf("%d batches, want 1: a callback's error is no reason to send again", after-before)
	}
}

// TestCoalescer_Cancelled: a caller that gives up while it waits returns
// its context's error at once, and its statements are never sent.
func TestCoalescer_Cancelled(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	if _, err := s.Pool().Exec(t.Context(), `CREATE TABLE coalesced (n int)`); err != nil {
		t.Fatal(err)
	}
	wait := holdSender(t, s)
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() {
		done <- s.CoalesceReads(ctx, func(b *pgx.Batch) { b.Queue(`INSERT INTO coalesced VALUES (1)`) })
	}()
	waitPending(t, s, 1)
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("cancelled caller: %v, want context.Canceled", err)
		}
	case <-time.After(time.Second):
		t.Fatal("the cancelled caller still waits for the batch")
	}
	wait()
	waitPending(t, s, 0)
	var n int
	if err := s.Pool().QueryRow(t.Context(), `SELECT count(*) FROM coalesced`).Scan(&n); err != nil || n != 0 {
		t.Errorf("%d rows, %v; the cancelled caller's insert was sent", n, err)
	}
}

// TestCoalescer_Panic: a callback that panics fails its batch with an
// error, not the process, and the connection goes back to the pool.
func TestCoalescer_Panic(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	err := s.CoalesceReads(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT 1`).QueryRow(func(pgx.Row) error { panic("callback bug") })
	})
	if err == nil || !strings.Contains(err.Error(), "callback bug") {
		t.Fatalf("err = %v, want the panic as an error", err)
	}
	var one int
	err = s.CoalesceReads(ctx, func(b *pgx.Batch) {
		b.Queue(`SELECT 1`).QueryRow(func(row pgx.Row) error { return row.Scan(&one) })
	})
	if err != nil || one != 1 {
		t.Errorf("after the panic: %d, %v", one, err)
	}
	if n := s.Pool().Stat().AcquiredConns(); n != 0 {
		t.Errorf("%d connections still acquired", n)
	}
}
