package store

import (
	"context"
	"strconv"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// EntryFilter selects published translations for the public lists.
type EntryFilter struct {
	Lang       string // required
	Tag        string // only translations with this tag
	BylineSlug string // only stories credited to this byline
	Limit      int
	Offset     int
}

// Entries lists published translations in a language, newest first, with
// their stories, and the total number that match (for paging).
func (s *Store) Entries(ctx context.Context, f EntryFilter) ([]*content.Entry, int, error) {
	if f.Limit <= 0 {
		f.Limit = 20
	}
	f.Offset = max(f.Offset, 0) // a page number typed into an address
	where := `t.lang = $1 AND t.state = 'published'`
	args := []any{f.Lang}
	if f.Tag != "" {
		args = append(args, []string{f.Tag})
		where += ` AND t.tags @> $2`
	}
	if f.BylineSlug != "" {
		args = append(args, f.BylineSlug)
		where += ` AND s.byline_slug = $` + itoa(len(args))
	}
	var total int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM translations t JOIN stories s ON s.id = t.story_id WHERE `+where, args...).Scan(&total)
	if err != nil {
		return nil, 0, mapErr("count entries", err)
	}
	args = append(args, f.Limit, f.Offset)
	rows, err := s.pool.Query(ctx, `
		SELECT `+translationColumns+`, `+storyColumns+`
		FROM translations t JOIN stories s ON s.id = t.story_id
		WHERE `+where+`
		ORDER BY t.published_at DESC, t.id DESC
		LIMIT $`+itoa(len(args)-1)+` OFFSET $`+itoa(len(args)), args...)
	if err != nil {
		return nil, 0, mapErr("entries", err)
	}
	defer rows.Close()
	var out []*content.Entry
	for rows.Next() {
		e := &content.Entry{Translation: &content.Translation{}, Story: &content.Story{}}
		if err := scanEntry(rows, e); err != nil {
			return nil, 0, mapErr("entries: scan", err)
		}
		out = append(out, e)
	}
	return out, total, mapErr("entries", rows.Err())
}

func scanEntry(row pgx.Row, e *content.Entry) error {
	ts := translationScan{t: e.Translation}
	st := e.Story
	err := row.Scan(append(ts.dest(), &st.ID, &st.BylineKind, &st.BylineName, &st.BylineSlug, &st.CoverImage, &st.Pinned, &st.CreatedAt, &st.UpdatedAt)...)
	ts.finish()
	return err
}

// PublishedLanguages returns, for each story id given, the languages it is
// published in, so lists can say which translations exist.
func (s *Store) PublishedLanguages(ctx context.Context, storyIDs []int64) (map[int64][]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT story_id, array_agg(lang ORDER BY lang) FROM translations
		WHERE story_id = ANY($1) AND state = 'published' GROUP BY story_id`, storyIDs)
	if err != nil {
		return nil, mapErr("published languages", err)
	}
	defer rows.Close()
	out := map[int64][]string{}
	for rows.Next() {
		var id int64
		var langs []string
		if err := rows.Scan(&id, &langs); err != nil {
			return nil, mapErr("published languages: scan", err)
		}
		out[id] = langs
	}
	return out, mapErr("published languages", rows.Err())
}

// Tags returns the tags in use by published translations in lang, with counts,
// most used first, at most limit of them (100 when limit is zero or less, as
// Entries has a default page).
func (s *Store) Tags(ctx context.Context, lang string, limit int) ([]content.TagCount, error) {
	if limit <= 0 {
		limit = 100
	}
	rows, err := s.pool.Query(ctx, `
		SELECT tag, count(*) FROM translations, unnest(tags) AS tag
		WHERE lang = $1 AND state = 'published'
		GROUP BY tag ORDER BY count(*) DESC, tag LIMIT $2`, lang, limit)
	if err != nil {
		return nil, mapErr("tags", err)
	}
	defer rows.Close()
	var out []content.TagCount
	for rows.Next() {
		var tc content.TagCount
		if err := rows.Scan(&tc.Tag, &tc.Count); err != nil {
			return nil, mapErr("tags: scan", err)
		}
		out = append(out, tc)
	}
	return out, mapErr("tags", rows.Err())
}

func itoa(i int) string { return strconv.Itoa(i) }
