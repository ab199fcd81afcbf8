package delivery

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"

	"samizdat/content/store"
)

type tickArgs struct{}

func (tickArgs) Kind() string { return "test.tick" }

type tickWorker struct {
	river.WorkerDefaults[tickArgs]
	runs *atomic.Int32
}

func (w *tickWorker) Work(context.Context, *river.Job[tickArgs]) error {
	w.runs.Add(1)
	return nil
}

// TestAddWork_PeriodicOnceAcrossProcesses starts two Deliverers on one
// database, as two processes would be, each with the same periodic work
// added: River's elected leader alone inserts it, so each period has one
// job, run once, however many processes there are.
func TestAddWork_PeriodicOnceAcrossProcesses(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var runs atomic.Int32
	for range 2 {
		d := f.deliverer(t, false)
		err := d.AddWork(Work{
			Queue: "ticks",
			Register: func(ws *river.Workers) error {
				return river.AddWorkerSafely(ws, &tickWorker{runs: &runs})
			},
			Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Second),
				func() (river.JobArgs, *river.InsertOpts) {
					return tickArgs{}, &river.InsertOpts{Queue: "ticks", UniqueOpts: river.UniqueOpts{ByPeriod: time.Second}}
				}, &river.PeriodicJobOpts{ID: "test.tick"})},
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.Start(t.Context()); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			d.Stop(ctx) //nolint:errcheck
		})
	}
	deadline := time.Now().Add(30 * time.Second)
	for runs.Load() < 4 {
		if time.Now().After(deadline) {
			t.Fatalf("the periodic job ran %d times in 30 s", runs.Load())
		}
		time.Sleep(100 * time.Millisecond)
	}
	rows, err := f.pool.Query(t.Context(), `SELECT created_at, attempt FROM river_job WHERE kind = 'test.tick' ORDER BY created_at`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var last time.Time
	n := 0
	for rows.Next() {
		var at time.Time
		var attempt int
		if err := rows.Scan(&at, &attempt); err != nil {
			t.Fatal(err)
		}
		if attempt > 1 {
			t.Errorf("a tick took %d attempts", attempt)
		}
		if n > 0 && at.Sub(last) < 500*time.Millisecond {
			t.Errorf("two ticks inserted %s apart: both processes inserted the periodic job", at.Sub(last))
		}
		last = at
		n++
	}
	if n < 4 {
		t.Errorf("%d ticks inserted, want at least the 4 that ran", n)
	}
}

// TestInsertOnly_QueuesForTheWorkers is a web process beside a worker
// process: the insert-only Deliverer queues a delivery and a job of other
// work, runs neither, inserts no periodic job however long it lives, and
// the worker delivers and works them.
func TestInsertOnly_QueuesForTheWorkers(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	var runs, ticks atomic.Int32
	work := func(counter *atomic.Int32) Work {
		return Work{
			Queue: "ticks",
			Register: func(ws *river.Workers) error {
				return river.AddWorkerSafely(ws, &tickWorker{runs: counter})
			},
			Periodic: []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
				func() (river.JobArgs, *river.InsertOpts) {
					ticks.Add(1)
					return tickArgs{}, &river.InsertOpts{Queue: "ticks"}
				}, &river.PeriodicJobOpts{ID: "test.tick", RunOnStart: true})},
		}
	}
	web := f.deliverer(t, true, func(c *Config) { c.InsertOnly = true })
	if err := web.AddWork(work(&runs)); err != nil {
		t.Fatal(err)
	}
	in := newInbox(t, &testKey().PublicKey)
	f.enqueue(t, web, activity("https://samizdat.example/a/insert-only"), in.URL)
	if err := web.Insert(t.Context(), nil, tickArgs{}, &river.InsertOpts{Queue: "ticks"}); err != nil {
		t.Fatal(err)
	}
	// Alone, the web process neither delivers nor runs the periodic job.
	time.Sleep(500 * time.Millisecond)
	if n, _ := in.received("https://samizdat.example/a/insert-only"); n != 0 || runs.Load() != 0 || ticks.Load() != 0 {
		t.Fatalf("the insert-only process worked: %d deliveries, %d jobs run, %d periodic inserts", n, runs.Load(), ticks.Load())
	}

	worker := f.deliverer(t, false)
	if err := worker.AddWork(work(&runs)); err != nil {
		t.Fatal(err)
	}
	if err := worker.Start(t.Context()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		worker.Stop(ctx) //nolint:errcheck
	})
	ds := f.settle(t, "https://samizdat.example/a/insert-only", 20*time.Second)
	if d := ds[in.URL]; d == nil || d.State != store.DeliveryDelivered {
		t.Errorf("delivery = %+v, want delivered", d)
	}
	deadline := time.Now().Add(20 * time.Second)
	for runs.Load() < 2 { // the web process's job and the worker's periodic one
		if time.Now().After(deadline) {
			t.Fatalf("%d jobs ran, want 2", runs.Load())
		}
		time.Sleep(50 * time.Millisecond)
	}
	if n, _ := in.received("https://samizdat.example/a/insert-only"); n != 1 {
		t.Errorf("the inbox got the activity %d times, want 1", n)
	}
}
