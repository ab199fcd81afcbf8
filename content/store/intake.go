package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// The inbox asks the same handful of questions about every reply it takes
// in. Asked one by one they cost a round trip to PostgreSQL each, and a
// round trip costs both the server and PostgreSQL more CPU than most of
// these questions take to answer; on two cores that was most of the cost of
// a reply (issue 5). ReplyIntake and ReplyRules ask them together: their
// statements are the ones the single-question methods run, pipelined in one
// pgx.Batch: one round trip. InboxSender and ReplyIntake go further: their
// batch also carries the statements of other replies arriving at the same
// time (coalesce.go).

// InboxSender answers, in one round trip, what IsBlocked would for the
// signer of an activity and for its actor, and records what
// InstanceContact would for host, the signer's: a signed request that
// verified shows its instance alive, blocked or not (INTEROP E3).
func (s *Store) InboxSender(ctx context.Context, signer, actor, host string) (bool, error) {
	var blocked bool // written by the callbacks, read only once they have run
	err := s.reads.do(ctx, func(b *pgx.Batch) {
		blocked = false
		for _, id := range []string{signer, actor} {
			b.Queue(isBlockedQuery, isBlockedArgs(id)...).QueryRow(func(row pgx.Row) error {
				var bl bool
				err := row.Scan(&bl)
				blocked = blocked || bl
				return err
			})
			if signer == actor {
				break
			}
		}
		if host != "" {
			b.Queue(instanceContactQuery, host, s.now())
		}
	})
	if err != nil {
		return false, mapErr("inbox sender "+signer, err)
	}
	return blocked, nil
}

// ReplyIntake is what the inbox must know before it takes a reply.
type ReplyIntake struct {
	Existing   *content.Reply // the reply when it is held already, else nil
	Tombstoned bool           // its author deleted it before (P4, P6)
	Blocked    bool           // its author is blocked, as an account or through its instance
	Author     *RemoteActor   // the author as cached, nil when unknown
	Article    *ArticleRef    // the Article it answers, when asked for and found
	Rules      *ReplyRules    // what decides where the reply starts, should it be kept
}

// ArticleRef is what a reply needs of the translation it answers: not its
// text.
type ArticleRef struct {
	TranslationID int64
	StoryID       int64
	Lang          string
	State         content.State
}

// ReplyIntake answers, in one round trip, what ReplyByAPID, IsReplyTombstoned,
// IsBlocked and RemoteActor would for a reply with ActivityPub id apID by
// actor, and, when articleKey is not "", what TranslationByObjectKey would
// for the Article the reply answers (only the fields of ArticleRef, which
// spares reading the story's text), and what ReplyRules would for actor.
// The rules are read whether or not the reply is then kept: three cheap
// reads cost less than another round trip.
func (s *Store) ReplyIntake(ctx context.Context, apID, actor, articleKey string) (*ReplyIntake, error) {
	var in *ReplyIntake
	err := s.reads.do(ctx, func(b *pgx.Batch) {
		in = &ReplyIntake{Rules: &ReplyRules{}}
		queueReplyIntake(b, in, apID, actor, articleKey)
	})
	if err != nil {
		return nil, mapErr("intake of reply "+apID, err)
	}
	return in, nil
}

// queueReplyIntake queues the statements of ReplyIntake in b, to be read
// into in.
func queueReplyIntake(b *pgx.Batch, in *ReplyIntake, apID, actor, articleKey string) {
	queueReplyRules(b, actor, in.Rules)
	if articleKey != "" && isObjectKey(articleKey) {
		b.Queue(`SELECT id, story_id, lang, state FROM translations WHERE object_key = $1::uuid`, articleKey).QueryRow(func(row pgx.Row) error {
			a := &ArticleRef{}
			err := row.Scan(&a.TranslationID, &a.StoryID, &a.Lang, &a.State)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			in.Article = a
			return err
		})
	}
	b.Queue(replyByAPIDQuery, apID).QueryRow(func(row pgx.Row) error {
		r, err := scanReply(row)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		in.Existing = r
		return err
	})
	b.Queue(replyTombstonedQuery, apID).QueryRow(func(row pgx.Row) error { return row.Scan(&in.Tombstoned) })
	b.Queue(isBlockedQuery, isBlockedArgs(actor)...).QueryRow(func(row pgx.Row) error { return row.Scan(&in.Blocked) })
	b.Queue(remoteActorQuery, actor).QueryRow(func(row pgx.Row) error {
		a := &RemoteActor{}
		err := scanRemoteActor(row, a)
		if errors.Is(err, pgx.ErrNoRows) {
			return nil
		}
		in.Author = a
		return err
	})
}

// ReplyRules are what decides where a new reply starts
// (content.InitialState).
type ReplyRules struct {
	Policy      content.Policy
	AuthorKnown bool     // the author has a visible reply already
	Phrases     []string // the keyword rules, normalized
}

// ReplyRules answers, in one round trip, what Policy,
// AuthorHasVisibleReply and KeywordPhrases would for a reply by actor.
func (s *Store) ReplyRules(ctx context.Context, actor string) (*ReplyRules, error) {
	rr := &ReplyRules{}
	b := &pgx.Batch{}
	queueReplyRules(b, actor, rr)
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return nil, mapErr("reply rules for "+actor, err)
	}
	return rr, nil
}

// queueReplyRules queues the statements of ReplyRules in b, to be read
// into rr.
func queueReplyRules(b *pgx.Batch, actor string, rr *ReplyRules) {
	b.Queue(policyQuery).QueryRow(func(row pgx.Row) error {
		var v string
		err := row.Scan(&v)
		rr.Policy, err = policyOf(v, err)
		return err
	})
	b.Queue(authorHasVisibleQuery, actor).QueryRow(func(row pgx.Row) error { return row.Scan(&rr.AuthorKnown) })
	b.Queue(keywordPhrasesQuery).Query(func(rows pgx.Rows) error {
		var err error
		rr.Phrases, err = pgx.CollectRows(rows, pgx.RowTo[string])
		return err
	})
}
