package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// This file keeps what the inbox and the dialogue's background work write:
// replies as they arrive, are edited and deleted, reactions, reports, the
// media cache and the backfill's bookkeeping. What readers and moderators
// see of it is in dialogue.go and moderation.go.

// SaveReply stores a reply that has just arrived, unless a reply with the same
// ActivityPub id is already held or was deleted by its author (a tombstone):
// the same Create may come more than once, and a Create for a deleted id is
// ignored (docs/federation.md#reply-origin-checks, #reply-deletes). It reports
// whether the reply was stored, and sets r.ID and r.ReceivedAt when it was.
// r.Author must be a known remote actor. repliesIRI is the reply's own replies
// collection, for the backfill; "" when it has none.
func (s *Store) SaveReply(ctx context.Context, r *content.Reply, repliesIRI string) (bool, error) {
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = s.now()
	}
	if r.Published.IsZero() {
		r.Published = r.ReceivedAt
	}
	var id int64 // read only once the callback has run
	stored := false
	err := s.writes.do(ctx, func(b *pgx.Batch) {
		stored = false
		b.Queue(saveReplyQuery,
			r.APID, r.StoryID, nullID(r.TranslationID), nullID(r.ParentID), r.InReplyTo, r.Author, r.AuthorHost,
			r.Lang, r.ContentHTML, r.Summary, r.Sensitive, r.URL, string(r.Visibility), string(r.State), r.HiddenReason, r.HeldFor,
			jsonList(r.Attachments), jsonList(r.Emojis), jsonList(r.Mentions), r.Depth, r.Published, nullTime(r.Updated), r.ReceivedAt,
			repliesIRI,
		).QueryRow(func(row pgx.Row) error {
			err := row.Scan(&id)
			if errors.Is(err, pgx.ErrNoRows) {
				return nil
			}
			stored = err == nil
			return err
		})
	})
	if err != nil {
		return false, mapErr("save reply "+r.APID, err)
	}
	if stored {
		r.ID = id
	}
	return stored, nil
}

const saveReplyQuery = `
	INSERT INTO replies (ap_id, story_id, translation_id, parent_id, in_reply_to, author, author_host,
		lang, content_html, summary, sensitive, url, visibility, state, hidden_reason, held_for,
		attachments, emojis, mentions, depth, published, updated, received_at, replies_iri)
	SELECT $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
		$17, $18, $19, $20, $21, $22, $23, $24
	WHERE NOT EXISTS (SELECT 1 FROM reply_tombstones WHERE ap_id = $1)
	ON CONFLICT (ap_id) DO NOTHING
	RETURNING id`

