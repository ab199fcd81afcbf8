package store

import (
	"context"
	"crypto/rand"
	"log/slog"
	"time"

	"github.com/jackc/pgx/v5"
)

// Hooks into the inbox's read coalescer, for coalesce_test.go.

func (s *Store) CoalesceReads(ctx context.Context, queue func(b *pgx.Batch)) error {
	return s.reads.do(ctx, queue)
}

// CoalesceState is how many callers wait to be sent and how many batches
// were sent so far.
func (s *Store) CoalesceState() (pending, batches int) {
	s.reads.mu.Lock()
	defer s.reads.mu.Unlock()
	return len(s.reads.pending), s.reads.batches
}

// ReplyIntakeApart asks what ReplyIntake asks as the eight statements it
// was before they became one, through the same coalescer, for
// BenchmarkReplyIntake to compare the two.
func (s *Store) ReplyIntakeApart(ctx context.Context, apID, actor, articleKey string) error {
	return s.reads.do(ctx, func(b *pgx.Batch) { queueReplyIntakeApart(b, apID, actor, articleKey) })
}

func queueReplyIntakeApart(b *pgx.Batch, apID, actor, articleKey string) {
	queueReplyRules(b, actor, &ReplyRules{})
	var (
		article ArticleRef
		found   bool
		author  RemoteActor
	)
	b.Queue(`SELECT id, story_id, lang, state FROM translations WHERE object_key = $1::uuid`, articleKey).QueryRow(func(row pgx.Row) error {
		return row.Scan(&article.TranslationID, &article.StoryID, &article.Lang, &article.State)
	})
	b.Queue(replyByAPIDQuery, apID).QueryRow(func(row pgx.Row) error {
		if _, err := scanReply(row); err != pgx.ErrNoRows {
			return err
		}
		return nil
	})
	b.Queue(replyTombstonedQuery, apID).QueryRow(func(row pgx.Row) error { return row.Scan(&found) })
	b.Queue(isBlockedQuery, actor, actorHostCandidates(actor)).QueryRow(func(row pgx.Row) error { return row.Scan(&found) })
	b.Queue(remoteActorQuery, actor).QueryRow(func(row pgx.Row) error { return scanRemoteActor(row, &author) })
}

// WatchPagesSlowly starts a watch that sleeps for delay before handling
// each announcement, as a process too busy to get to them at once.
func (s *Store) WatchPagesSlowly(ctx context.Context, logger *slog.Logger, delay time.Duration) *PageWatch {
	w := &PageWatch{logger: logger, store: s, id: rand.Text(), hearDelay: delay}
	go w.run(ctx, s)
	return w
}
