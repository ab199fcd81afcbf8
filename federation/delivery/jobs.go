package delivery

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
)

// The program runs one River client, this one: River elects one leader
// per database among the clients of a schema, and only the leader's
// periodic jobs are inserted, so a second client in the same process could
// win the election and leave the first one's periodic work undone. Other
// background work therefore joins this client, on queues of its own.

// Work is background work other than deliveries that runs on the
// Deliverer's River client: its queue, how many of its jobs run at once in
// one process, the workers it registers and its periodic jobs, which River
// inserts once across every process sharing the database.
type Work struct {
	Queue      string
	MaxWorkers int
	Register   func(*river.Workers) error
	Periodic   []*river.PeriodicJob
}

// AddWork registers w on the River client. Call it before Start.
func (d *Deliverer) AddWork(w Work) error {
	if w.Queue == "" || w.Queue == queue || w.Register == nil {
		return errors.New("delivery: AddWork needs a queue of its own and workers")
	}
	if w.MaxWorkers <= 0 {
		w.MaxWorkers = 1
	}
	if err := w.Register(d.workers); err != nil {
		return fmt.Errorf("delivery: add work %s: %w", w.Queue, err)
	}
	if d.cfg.InsertOnly {
		// The workers are known, so that their jobs can be inserted; the
		// queues and periodic jobs belong to the processes that work.
		return nil
	}
	if err := d.river.Queues().Add(w.Queue, river.QueueConfig{MaxWorkers: w.MaxWorkers}); err != nil {
		return fmt.Errorf("delivery: add queue %s: %w", w.Queue, err)
	}
	if len(w.Periodic) > 0 {
		if _, err := d.river.PeriodicJobs().AddManySafely(w.Periodic); err != nil {
			return fmt.Errorf("delivery: periodic jobs of %s: %w", w.Queue, err)
		}
	}
	return nil
}

// Insert queues a job of work added with AddWork, in tx when tx is not nil.
// A job whose unique options match one already waiting is not inserted
// again, which is not an error.
func (d *Deliverer) Insert(ctx context.Context, tx pgx.Tx, args river.JobArgs, opts *river.InsertOpts) error {
	var err error
	if tx != nil {
		_, err = d.river.InsertTx(ctx, tx, args, opts)
	} else {
		_, err = d.river.Insert(ctx, args, opts)
	}
	if err != nil {
		return fmt.Errorf("delivery: insert %s job: %w", args.Kind(), err)
	}
	return nil
}
