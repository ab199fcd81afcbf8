package mail

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/riverqueue/river"
	"github.com/riverqueue/river/riverdriver/riverpgxv5"

	"samizdat/content"
)

// Queue is the River queue of mails.
const Queue = "mail"

// fanoutArgs asks for an issue to be queued to each of its subscribers.
type fanoutArgs struct {
	IssueID int64 `json:"issue_id"`
}

func (fanoutArgs) Kind() string { return "newsletter_fanout" }

func (fanoutArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// sendArgs asks for an issue to be mailed to one subscriber.
type sendArgs struct {
	IssueID      int64 `json:"issue_id"`
	SubscriberID int64 `json:"subscriber_id"`
}

func (sendArgs) Kind() string { return "newsletter_send" }

func (sendArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// cleanArgs asks for expired subscription requests to be deleted.
type cleanArgs struct{}

func (cleanArgs) Kind() string { return "newsletter_clean" }

func (cleanArgs) InsertOpts() river.InsertOpts { return river.InsertOpts{Queue: Queue} }

// AddWorkers registers the newsletter's workers on a River client's workers.
func (n *Newsletter) AddWorkers(w *river.Workers) error {
	return errors.Join(
		river.AddWorkerSafely(w, &fanoutWorker{n: n}),
		river.AddWorkerSafely(w, &sendWorker{n: n}),
		river.AddWorkerSafely(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[summaryArgs]) error {
			count, err := n.SendSummaries(ctx)
			if count > 0 {
				n.log.Info("staff summaries sent", "count", count)
			}
			if err != nil {
				return river.JobCancel(err) // the next pass tries again
			}
			return nil
		})),
		river.AddWorkerSafely(w, river.WorkFunc(func(ctx context.Context, _ *river.Job[cleanArgs]) error {
			count, err := n.st.DeleteUnconfirmed(ctx)
			if count > 0 {
				n.log.Info("deleted expired subscription requests", "count", count)
			}
			return err
		})),
	)
}

// PeriodicJobs returns the hourly deletion of expired requests and the
// look for staff summaries due.
func (n *Newsletter) PeriodicJobs() []*river.PeriodicJob {
	return []*river.PeriodicJob{river.NewPeriodicJob(river.PeriodicInterval(time.Hour),
		func() (river.JobArgs, *river.InsertOpts) { return cleanArgs{}, nil },
		&river.PeriodicJobOpts{RunOnStart: true, ID: "newsletter_clean"}),
		river.NewPeriodicJob(river.PeriodicInterval(summaryCheck),
			func() (river.JobArgs, *river.InsertOpts) { return summaryArgs{}, nil },
			&river.PeriodicJobOpts{ID: "staff_summary"}),
	}
}

type fanoutWorker struct {
	river.WorkerDefaults[fanoutArgs]
	n *Newsletter
}

// Work records a send per subscriber and queues its job, and completes
// itself in the same transaction: run again after a crash, it finds the
// sends recorded and queues nothing twice.
func (w *fanoutWorker) Work(ctx context.Context, job *river.Job[fanoutArgs]) error {
	rc := river.ClientFromContext[pgx.Tx](ctx)
	return pgx.BeginFunc(ctx, w.n.st.Pool(), func(tx pgx.Tx) error {
		ids, err := w.n.st.QueueNewsletterSends(ctx, tx, job.Args.IssueID)
		if err != nil {
			return err
		}
		if len(ids) > 0 {
			params := make([]river.InsertManyParams, len(ids))
			for i, id := range ids {
				params[i] = river.InsertManyParams{Args: sendArgs{IssueID: job.Args.IssueID, SubscriberID: id}}
			}
			if _, err := rc.InsertManyTx(ctx, tx, params); err != nil {
				return fmt.Errorf("mail: queue sends of issue %d: %w", job.Args.IssueID, err)
			}
		}
		_, err = river.JobCompleteTx[*riverpgxv5.Driver](ctx, tx, job)
		return err
	})
}

type sendWorker struct {
	river.WorkerDefaults[sendArgs]
	n *Newsletter
}

// Work mails one issue to one subscriber, unless that was done already or
// the subscriber left. A temporary failure returns an error, which River
// retries; a permanent one, or the last attempt, is counted as failed.
func (w *sendWorker) Work(ctx context.Context, job *river.Job[sendArgs]) error {
	n, a := w.n, job.Args
	done, err := n.st.NewsletterSendDone(ctx, a.IssueID, a.SubscriberID)
	if err != nil || done {
		return err
	}
	m, err := n.issueMessage(ctx, a.IssueID, a.SubscriberID)
	if errors.Is(err, content.ErrNotFound) {
		return nil // the subscriber left, or the issue was deleted
	}
	if errors.Is(err, errNothingToSend) {
		return n.st.MarkNewsletterSend(ctx, a.IssueID, a.SubscriberID, err.Error())
	}
	if err != nil {
		return err
	}
	err = n.cfg.Sender.Send(ctx, m)
	switch {
	case err == nil:
		return n.st.MarkNewsletterSend(context.WithoutCancel(ctx), a.IssueID, a.SubscriberID, "")
	case errors.Is(err, ErrPermanent), job.Attempt >= job.MaxAttempts:
		n.log.Warn("newsletter mail failed", "issue", a.IssueID, "err", err)
		return n.st.MarkNewsletterSend(context.WithoutCancel(ctx), a.IssueID, a.SubscriberID, err.Error())
	}
	return err
}

var errNothingToSend = errors.New("no published story left in the issue")

// issueMessage composes an issue's mail to one subscriber.
func (n *Newsletter) issueMessage(ctx context.Context, issueID, subscriberID int64) (*Message, error) {
	is, err := n.st.NewsletterIssue(ctx, issueID)
	if err != nil {
		return nil, err
	}
	sub, err := n.st.Subscriber(ctx, subscriberID)
	if err != nil {
		return nil, err
	}
	ts, err := n.st.IssueTranslations(ctx, is.TranslationIDs)
	if err != nil {
		return nil, err
	}
	if len(ts) == 0 {
		return nil, errNothingToSend
	}
	unsub, err := n.UnsubscribeURL(ctx, sub, is.Lang)
	if err != nil {
		return nil, err
	}
	b := body{Lang: is.Lang, Publication: n.cfg.PublicationName, Intro: is.Intro, Unsubscribe: unsub}
	for _, tr := range ts {
		b.Items = append(b.Items, item{Title: tr.Title, Teaser: tr.Teaser, URL: n.url("/"+tr.Lang+"/stories/"+tr.Slug, nil)})
	}
	m := &Message{To: sub.Address, Subject: is.Subject, Unsubscribe: unsub}
	if err := render(m, b); err != nil {
		return nil, err
	}
	return m, nil
}
