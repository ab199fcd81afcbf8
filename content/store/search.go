package store

import (
	"context"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Search markers: ts_headline wraps each matched word in these, and the
// website turns them into <mark> after escaping everything else, so no HTML
// from the database is ever trusted. They are private-use characters, and
// taken out of the text searched, so a story cannot forge them.
const (
	MarkStart = "\uE000"
	MarkStop  = "\uE001"
)

// SearchHit is one story or page that matches a search.
type SearchHit struct {
	Kind        string // "story" or "page"
	Slug        string
	Title       string // with the matched words between MarkStart and MarkStop
	Snippet     string // plain text around the matches, marked the same way
	BylineName  string // a story's byline; "" for the publication's own and for pages
	PublishedAt time.Time
	StoryID     int64
}

// SearchFilter is a search in one language's published stories and pages.
type SearchFilter struct {
	Lang   string
	Query  string // what the reader typed, in web search syntax ("quotes", or, -not)
	Limit  int    // 10 when zero or less
	Offset int
}

// Search finds the published stories and pages of f.Lang that match
// f.Query, by title, tags, teaser, text and (for stories) byline, best
// first, and returns one page of them and how many match in all. The
// query is parsed by websearch_to_tsquery, which accepts any text; it is
// stemmed with the language's configuration (migration 014), the byline
// matched word for word. Text that is not valid UTF-8, or holds NUL, is
// cleaned first: PostgreSQL refuses both.
func (s *Store) Search(ctx context.Context, f SearchFilter) ([]*SearchHit, int, error) {
	if f.Limit <= 0 {
		f.Limit = 10
	}
	q := strings.ReplaceAll(strings.ToValidUTF8(f.Query, ""), "\x00", "")
	if strings.TrimSpace(q) == "" {
		return nil, 0, nil
	}
	marks := "StartSel=" + MarkStart + ", StopSel=" + MarkStop
	rows, err := s.pool.Query(ctx, searchQuery, f.Lang, q, f.Limit, max(f.Offset, 0),
		marks+", HighlightAll=true", marks+`, MaxWords=30, MinWords=12, MaxFragments=2, FragmentDelimiter=" … "`)
	if err != nil {
		return nil, 0, mapErr("search "+f.Lang, err)
	}
	total := 0
	hits, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*SearchHit, error) {
		h := &SearchHit{}
		return h, row.Scan(&h.Kind, &h.Slug, &h.Title, &h.Snippet, &h.BylineName, &h.PublishedAt, &h.StoryID, &total)
	})
	if err != nil {
		return nil, 0, mapErr("search "+f.Lang, err)
	}
	return hits, total, nil
}

// searchQuery ranks in the inner query, which the GIN indexes serve, and
// draws headlines (the costly part) only for the page shown. Markdown and
// HTML tags are taken out of the text a snippet is cut from, and the
// markers out of everything; HTML entities stay and the website decodes
// them.
const searchQuery = `
	WITH q AS (
		SELECT samizdat_ts_config($1) AS cfg,
			websearch_to_tsquery(samizdat_ts_config($1), $2) AS tq,
			websearch_to_tsquery('simple', $2) AS bq
	), hits AS (
		SELECT 'story' AS kind, t.slug, t.title, t.teaser || ' ' || regexp_replace(t.body_html, '<[^>]*>', ' ', 'g') AS body,
			CASE WHEN s.byline_kind = 'publication' THEN '' ELSE s.byline_name END AS byline,
			t.published_at AS at, s.id AS story_id,
			ts_rank(t.search, q.tq) + CASE WHEN s.byline_search @@ q.bq THEN 0.5 ELSE 0 END AS rank
		FROM translations t JOIN stories s ON s.id = t.story_id, q
		WHERE t.lang = $1 AND t.state = 'published'
			AND (t.search @@ q.tq OR (s.byline_kind <> 'publication' AND s.byline_search @@ q.bq))
		UNION ALL
		SELECT 'page', p.slug, p.title, regexp_replace(p.body_html, '<[^>]*>', ' ', 'g'), '', p.updated_at, 0,
			ts_rank(p.search, q.tq)
		FROM pages p, q
		WHERE p.lang = $1 AND p.state = 'published' AND p.search @@ q.tq
	), page AS (
		SELECT *, count(*) OVER () AS total FROM hits
		ORDER BY rank DESC, at DESC, slug
		LIMIT $3 OFFSET $4
	)
	SELECT page.kind, page.slug,
		ts_headline(q.cfg, translate(page.title, E'\uE000\uE001', ''), q.tq, $5),
		ts_headline(q.cfg, translate(page.body, E'\uE000\uE001', ''), q.tq, $6),
		page.byline, page.at, page.story_id, page.total
	FROM page, q
	ORDER BY page.rank DESC, page.at DESC, page.slug`
