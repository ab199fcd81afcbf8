package delivery

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/riverqueue/river"
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