// Reply returns a reply by its row id, with its author.
func (s *Store) Reply(ctx context.Context, id int64) (*content.Reply, error) {
	r, err := scanReply(s.pool.QueryRow(ctx, `
		SELECT `+replyColumns+` FROM replies r JOIN remote_actors a ON a.id = r.author WHERE r.id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Sprintf("reply %d", id), err)
	}
	return r, nil
}

// ReplyByAPID returns a reply by its ActivityPub id, with its author.
func (s *Store) ReplyByAPID(ctx context.Context, apID string) (*content.Reply, error) {
	r, err := scanReply(s.pool.QueryRow(ctx, replyByAPIDQuery, apID))
	if err != nil {
		return nil, mapErr("reply "+apID, err)
	}
	return r, nil
}

const replyByAPIDQuery = `
	SELECT ` + replyColumns + ` FROM replies r JOIN remote_actors a ON a.id = r.author WHERE r.ap_id = $1`

// IsReplyTombstoned reports whether the reply with this ActivityPub id was
// deleted by its author.
func (s *Store) IsReplyTombstoned(ctx context.Context, apID string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, replyTombstonedQuery, apID).Scan(&ok)
	return ok, mapErr("reply tombstone "+apID, err)
}

const replyTombstonedQuery = `SELECT EXISTS (SELECT 1 FROM reply_tombstones WHERE ap_id = $1)`

// AuthorHasVisibleReply reports whether an actor already has a visible reply
// somewhere: under the "known" policy, that is what lets a new one show at
// once.
func (s *Store) AuthorHasVisibleReply(ctx context.Context, actor string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, authorHasVisibleQuery, actor).Scan(&ok)
	return ok, mapErr("visible reply by "+actor, err)
}

const authorHasVisibleQuery = `SELECT EXISTS (SELECT 1 FROM replies WHERE author = $1 AND state = 'visible')`

// ReplyEdit is what an author's Update may change in a reply.
type ReplyEdit struct {
	ContentHTML string
	Summary     string
	Sensitive   bool
	Lang        string
	Attachments []content.Attachment
	Emojis      []content.Emoji
	Mentions    []content.Mention
	Updated     time.Time
	// Review sends a visible reply back to the moderators' queue (held for
	// "edit"). Pending and hidden replies keep their state whatever it says.
	Review bool
}

// UpdateReply applies an edit that author made to the reply apID
// (docs/federation.md#reply-edits). It changes nothing unless the reply is the
// author's and the edit is newer than what is held, so a late or replayed
// Update cannot undo a later one. The moderation state is kept: a hidden reply
// stays hidden and a pending one pending; a visible one goes back to pending
// only when e.Review says so. It reports whether the reply changed, and its
// state.
func (s *Store) UpdateReply(ctx context.Context, apID, author string, e ReplyEdit) (bool, content.ReplyState, error) {
	var state content.ReplyState
	err := s.pool.QueryRow(ctx, `
		UPDATE replies SET content_html = $3, summary = $4, sensitive = $5, lang = $6,
			attachments = $7, emojis = $8, mentions = $9, updated = $10,
			state = CASE WHEN state = 'visible' AND $11 THEN 'pending' ELSE state END,
			held_for = CASE WHEN state = 'visible' AND $11 THEN 'edit' ELSE held_for END
		WHERE ap_id = $1 AND author = $2 AND coalesce(updated, published) < $10
		RETURNING state`,
		apID, author, e.ContentHTML, e.Summary, e.Sensitive, e.Lang,
		jsonList(e.Attachments), jsonList(e.Emojis), jsonList(e.Mentions), e.Updated, e.Review,
	).Scan(&state)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, "", nil
	}
	if err != nil {
		return false, "", mapErr("update reply "+apID, err)
	}
	return true, state, nil
}

// DeleteReply removes the reply apID if author wrote it, and remembers its id
// in a tombstone either way, so that a Create arriving after its Delete (a
// retried delivery) is ignored, as Mastodon does
// (docs/federation.md#reply-deletes). Replies to it stay in the dialogue. It
// reports whether a reply went.
func (s *Store) DeleteReply(ctx context.Context, apID, author string) (bool, error) {
	var gone bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM replies WHERE ap_id = $1 AND author = $2`, apID, author)
		if err != nil {
			return mapErr("delete reply "+apID, err)
		}
		gone = tag.RowsAffected() > 0
		_, err = tx.Exec(ctx, `
			INSERT INTO reply_tombstones (ap_id, deleted_at) VALUES ($1, $2) ON CONFLICT (ap_id) DO NOTHING`, apID, s.now())
		return mapErr("tombstone reply "+apID, err)
	})
	return gone, err
}

// ForgetResult says what ForgetActor removed.
type ForgetResult struct {
	Replies   int
	Reactions int
	Follows   int
}

// ForgetActor removes everything of a remote actor whose account was deleted
// (docs/federation.md#reply-deletes): its replies, each remembered in a
// tombstone, its likes and boosts, its follows, and the actor itself, so that
// its later activities count as from an unknown actor
// (docs/federation.md#account-deletion-floods). One transaction.
func (s *Store) ForgetActor(ctx context.Context, actor string) (*ForgetResult, error) {
	res := &ForgetResult{}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			WITH gone AS (DELETE FROM replies WHERE author = $1 RETURNING ap_id)
			INSERT INTO reply_tombstones (ap_id, deleted_at) SELECT ap_id, $2 FROM gone
			ON CONFLICT (ap_id) DO NOTHING`, actor, s.now())
		if err != nil {
			return mapErr("forget "+actor+": replies", err)
		}
		res.Replies = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, `DELETE FROM reactions WHERE actor = $1`, actor); err != nil {
			return mapErr("forget "+actor+": reactions", err)
		}
		res.Reactions = int(tag.RowsAffected())
		if tag, err = tx.Exec(ctx, `DELETE FROM followers WHERE follower = $1`, actor); err != nil {
			return mapErr("forget "+actor+": follows", err)
		}
		res.Follows = int(tag.RowsAffected())
		_, err = tx.Exec(ctx, `DELETE FROM remote_actors WHERE id = $1`, actor)
		return mapErr("forget "+actor, err)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// ArticleReplies returns a page of the ActivityPub ids of the replies that
// answer the translation directly and that readers may see (visible, public or
// unlisted), oldest first, and how many there are: the Article's replies
// collection (docs/federation.md#mastodon-replies-backfill). Hidden and pending
// replies are never in it.
func (s *Store) ArticleReplies(ctx context.Context, translationID int64, limit, offset int) ([]string, int, error) {
	op := fmt.Sprintf("replies of translation %d", translationID)
	var total int
	err := s.pool.QueryRow(ctx, `
		SELECT count(*) FROM replies
		WHERE translation_id = $1 AND parent_id IS NULL AND state = 'visible' AND visibility IN ('public', 'unlisted')`,
		translationID).Scan(&total)
	if err != nil {
		return nil, 0, mapErr(op, err)
	}
	if limit <= 0 || offset >= total {
		return []string{}, total, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT ap_id FROM replies
		WHERE translation_id = $1 AND parent_id IS NULL AND state = 'visible' AND visibility IN ('public', 'unlisted')
		ORDER BY published, id LIMIT $2 OFFSET $3`, translationID, limit, offset)
	if err != nil {
		return nil, 0, mapErr(op, err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, 0, mapErr(op, err)
	}
	return ids, total, nil
}

