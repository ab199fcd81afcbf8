package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What moderators read: the queue of replies with their context, and the
// incoming reports. What they do is in moderation.go.

// StoryHeading names a story in lists of replies: the title and address of
// one of its translations, a published one when there is one.
type StoryHeading struct {
	ID        int64
	Lang      string
	Title     string
	Slug      string
	Published bool
}

// storyHeadings returns a heading for each story: its earliest published
// translation, or its first translation when none is published.
func (s *Store) storyHeadings(ctx context.Context, storyIDs []int64) (map[int64]StoryHeading, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT DISTINCT ON (t.story_id) t.story_id, t.lang, t.title, t.slug, t.state = 'published'
		FROM translations t WHERE t.story_id = ANY($1)
		ORDER BY t.story_id, t.state = 'published' DESC, t.published_at NULLS LAST, t.id`, storyIDs)
	if err != nil {
		return nil, mapErr("story headings", err)
	}
	defer rows.Close()
	out := map[int64]StoryHeading{}
	for rows.Next() {
		var h StoryHeading
		if err := rows.Scan(&h.ID, &h.Lang, &h.Title, &h.Slug, &h.Published); err != nil {
			return nil, mapErr("story headings: scan", err)
		}
		out[h.ID] = h
	}
	return out, mapErr("story headings", rows.Err())
}

// QueueFilter selects replies for the moderators' queue.
type QueueFilter struct {
	State  content.ReplyState // only replies in this state; "" for all, pending first
	Limit  int                // 50 when zero or less
	Offset int
}

// QueueItem is a reply as the moderators' queue shows it: with its story,
// what it answers, and what its author wrote before.
type QueueItem struct {
	Reply        *content.Reply
	Story        StoryHeading
	AnsweredLang string         // language of the translation it answers; "" when it answers a reply
	Parent       *content.Reply // the reply it answers, in any state; nil when it answers the story
	Earlier      AuthorHistory
}

// AuthorHistory is what one author sent before a given reply.
type AuthorHistory struct {
	Visible, Pending, Hidden int
	Recent                   []*HistoryReply // the latest few, newest first
}

// Total is how many replies the author sent before.
func (h AuthorHistory) Total() int { return h.Visible + h.Pending + h.Hidden }

// HistoryReply is one of an author's earlier replies and the story it is under.
type HistoryReply struct {
	Reply *content.Reply
	Story StoryHeading
}

// historyLength is how many earlier replies QueueItem.Earlier lists.
const historyLength = 3

// ModerationQueue lists replies for moderators: pending ones first, oldest
// first so that none waits forever, then the others, most recently received
// first. It also returns how many replies the filter matches in all.
func (s *Store) ModerationQueue(ctx context.Context, f QueueFilter) ([]*QueueItem, int, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	var total int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM replies WHERE $1 = '' OR state = $1`, string(f.State)).Scan(&total)
	if err != nil {
		return nil, 0, mapErr("moderation queue: count", err)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+replyColumns+`
		FROM replies r JOIN remote_actors a ON a.id = r.author
		WHERE $1 = '' OR r.state = $1
		ORDER BY r.state = 'pending' DESC,
			CASE WHEN r.state = 'pending' THEN r.received_at END,
			r.received_at DESC, r.id DESC
		LIMIT $2 OFFSET $3`, string(f.State), f.Limit, f.Offset)
	if err != nil {
		return nil, 0, mapErr("moderation queue", err)
	}
	replies, err := collectReplies(rows)
	if err != nil {
		return nil, 0, mapErr("moderation queue", err)
	}
	items, err := s.queueItems(ctx, replies)
	return items, total, err
}

// ModerationItem returns one reply, in any state, as the queue shows it.
func (s *Store) ModerationItem(ctx context.Context, replyID int64) (*QueueItem, error) {
	replies, err := s.repliesByID(ctx, []int64{replyID})
	if err != nil {
		return nil, err
	}
	r, ok := replies[replyID]
	if !ok {
		return nil, fmt.Errorf("store: reply %d: %w", replyID, content.ErrNotFound)
	}
	items, err := s.queueItems(ctx, []*content.Reply{r})
	if err != nil {
		return nil, err
	}
	return items[0], nil
}

