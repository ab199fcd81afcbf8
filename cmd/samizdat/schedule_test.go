package main

import (
	"context"
	"crypto/rsa"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/federation/delivery"
)

// TestScheduleWork_OnceAcrossProcesses runs scheduled publishing on two
// River clients sharing a database, as two server processes would, every
// second, and checks that the passes were inserted once per interval in
// all, not once per process, and that they ran.
func TestScheduleWork_OnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	url := storetest.NewURL(t)
	logger := slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelWarn}))
	var pool *pgxpool.Pool
	for range 2 {
		p, err := pgxpool.New(t.Context(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(p.Close)
		pool = p
		st := store.New(p)
		q, err := delivery.New(p, st, delivery.Config{
			Keys: func(context.Context, string) (string, *rsa.PrivateKey, error) {
				return "", nil, context.Canceled
			},
			Client: http.DefaultClient,
			Logger: logger,
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := q.AddWork(scheduleWork(st, logger, time.Second)); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		if err := q.Start(ctx); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			sctx, scancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer scancel()
			q.Stop(sctx) //nolint:errcheck
			cancel()
		})
	}

	var created []time.Time
	deadline := time.Now().Add(30 * time.Second)
	for len(created) < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("%d passes completed in 30 s, want 4", len(created))
		}
		time.Sleep(200 * time.Millisecond)
		rows, err := pool.Query(t.Context(), `SELECT created_at FROM river_job
			WHERE kind = 'samizdat.publish_scheduled' AND state = 'completed' ORDER BY created_at`)
		if err != nil {
			t.Fatal(err)
		}
		created = created[:0]
		for rows.Next() {
			var at time.Time
			if err := rows.Scan(&at); err != nil {
				t.Fatal(err)
			}
			created = append(created, at)
		}
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
	}
	// Two inserting processes would each insert at their own phase, and
	// give passes closer together than half the interval.
	for i := 1; i < len(created); i++ {
		if gap := created[i].Sub(created[i-1]); gap < 500*time.Millisecond {
			t.Errorf("passes %d and %d were inserted %s apart, want one a second: %v", i, i+1, gap, created)
		}
	}
}
