package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// replyColumns are a reply's columns joined with its author's, for scanReply.
// The query must name replies r and remote_actors a.
const replyColumns = `r.id, r.ap_id, r.story_id, coalesce(r.translation_id, 0), coalesce(r.parent_id, 0),
	r.in_reply_to, r.author, r.author_host, r.lang, r.content_html, r.summary, r.sensitive, r.url,
	r.visibility, r.state, r.hidden_reason, r.held_for, r.attachments, r.emojis, r.mentions, r.depth,
	r.published, r.updated, r.received_at,
	a.username, a.host, a.name, a.url, a.icon_file`

// scanReply reads replyColumns into a reply whose AuthorInfo is filled in.
// Columns selected before replyColumns are scanned into before.
func scanReply(row pgx.Row, before ...any) (*content.Reply, error) {
	r := &content.Reply{AuthorInfo: &content.RemoteAuthor{}}
	a := r.AuthorInfo
	var updated *time.Time
	err := row.Scan(append(before, &r.ID, &r.APID, &r.StoryID, &r.TranslationID, &r.ParentID,
		&r.InReplyTo, &r.Author, &r.AuthorHost, &r.Lang, &r.ContentHTML, &r.Summary, &r.Sensitive, &r.URL,
		&r.Visibility, &r.State, &r.HiddenReason, &r.HeldFor, &r.Attachments, &r.Emojis, &r.Mentions, &r.Depth,
		&r.Published, &updated, &r.ReceivedAt,
		&a.Username, &a.Host, &a.Name, &a.URL, &a.IconFile)...)
	if err != nil {
		return nil, err
	}
	a.ID = r.Author
	r.Updated = timeOrZero(updated)
	return r, nil
}

// collectReplies scans every row of a replyColumns query.
func collectReplies(rows pgx.Rows) ([]*content.Reply, error) {
	defer rows.Close()
	var out []*content.Reply
	for rows.Next() {
		r, err := scanReply(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Dialogue returns what readers may see of a story's dialogue: its visible
// public and unlisted replies (docs/federation.md#reply-visibility), to every
// translation and to one another, each with its author. They come oldest first,
// so that a reply always follows the reply it answers and a thread can be built
// in one pass; a visible reply whose parent is not shown keeps its ParentID,
// and the caller decides where it goes.
func (s *Store) Dialogue(ctx context.Context, storyID int64) ([]*content.Reply, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT `+replyColumns+`
		FROM replies r JOIN remote_actors a ON a.id = r.author
		WHERE r.story_id = $1 AND r.state = 'visible' AND r.visibility IN ('public', 'unlisted')
		ORDER BY r.published, r.id`, storyID)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("dialogue of story %d", storyID), err)
	}
	replies, err := collectReplies(rows)
	return replies, mapErr(fmt.Sprintf("dialogue of story %d", storyID), err)
}

// ReactionCounts are a story's likes and boosts, in all and by the language
// of the translation that received them.
type ReactionCounts struct {
	Total  content.Reactions
	ByLang map[string]content.Reactions
}

// ReactionCounts counts the likes, boosts and quotes of every translation of
// a story.
func (s *Store) ReactionCounts(ctx context.Context, storyID int64) (*ReactionCounts, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT t.lang,
			count(*) FILTER (WHERE x.kind = 'like'),
			count(*) FILTER (WHERE x.kind = 'announce'),
			count(*) FILTER (WHERE x.kind = 'quote')
		FROM (SELECT kind, translation_id FROM reactions
		      UNION ALL
		      SELECT 'quote', translation_id FROM quotes WHERE state = 'accepted') x
		JOIN translations t ON t.id = x.translation_id
		WHERE t.story_id = $1
		GROUP BY t.lang`, storyID)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("reaction counts of story %d", storyID), err)
	}
	defer rows.Close()
	c := &ReactionCounts{ByLang: map[string]content.Reactions{}}
	for rows.Next() {
		var lang string
		var r content.Reactions
		if err := rows.Scan(&lang, &r.Likes, &r.Shares, &r.Quotes); err != nil {
			return nil, mapErr(fmt.Sprintf("reaction counts of story %d: scan", storyID), err)
		}
		c.ByLang[lang] = r
		c.Total.Likes += r.Likes
		c.Total.Shares += r.Shares
		c.Total.Quotes += r.Quotes
	}
	return c, mapErr(fmt.Sprintf("reaction counts of story %d", storyID), rows.Err())
}

