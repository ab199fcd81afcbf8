package store

import (
	"context"
	"fmt"
	"strconv"

	"samizdat/content"
)

// PageVersion names a published page and the version of everything it
// shows.
type PageVersion struct {
	TranslationID int64
	State         content.State
	Version       string
}

// TranslationPageVersion finds the translation with slug in lang, whatever
// its state, and the version of everything its page shows, kept by the
// triggers of migration 005 on the story, its translations, its visible
// replies and their authors, and its reactions. Both come from one
// statement and so one snapshot: a page rendered from data read after this
// call is at least as new as the version, and may be served again for as
// long as the version is the current one (web/page_cache.go). Only the
// translation's id and state are read, not its text: a page served from a
// cache needs no more.
func (s *Store) TranslationPageVersion(ctx context.Context, lang, slug string) (*PageVersion, error) {
	v := &PageVersion{}
	var version int64
	err := s.pool.QueryRow(ctx, `
		SELECT t.id, t.state, coalesce(v.version, 0)
		FROM translations t LEFT JOIN page_versions v ON v.story_id = t.story_id
		WHERE t.lang = $1 AND t.slug = $2`, lang, slug).Scan(&v.TranslationID, &v.State, &version)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("translation page %s/%s", lang, slug), err)
	}
	v.Version = strconv.FormatInt(version, 10)
	return v, nil
}

// CatalogVersion is the version of the lists of stories (sections, tags,
// bylines): it changes with any change to a story or a translation, in the
// same transaction (migration 005).
func (s *Store) CatalogVersion(ctx context.Context) (string, error) {
	var version int64
	err := s.pool.QueryRow(ctx, `SELECT version FROM catalog_version`).Scan(&version)
	if err != nil {
		return "", mapErr("catalog version", err)
	}
	return strconv.FormatInt(version, 10), nil
}