// queueItems surrounds replies with their stories, parents and authors'
// histories, in three more queries whatever the number of replies.
func (s *Store) queueItems(ctx context.Context, replies []*content.Reply) ([]*QueueItem, error) {
	items := make([]*QueueItem, len(replies))
	var ids, parentIDs, storyIDs []int64
	byID := map[int64]*QueueItem{}
	for i, r := range replies {
		items[i] = &QueueItem{Reply: r}
		byID[r.ID] = items[i]
		ids = append(ids, r.ID)
		storyIDs = append(storyIDs, r.StoryID)
		if r.ParentID != 0 {
			parentIDs = append(parentIDs, r.ParentID)
		}
	}
	if len(items) == 0 {
		return items, nil
	}
	parents, err := s.repliesByID(ctx, parentIDs)
	if err != nil {
		return nil, err
	}
	if err := s.authorHistories(ctx, ids, byID); err != nil {
		return nil, err
	}
	for _, it := range items {
		for _, h := range it.Earlier.Recent {
			storyIDs = append(storyIDs, h.Reply.StoryID)
		}
	}
	headings, err := s.storyHeadings(ctx, storyIDs)
	if err != nil {
		return nil, err
	}
	langs, err := s.translationLangs(ctx, replies)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		it.Story = headings[it.Reply.StoryID]
		it.Parent = parents[it.Reply.ParentID]
		it.AnsweredLang = langs[it.Reply.TranslationID]
		for _, h := range it.Earlier.Recent {
			h.Story = headings[h.Reply.StoryID]
		}
	}
	return items, nil
}

// repliesByID loads replies in any state, with their authors.
func (s *Store) repliesByID(ctx context.Context, ids []int64) (map[int64]*content.Reply, error) {
	out := map[int64]*content.Reply{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+replyColumns+`
		FROM replies r JOIN remote_actors a ON a.id = r.author
		WHERE r.id = ANY($1)`, ids)
	if err != nil {
		return nil, mapErr("replies by id", err)
	}
	replies, err := collectReplies(rows)
	if err != nil {
		return nil, mapErr("replies by id", err)
	}
	for _, r := range replies {
		out[r.ID] = r
	}
	return out, nil
}