// ContextReplies returns the ActivityPub ids of up to limit replies in the
// thread under a translation that readers may see, oldest first: its
// visible public or unlisted replies and, below each, the visible ones
// answering it, at any depth. A visible reply under a hidden or pending one
// is left out with it. This is the conversation the Article's context
// collection names (docs/federation.md#conversation-context).
func (s *Store) ContextReplies(ctx context.Context, translationID int64, limit int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		WITH RECURSIVE thread AS (
			SELECT id, ap_id, published FROM replies
			WHERE translation_id = $1 AND parent_id IS NULL AND state = 'visible' AND visibility IN ('public', 'unlisted')
			UNION
			SELECT r.id, r.ap_id, r.published FROM replies r JOIN thread t ON r.parent_id = t.id
			WHERE r.state = 'visible' AND r.visibility IN ('public', 'unlisted')
		)
		SELECT ap_id FROM thread ORDER BY published, id LIMIT $2`, translationID, limit)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("context of translation %d", translationID), err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, mapErr(fmt.Sprintf("context of translation %d", translationID), err)
}

// Reaction kinds.
const (
	ReactionLike     = "like"
	ReactionAnnounce = "announce"
)

// AddReaction records a like or a boost of a translation by actor through
// the activity activityID. An actor counts once per kind and translation,
// and a repeated activity once: it reports whether the reaction is new.
func (s *Store) AddReaction(ctx context.Context, kind, activityID, actor string, translationID int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO reactions (activity_id, kind, actor, translation_id, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT DO NOTHING`, activityID, kind, actor, translationID, s.now())
	if err != nil {
		return false, mapErr("add reaction "+activityID, err)
	}
	return tag.RowsAffected() > 0, nil
}

// RemoveReaction takes back actor's reaction made by the activity activityID
// or, when the Undo names the reaction by what it reacted to, actor's reaction
// of that kind to that translation (docs/federation.md#boosts-and-likes: match
// by id, falling back to actor and object). Pass kind "" and translationID 0
// when only the id is known. It reports how many reactions went.
func (s *Store) RemoveReaction(ctx context.Context, actor, activityID, kind string, translationID int64) (int, error) {
	tag, err := s.pool.Exec(ctx, `
		DELETE FROM reactions WHERE actor = $1 AND (activity_id = $2 OR (kind = $3 AND translation_id = $4))`,
		actor, activityID, kind, translationID)
	if err != nil {
		return 0, mapErr("remove reaction "+activityID, err)
	}
	return int(tag.RowsAffected()), nil
}

// TranslationReactions counts a translation's likes, boosts and quotes, for its
// Article's likes and shares collections
// (docs/federation.md#likes-shares-counts).
func (s *Store) TranslationReactions(ctx context.Context, translationID int64) (content.Reactions, error) {
	var r content.Reactions
	err := s.pool.QueryRow(ctx, `
		SELECT count(*) FILTER (WHERE kind = 'like'), count(*) FILTER (WHERE kind = 'announce'),
			(SELECT count(*) FROM quotes WHERE translation_id = $1 AND state = 'accepted')
		FROM reactions WHERE translation_id = $1`, translationID).Scan(&r.Likes, &r.Shares, &r.Quotes)
	return r, mapErr(fmt.Sprintf("reactions of translation %d", translationID), err)
}

