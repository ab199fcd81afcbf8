package main

import (
	"context"
	"log/slog"
	"time"

	"github.com/riverqueue/river"

	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// Submissions and volunteer offers are deleted once older than the
// retention period set in the desk, by an hourly River periodic job that
// runs once across every process sharing the database.

const (
	retentionQueue    = "retention"
	retentionInterval = time.Hour
)

// retentionArgs is one pass over what has outlived the retention period.
type retentionArgs struct{}

// Kind names the job for River.
func (retentionArgs) Kind() string { return "samizdat.intake_retention" }

type retentionWorker struct {
	river.WorkerDefaults[retentionArgs]
	st     *store.Store
	logger *slog.Logger
}

func (w *retentionWorker) Work(ctx context.Context, _ *river.Job[retentionArgs]) error {
	subs, vols, err := w.st.DeleteExpiredIntake(ctx)
	if subs+vols > 0 {
		w.logger.Info("deleted submissions and offers past the retention period", "submissions", subs, "volunteers", vols)
	}
	if err != nil && ctx.Err() == nil {
		return river.JobCancel(err) // the next pass is the retry
	}
	return nil
}

// retentionWork is the retention pass as work for the one River client.
func retentionWork(st *store.Store, logger *slog.Logger) delivery.Work {
	return delivery.Work{
		Queue:      retentionQueue,
		MaxWorkers: 1,
		Register: func(ws *river.Workers) error {
			return river.AddWorkerSafely(ws, &retentionWorker{st: st, logger: logger})
		},
		Periodic: []*river.PeriodicJob{river.NewPeriodicJob(
			river.PeriodicInterval(retentionInterval),
			func() (river.JobArgs, *river.InsertOpts) {
				return retentionArgs{}, &river.InsertOpts{Queue: retentionQueue, MaxAttempts: 1}
			},
			&river.PeriodicJobOpts{ID: "intake_retention", RunOnStart: true},
		)},
	}
}
