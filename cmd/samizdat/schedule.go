package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// Scheduled publishing is a River periodic job: River's leader inserts it
// once per interval across every process sharing the database, so two
// servers never publish the same translation at once. The schedule lives in
// the database, so a restart loses nothing: the job runs at start too and
// catches up.

const (
	scheduleQueue    = "schedule"
	scheduleInterval = 15 * time.Second
	// scheduleTimeout bounds one run; River takes a run for a dead
	// process's only once this has passed.
	scheduleTimeout = time.Minute
)

// publishArgs is one pass over the translations that are due.
type publishArgs struct{}

// Kind names the job for River.
func (publishArgs) Kind() string { return "samizdat.publish_scheduled" }

type publishWorker struct {
	river.WorkerDefaults[publishArgs]
	st     *store.Store
	logger *slog.Logger
}

func (w *publishWorker) Timeout(*river.Job[publishArgs]) time.Duration { return scheduleTimeout }

func (w *publishWorker) Work(ctx context.Context, _ *river.Job[publishArgs]) error {
	n, err := w.st.PublishDue(ctx)
	if n > 0 {
		w.logger.Info("published scheduled translations", "count", n)
	}
	if err != nil && ctx.Err() == nil {
		// The next pass is the retry; this one keeps nothing worth trying again.
		return river.JobCancel(err)
	}
	return nil
}

// scheduleWork is scheduled publishing as work for the delivery queue's
// River client.
func scheduleWork(st *store.Store, logger *slog.Logger, every time.Duration) delivery.Work {
	return delivery.Work{
		Queue:      scheduleQueue,
		MaxWorkers: 1,
		Register: func(ws *river.Workers) error {
			return river.AddWorkerSafely(ws, &publishWorker{st: st, logger: logger})
		},
		Periodic: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(every),
			func() (river.JobArgs, *river.InsertOpts) {
				return publishArgs{}, &river.InsertOpts{Queue: scheduleQueue, MaxAttempts: 1}
			},
			&river.PeriodicJobOpts{ID: "publish_scheduled", RunOnStart: true},
		)},
	}
}