// CreateReport stores an incoming Flag (docs/federation.md#reports-inbound).
// When p.ReplyID is 0 the report is tied to the first reply among p.Objects
// that we hold, and when p.TranslationID is 0, to that reply's translation. A
// Flag already stored (same activity id) is not stored again; CreateReport
// reports whether this one was new and fills in p.
func (s *Store) CreateReport(ctx context.Context, p *content.Report) (bool, error) {
	if p.Objects == nil {
		p.Objects = []string{}
	}
	var replyID, translationID *int64
	err := s.pool.QueryRow(ctx, `
		INSERT INTO reports (activity_id, reporter, comment, objects, reply_id, translation_id, created_at)
		SELECT $1, $2, $3, $4, coalesce($5, r.id), coalesce($6, r.translation_id), $7
		FROM (SELECT 1) one
		LEFT JOIN LATERAL (SELECT id, translation_id FROM replies WHERE ap_id = ANY($4) ORDER BY id LIMIT 1) r ON true
		ON CONFLICT (activity_id) DO NOTHING
		RETURNING id, reply_id, translation_id, state, created_at`,
		p.ActivityID, p.Reporter, p.Comment, p.Objects, nullID(p.ReplyID), nullID(p.TranslationID), s.now(),
	).Scan(&p.ID, &replyID, &translationID, &p.State, &p.CreatedAt)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, mapErr("create report "+p.ActivityID, err)
	}
	if replyID != nil {
		p.ReplyID = *replyID
	}
	if translationID != nil {
		p.TranslationID = *translationID
	}
	return true, nil
}

// RecordRemoteReport runs send, which queues a Flag to a remote instance,
// and logs the report in the moderation log, in one transaction: the log
// never claims a report that was not sent, nor misses one that was.
func (s *Store) RecordRemoteReport(ctx context.Context, staffID int64, target, comment string, send func(ctx context.Context, tx pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := send(ctx, tx); err != nil {
			return err
		}
		return s.LogModeration(ctx, tx, staffID, ActionReport, target, comment)
	})
}

// MediaFile returns the copy of a remote image: its file name under the
// media directory's remote/ folder and its content type.
func (s *Store) MediaFile(ctx context.Context, remoteURL string) (file, contentType string, err error) {
	err = s.pool.QueryRow(ctx, `SELECT file, content_type FROM media_cache WHERE remote_url = $1`, remoteURL).Scan(&file, &contentType)
	return file, contentType, mapErr("media "+remoteURL, err)
}

// SaveMediaFile records the copy of a remote image.
func (s *Store) SaveMediaFile(ctx context.Context, remoteURL, file, contentType string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO media_cache (remote_url, file, content_type, fetched_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (remote_url) DO UPDATE SET file = EXCLUDED.file, content_type = EXCLUDED.content_type,
			fetched_at = EXCLUDED.fetched_at`, remoteURL, file, contentType, s.now())
	return mapErr("save media "+remoteURL, err)
}

// SetRemoteActorIcon records the copy of a remote actor's avatar.
func (s *Store) SetRemoteActorIcon(ctx context.Context, actor, file string) error {
	_, err := s.pool.Exec(ctx, `UPDATE remote_actors SET icon_file = $2 WHERE id = $1 AND icon_file <> $2`, actor, file)
	return mapErr("set icon of "+actor, err)
}

// BackfillItem is a reply whose own replies collection the backfill reads.
type BackfillItem struct {
	ReplyID    int64
	APID       string
	RepliesIRI string // "" when not known yet
	StoryID    int64
	Depth      int
}

// ClaimBackfill picks up to limit replies whose replies collections the
// backfill should read now, and marks them read: visible public or
// unlisted replies received after since, less than maxDepth deep, not read
// after stale, least recently read first. Rows locked by another process
// are skipped, so two processes never read the same collections.
func (s *Store) ClaimBackfill(ctx context.Context, since, stale time.Time, maxDepth, limit int) ([]BackfillItem, error) {
	rows, err := s.pool.Query(ctx, `
		UPDATE replies r SET replies_checked_at = $5
		FROM (
			SELECT id FROM replies
			WHERE state = 'visible' AND visibility IN ('public', 'unlisted') AND received_at > $1
				AND depth < $3 AND (replies_checked_at IS NULL OR replies_checked_at < $2)
			ORDER BY replies_checked_at NULLS FIRST, received_at DESC
			LIMIT $4
			FOR UPDATE SKIP LOCKED
		) c
		WHERE r.id = c.id
		RETURNING r.id, r.ap_id, r.replies_iri, r.story_id, r.depth`, since, stale, maxDepth, limit, s.now())
	if err != nil {
		return nil, mapErr("claim backfill", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (BackfillItem, error) {
		var b BackfillItem
		return b, row.Scan(&b.ReplyID, &b.APID, &b.RepliesIRI, &b.StoryID, &b.Depth)
	})
	return items, mapErr("claim backfill", err)
}

// SetRepliesIRI records where a reply's own replies collection is.
func (s *Store) SetRepliesIRI(ctx context.Context, replyID int64, iri string) error {
	_, err := s.pool.Exec(ctx, `UPDATE replies SET replies_iri = $2 WHERE id = $1`, replyID, iri)
	return mapErr(fmt.Sprintf("set replies collection of reply %d", replyID), err)
}