// ImportReply stores a reply as given, for imports and tests: no
// sanitizing, no policy, no checks beyond the schema's. The author is saved
// (or refreshed) first when given; otherwise r.Author must be known. It sets
// r.ID; a reply whose ActivityPub id is already held is a content.ErrConflict.
func (s *Store) ImportReply(ctx context.Context, r *content.Reply, author *content.RemoteAuthor) error {
	if r.Visibility == "" {
		r.Visibility = content.VisibilityPublic
	}
	if r.State == "" {
		r.State = content.ReplyPending
	}
	now := s.now()
	if r.Published.IsZero() {
		r.Published = now
	}
	if r.ReceivedAt.IsZero() {
		r.ReceivedAt = now
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if author != nil {
			_, err := tx.Exec(ctx, `
				INSERT INTO remote_actors (id, host, inbox, username, name, url, icon_file, fetched_at)
				VALUES ($1, $2, '', $3, $4, $5, $6, $7)
				ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, username = EXCLUDED.username,
					name = EXCLUDED.name, url = EXCLUDED.url, icon_file = EXCLUDED.icon_file`,
				author.ID, author.Host, author.Username, author.Name, author.URL, author.IconFile, now)
			if err != nil {
				return mapErr("import reply: author "+author.ID, err)
			}
			r.Author = author.ID
			if r.AuthorHost == "" {
				r.AuthorHost = author.Host
			}
		}
		err := tx.QueryRow(ctx, `
			INSERT INTO replies (ap_id, story_id, translation_id, parent_id, in_reply_to, author, author_host,
				lang, content_html, summary, sensitive, url, visibility, state, hidden_reason, held_for,
				attachments, emojis, mentions, depth, published, updated, received_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,
				$17, $18, $19, $20, $21, $22, $23)
			ON CONFLICT (ap_id) DO NOTHING
			RETURNING id`,
			r.APID, r.StoryID, nullID(r.TranslationID), nullID(r.ParentID), r.InReplyTo, r.Author, r.AuthorHost,
			r.Lang, r.ContentHTML, r.Summary, r.Sensitive, r.URL, string(r.Visibility), string(r.State), r.HiddenReason, r.HeldFor,
			jsonList(r.Attachments), jsonList(r.Emojis), jsonList(r.Mentions), r.Depth, r.Published, nullTime(r.Updated), r.ReceivedAt,
		).Scan(&r.ID)
		if errors.Is(err, pgx.ErrNoRows) {
			return fmt.Errorf("store: import reply %s: %w", r.APID, content.ErrConflict)
		}
		return mapErr("import reply "+r.APID, err)
	})
}

// ImportReport stores a report as given, for imports and tests, and sets
// its ID and CreatedAt.
func (s *Store) ImportReport(ctx context.Context, p *content.Report) error {
	if p.State == "" {
		p.State = "open"
	}
	if p.Objects == nil {
		p.Objects = []string{}
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO reports (activity_id, reporter, comment, objects, reply_id, translation_id, state, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING id, created_at`,
		p.ActivityID, p.Reporter, p.Comment, p.Objects, nullID(p.ReplyID), nullID(p.TranslationID), p.State, s.now(),
	).Scan(&p.ID, &p.CreatedAt)
	return mapErr("import report "+p.ActivityID, err)
}

// nullID maps a zero row id to SQL NULL.
func nullID(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

// jsonList makes a nil slice an empty JSON array rather than null, which
// the jsonb columns of replies would refuse.
func jsonList[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}

// ImportReaction stores a like ("like") or boost ("announce") of a
// translation as given, for imports and tests. A repeated activity id or
// (kind, actor, translation) is a content.ErrConflict.
func (s *Store) ImportReaction(ctx context.Context, kind, activityID, actor string, translationID int64) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO reactions (activity_id, kind, actor, translation_id, created_at) VALUES ($1, $2, $3, $4, $5)`,
		activityID, kind, actor, translationID, s.now())
	return mapErr("import reaction "+activityID, err)
}
