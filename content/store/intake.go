package store

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// The inbox asks the same handful of questions about every reply it takes in.
// Asked one by one they cost a round trip to PostgreSQL each, and a round trip
// costs both the server and PostgreSQL more CPU than most of these questions
// take to answer; on two cores that was most of the cost of a reply
// (docs/benchmarks.md). ReplyIntake and ReplyRules ask them together: their
// statements are the ones the single-question methods run, pipelined in one
// pgx.Batch: one round trip. InboxSender and ReplyIntake go further: their
// batch also carries the statements of other replies arriving at the same time
// (coalesce.go).

// InboxSender answers, in one round trip, what IsBlocked would for the signer
// of an activity and for its actor, and records what InstanceContact would for
// host, the signer's: a signed request that verified shows its instance alive,
// blocked or not (docs/federation.md#unavailable-instances).
func (s *Store) InboxSender(ctx context.Context, signer, actor, host string) (bool, error) {
	ids := []string{signer}
	hosts := actorHostCandidates(signer)
	if actor != signer {
		ids = append(ids, actor)
		hosts = append(hosts, actorHostCandidates(actor)...)
	}
	var blocked bool // written by the callback, read only once it has run
	err := s.reads.do(ctx, func(b *pgx.Batch) {
		b.Queue(inboxSenderQuery, ids, hosts, host, s.now()).QueryRow(func(row pgx.Row) error {
			return row.Scan(&blocked)
		})
	})
	if err != nil {
		return false, mapErr("inbox sender "+signer, err)
	}
	return blocked, nil
}

// inboxSenderQuery is isBlockedQuery for several actors at once, with
// instanceContactQuery run alongside: one statement instead of three (see
// replyIntakeQuery). PostgreSQL runs a data-modifying WITH once whether
// or not the query reads it.
const inboxSenderQuery = `
	WITH contact AS (
		UPDATE instances SET failure_days = '{}', unavailable = false, updated_at = $4
		WHERE $3 <> '' AND host = $3 AND (unavailable OR failure_days <> '{}')
	)
	SELECT EXISTS (SELECT 1 FROM blocks
		WHERE (kind = 'account' AND target = ANY($1)) OR (kind = 'instance' AND target = ANY($2)))`