// translationLangs maps the translations that replies answer to their languages.
func (s *Store) translationLangs(ctx context.Context, replies []*content.Reply) (map[int64]string, error) {
	var ids []int64
	for _, r := range replies {
		if r.TranslationID != 0 {
			ids = append(ids, r.TranslationID)
		}
	}
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := s.pool.Query(ctx, `SELECT id, lang FROM translations WHERE id = ANY($1)`, ids)
	if err != nil {
		return nil, mapErr("translation languages", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var lang string
		if err := rows.Scan(&id, &lang); err != nil {
			return nil, mapErr("translation languages: scan", err)
		}
		out[id] = lang
	}
	return out, mapErr("translation languages", rows.Err())
}

// authorHistories fills in, for each reply in ids, what its author sent
// before it: counts by state and the latest few.
func (s *Store) authorHistories(ctx context.Context, ids []int64, byID map[int64]*QueueItem) error {
	rows, err := s.pool.Query(ctx, `
		SELECT x.id,
			count(e.id) FILTER (WHERE e.state = 'visible'),
			count(e.id) FILTER (WHERE e.state = 'pending'),
			count(e.id) FILTER (WHERE e.state = 'hidden')
		FROM replies x
		LEFT JOIN replies e ON e.author = x.author AND (e.received_at, e.id) < (x.received_at, x.id)
		WHERE x.id = ANY($1)
		GROUP BY x.id`, ids)
	if err != nil {
		return mapErr("author histories", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var h AuthorHistory
		if err := rows.Scan(&id, &h.Visible, &h.Pending, &h.Hidden); err != nil {
			return mapErr("author histories: scan", err)
		}
		byID[id].Earlier = h
	}
	if err := rows.Err(); err != nil {
		return mapErr("author histories", err)
	}
	rows, err = s.pool.Query(ctx, `
		SELECT x.id, `+replyColumns+`
		FROM replies x
		CROSS JOIN LATERAL (
			SELECT e.id FROM replies e
			WHERE e.author = x.author AND (e.received_at, e.id) < (x.received_at, x.id)
			ORDER BY e.received_at DESC, e.id DESC
			LIMIT $2
		) e
		JOIN replies r ON r.id = e.id
		JOIN remote_actors a ON a.id = r.author
		WHERE x.id = ANY($1)
		ORDER BY x.id, r.received_at DESC, r.id DESC`, ids, historyLength)
	if err != nil {
		return mapErr("author histories: recent", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		r, err := scanReply(rows, &id)
		if err != nil {
			return mapErr("author histories: scan", err)
		}
		it := byID[id]
		it.Earlier.Recent = append(it.Earlier.Recent, &HistoryReply{Reply: r})
	}
	return mapErr("author histories: recent", rows.Err())
}

// ReportItem is an incoming report with what it is about.
type ReportItem struct {
	content.Report
	Reply *content.Reply // the reported reply with its author; nil when the report names none we hold
	Story StoryHeading   // the reported translation, or the story of the reported reply; zero when neither is known
}

// Reports lists incoming reports in state ("open", "resolved", or "" for
// both), open ones first, newest first.
func (s *Store) Reports(ctx context.Context, state string) ([]*ReportItem, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT p.id, p.activity_id, p.reporter, p.comment, p.objects, coalesce(p.reply_id, 0),
			coalesce(p.translation_id, 0), coalesce(t.story_id, 0), coalesce(t.lang, ''), coalesce(t.title, ''),
			coalesce(t.slug, ''), coalesce(t.state = 'published', false), p.state, coalesce(p.resolved_by, 0),
			p.resolved_at, p.created_at
		FROM reports p LEFT JOIN translations t ON t.id = p.translation_id
		WHERE $1 = '' OR p.state = $1
		ORDER BY p.state = 'open' DESC, p.created_at DESC, p.id DESC
		LIMIT 200`, state)
	if err != nil {
		return nil, mapErr("reports", err)
	}
	items, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*ReportItem, error) {
		it := &ReportItem{}
		p := &it.Report
		var resolvedAt *time.Time
		h := &it.Story
		err := row.Scan(&p.ID, &p.ActivityID, &p.Reporter, &p.Comment, &p.Objects, &p.ReplyID,
			&p.TranslationID, &h.ID, &h.Lang, &h.Title, &h.Slug, &h.Published, &p.State, &p.ResolvedBy, &resolvedAt, &p.CreatedAt)
		p.ResolvedAt = timeOrZero(resolvedAt)
		return it, err
	})
	if err != nil {
		return nil, mapErr("reports", err)
	}
	var replyIDs, storyIDs []int64
	for _, it := range items {
		if it.ReplyID != 0 {
			replyIDs = append(replyIDs, it.ReplyID)
		}
	}
	replies, err := s.repliesByID(ctx, replyIDs)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Reply = replies[it.ReplyID]; it.Reply != nil && it.Story.ID == 0 {
			it.Story.ID = it.Reply.StoryID
			storyIDs = append(storyIDs, it.Story.ID)
		}
	}
	headings, err := s.storyHeadings(ctx, storyIDs)
	if err != nil {
		return nil, err
	}
	for _, it := range items {
		if it.Story.ID != 0 && it.Story.Title == "" {
			it.Story = headings[it.Story.ID]
		}
	}
	return items, nil
}

// ModerationCounts says how many replies wait for review and how many
// reports are open, for the desk's navigation.
func (s *Store) ModerationCounts(ctx context.Context) (pending, openReports int, err error) {
	err = s.pool.QueryRow(ctx, `
		SELECT (SELECT count(*) FROM replies WHERE state = 'pending'),
			(SELECT count(*) FROM reports WHERE state = 'open')`).Scan(&pending, &openReports)
	return pending, openReports, mapErr("moderation counts", err)
}
