package federation

import (
	"context"
	"errors"
	"time"

	"github.com/riverqueue/river"
	"github.com/riverqueue/river/rivertype"

	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// The backfill runs as River jobs on the delivery queue's client: a
// periodic run, which River's leader inserts once per interval across every
// process sharing the database, and one retry job per replies collection
// that a run could not read, tried again after 1, 2, 4… minutes up to a
// limit instead of waiting hours for the next time the collection is due
// (docs/federation.md#backfill-retries).

const backfillQueue = "backfill"

// backfillJobTimeout bounds one run. River takes a running job for the
// work of a dead process only once its own timeout has passed as well as
// delivery.Config.RescueAfter, so a long run is never run twice at once;
// a run cut short loses nothing, since what it read is recorded.
const backfillJobTimeout = 4 * time.Minute

// backfillRetryFetches bounds the fetches of one retry: one collection, a
// few pages, the replies they list.
const backfillRetryFetches = 50

// backfillArgs is the periodic run.
type backfillArgs struct{}

// Kind names the job for River.
func (backfillArgs) Kind() string { return "samizdat.backfill" }

// backfillRetryArgs is a retry of one reply's replies collection.
type backfillRetryArgs struct {
	ReplyID    int64  `json:"reply_id"`
	StoryID    int64  `json:"story_id"`
	APID       string `json:"ap_id"`
	Collection string `json:"collection"` // "" when the reply itself must be read for it
}

// Kind names the job for River.
func (backfillRetryArgs) Kind() string { return "samizdat.backfill_retry" }

type backfillWorker struct {
	river.WorkerDefaults[backfillArgs]
	f *Federation
}

func (w *backfillWorker) Timeout(*river.Job[backfillArgs]) time.Duration { return backfillJobTimeout }

func (w *backfillWorker) Work(ctx context.Context, _ *river.Job[backfillArgs]) error {
	found, err := w.f.Backfill(ctx)
	if found > 0 {
		w.f.logger.Info("backfill found replies", "count", found)
	}
	if err != nil && ctx.Err() == nil {
		// The next run is the retry: a run has no state worth keeping.
		return river.JobCancel(err)
	}
	return nil
}

type backfillRetryWorker struct {
	river.WorkerDefaults[backfillRetryArgs]
	f *Federation
}

func (w *backfillRetryWorker) Timeout(*river.Job[backfillRetryArgs]) time.Duration {
	return backfillJobTimeout
}

// NextRetry doubles the delay at each attempt, from the first one: minutes,
// where the delivery queue's own schedule (Mastodon's) would reach hours.
func (w *backfillRetryWorker) NextRetry(job *river.Job[backfillRetryArgs]) time.Time {
	return time.Now().Add(w.f.bf.retryDelay(job.Attempt + 1))
}

func (w *backfillRetryWorker) Work(ctx context.Context, job *river.Job[backfillRetryArgs]) error {
	return w.f.backfillRetry(ctx, job.Args, job.Attempt, job.MaxAttempts)
}

// retryDelay is the delay before the nth retry of a collection (n ≥ 1).
func (l backfillLimits) retryDelay(n int) time.Duration {
	d := l.retry
	for i := 1; i < n && d < time.Hour; i++ {
		d *= 2
	}
	return min(d, time.Hour)
}

// backgroundWork is the backfill's share of the River client.
func (f *Federation) backgroundWork() delivery.Work {
	periodic := river.NewPeriodicJob(river.PeriodicInterval(f.bf.interval),
		func() (river.JobArgs, *river.InsertOpts) {
			return backfillArgs{}, &river.InsertOpts{Queue: backfillQueue, MaxAttempts: 1,
				UniqueOpts: river.UniqueOpts{ByPeriod: f.bf.interval}}
		}, &river.PeriodicJobOpts{ID: "samizdat.backfill"})
	return delivery.Work{
		Queue:      backfillQueue,
		MaxWorkers: 2,
		Register: func(ws *river.Workers) error {
			if err := river.AddWorkerSafely(ws, &backfillWorker{f: f}); err != nil {
				return err
			}
			return river.AddWorkerSafely(ws, &backfillRetryWorker{f: f})
		},
		Periodic: []*river.PeriodicJob{periodic},
	}
}

// scheduleBackfillRetry queues a retry of the collection of it, after the
// first delay. A retry of the same collection already waiting is kept
// instead.
func (f *Federation) scheduleBackfillRetry(ctx context.Context, it store.BackfillItem) error {
	if f.bf.retries <= 0 {
		return nil
	}
	args := backfillRetryArgs{ReplyID: it.ReplyID, StoryID: it.StoryID, APID: it.APID, Collection: it.RepliesIRI}
	return f.queue.Insert(ctx, nil, args, &river.InsertOpts{
		Queue:       backfillQueue,
		MaxAttempts: f.bf.retries,
		ScheduledAt: time.Now().Add(f.bf.retryDelay(1)),
		UniqueOpts: river.UniqueOpts{ByArgs: true, ByState: []rivertype.JobState{
			rivertype.JobStateAvailable, rivertype.JobStatePending, rivertype.JobStateRetryable, rivertype.JobStateRunning, rivertype.JobStateScheduled,
		}},
	})
}

// backfillRetry reads one collection again. A failure is logged as a
// warning with the address and returned, so that River tries again after
// the next delay; the last attempt says it gives up. A final answer (a 4xx,
// an address we refuse, a document we cannot use) will not change in
// minutes: the job ends at once.
func (f *Federation) backfillRetry(ctx context.Context, a backfillRetryArgs, attempt, maxAttempts int) error {
	ctx = withBudget(ctx, newFetchBudget(backfillRetryFetches, f.bf.pace))
	found, err := f.backfillReply(ctx, a.ReplyID, a.APID, a.Collection)
	if found > 0 {
		f.logger.Info("backfill retry found replies", "count", found, "url", firstNonEmpty(a.Collection, a.APID), "story_id", a.StoryID)
	}
	if err == nil || ctx.Err() != nil {
		return err
	}
	log := f.logger.With("url", firstNonEmpty(a.Collection, a.APID), "activity_id", a.APID, "story_id", a.StoryID, "attempt", attempt, "err", err)
	if !temporary(err) && !errors.Is(err, errRetryLater) {
		log.Warn("backfill: a replies collection cannot be read; not tried again before its next run")
		return river.JobCancel(err)
	}
	if attempt >= maxAttempts {
		log.Warn("backfill: a replies collection could not be read; given up until its next run")
	} else {
		log.Warn("backfill: a replies collection could not be read; will try again", "in", f.bf.retryDelay(attempt+1))
	}
	return err
}