// ReplyIntake is what the inbox must know before it takes a reply.
type ReplyIntake struct {
	Existing   *content.Reply // the reply when it is held already, else nil
	Tombstoned bool           // its author deleted it before (docs/federation.md#reply-origin-checks, #reply-deletes)
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
// reads cost less than another round trip. A reply held already costs a
// second round trip, to read it whole.
func (s *Store) ReplyIntake(ctx context.Context, apID, actor, articleKey string) (*ReplyIntake, error) {
	var (
		in         *ReplyIntake
		existingID *int64
	)
	err := s.reads.do(ctx, func(b *pgx.Batch) {
		in, existingID = &ReplyIntake{Rules: &ReplyRules{}}, nil
		queueReplyIntake(b, in, &existingID, apID, actor, articleKey)
	})
	if err == nil && existingID != nil {
		in.Existing, err = scanReply(s.pool.QueryRow(ctx, replyByAPIDQuery, apID))
		if errors.Is(err, pgx.ErrNoRows) {
			in.Existing, err = nil, nil // deleted in between
		}
	}
	if err != nil {
		return nil, mapErr("intake of reply "+apID, err)
	}
	return in, nil
}

// replyIntakeQuery asks every question of ReplyIntake in one statement:
// in a batch, each statement costs PostgreSQL and pgx work of its own (a
// bind, a portal, a snapshot, an executor started and shut down), more
// than these index probes do. Its parts are, in order, the statements of Policy,
// AuthorHasVisibleReply, KeywordPhrases, ReplyByAPID (the id only),
// IsReplyTombstoned, IsBlocked, TranslationByObjectKey and RemoteActor;
// TestStore_ReplyIntake holds the answers to theirs. The last two come
// from outer joins: each is led by whether it was found, its columns
// otherwise empty.
const replyIntakeQuery = `
	SELECT (SELECT value FROM settings WHERE key = 'moderation_policy'),
		EXISTS (SELECT 1 FROM replies WHERE author = $2 AND state = 'visible'),
		ARRAY (SELECT phrase FROM keyword_rules ORDER BY phrase),
		(SELECT id FROM replies WHERE ap_id = $1),
		EXISTS (SELECT 1 FROM reply_tombstones WHERE ap_id = $1),
		EXISTS (SELECT 1 FROM blocks WHERE (kind = 'account' AND target = $2) OR (kind = 'instance' AND target = ANY($3))),
		t.id IS NOT NULL, coalesce(t.id, 0), coalesce(t.story_id, 0), coalesce(t.lang, ''), coalesce(t.state, ''),
		ra.id IS NOT NULL, coalesce(ra.id, ''), coalesce(ra.host, ''), coalesce(ra.inbox, ''),
		coalesce(ra.shared_inbox, ''), coalesce(ra.key_id, ''), coalesce(ra.public_key_pem, ''),
		coalesce(ra.username, ''), coalesce(ra.name, ''), coalesce(ra.url, ''), coalesce(ra.icon_url, ''),
		coalesce(ra.followers, ''), coalesce(ra.fetched_at, 'epoch'),
		(SELECT value FROM settings WHERE key = 'flood_actor_per_hour'),
		(SELECT value FROM settings WHERE key = 'flood_instance_per_hour'),
		surge.since,
		CASE WHEN surge.since IS NULL THEN true
			ELSE EXISTS (SELECT 1 FROM replies WHERE author = $2 AND received_at <= surge.since) END
	FROM (SELECT) AS one
	LEFT JOIN (SELECT nullif(value, '')::timestamptz AS since FROM settings WHERE key = 'flood_surge_since') surge ON true
	LEFT JOIN translations t ON t.object_key = $4::uuid
	LEFT JOIN remote_actors ra ON ra.id = $2`

// queueReplyIntake queues the statement of ReplyIntake in b, to be read
// into in, and the id of the reply held already, if any, into existingID.
func queueReplyIntake(b *pgx.Batch, in *ReplyIntake, existingID **int64, apID, actor, articleKey string) {
	var key *string // NULL matches no translation
	if isObjectKey(articleKey) {
		key = &articleKey
	}
	b.Queue(replyIntakeQuery, apID, actor, actorHostCandidates(actor), key).QueryRow(func(row pgx.Row) error {
		var (
			policy                *string
			art                   ArticleRef
			author                RemoteActor
			artFound, authorFound bool
			actorLimit, hostLimit *string
			since                 *time.Time
			fl                    = &in.Rules.Flood
		)
		dest := []any{&policy, &in.Rules.AuthorKnown, &in.Rules.Phrases, existingID,
			&in.Tombstoned, &in.Blocked, &artFound, &art.TranslationID, &art.StoryID, &art.Lang, &art.State, &authorFound}
		dest = append(dest, remoteActorDest(&author)...)
		dest = append(dest, &actorLimit, &hostLimit, &since, &fl.SeenBefore)
		if err := row.Scan(dest...); err != nil {
			return err
		}
		fl.FloodLimits = floodLimitsOf(actorLimit, hostLimit, since)
		v, err := "", pgx.ErrNoRows // as policyQuery answers when no policy is set
		if policy != nil {
			v, err = *policy, nil
		}
		if in.Rules.Policy, err = policyOf(v, err); err != nil {
			return err
		}
		if artFound {
			in.Article = &art
		}
		if authorFound {
			in.Author = &author
		}
		return nil
	})
}

// ReplyRules are what decides where a new reply starts
// (content.InitialState).
type ReplyRules struct {
	Policy      content.Policy
	AuthorKnown bool     // the author has a visible reply already
	Phrases     []string // the keyword rules, normalized
	Flood       content.Flood
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
