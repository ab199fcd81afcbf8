package store

import (
	"context"
	"fmt"
	"time"

	"samizdat/content"
)

// TranslationByObjectKey returns the translation whose Article has the given
// key, whatever its state. A key that is not a UUID matches nothing.
func (s *Store) TranslationByObjectKey(ctx context.Context, key string) (*content.Translation, error) {
	t := &content.Translation{}
	if !isObjectKey(key) {
		return nil, fmt.Errorf("store: translation by object key %q: %w", key, content.ErrNotFound)
	}
	// Compared as a uuid, so that the unique index answers: compared as
	// text, every Article fetch and every reply read all translations.
	err := scanTranslation(s.pool.QueryRow(ctx, `SELECT `+translationColumns+` FROM translations t WHERE t.object_key = $1::uuid`, key), t)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("translation by object key %s", key), err)
	}
	return t, nil
}

// PublishedTranslations returns a page of the published translations in lang,
// newest publication first, and how many there are in all: the outbox.
func (s *Store) PublishedTranslations(ctx context.Context, lang string, limit, offset int) ([]*content.Translation, int, error) {
	var total int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM translations WHERE lang = $1 AND state = 'published'`, lang).Scan(&total)
	if err != nil {
		return nil, 0, mapErr(fmt.Sprintf("count published in %s", lang), err)
	}
	ts, err := s.translations(ctx, s.pool, `WHERE t.lang = $1 AND t.state = 'published' ORDER BY t.published_at DESC, t.id DESC LIMIT $2 OFFSET $3`, lang, limit, offset)
	if err != nil {
		return nil, 0, err
	}
	return ts, total, nil
}

// PinnedTranslations returns the published translations in lang of the
// stories editors pinned, newest publication first: the featured collection.
func (s *Store) PinnedTranslations(ctx context.Context, lang string) ([]*content.Translation, error) {
	return s.translations(ctx, s.pool, `
		JOIN stories s ON s.id = t.story_id
		WHERE t.lang = $1 AND t.state = 'published' AND s.pinned
		ORDER BY t.published_at DESC, t.id DESC LIMIT 50`, lang)
}

// FederationUsage is what NodeInfo reports about the publication's activity.
type FederationUsage struct {
	LocalPosts     int // published translations
	ActiveMonth    int // languages with a publication in the last 30 days
	ActiveHalfyear int // languages with a publication in the last 180 days
}

// FederationUsage counts, among langs, published translations and the
// languages that published recently.
func (s *Store) FederationUsage(ctx context.Context, langs []string) (FederationUsage, error) {
	var u FederationUsage
	now := s.now()
	err := s.pool.QueryRow(ctx, `
		SELECT count(*),
			count(DISTINCT lang) FILTER (WHERE published_at > $2),
			count(DISTINCT lang) FILTER (WHERE published_at > $3)
		FROM translations WHERE state = 'published' AND lang = ANY($1)`,
		langs, now.Add(-30*24*time.Hour), now.Add(-180*24*time.Hour),
	).Scan(&u.LocalPosts, &u.ActiveMonth, &u.ActiveHalfyear)
	return u, mapErr("federation usage", err)
}

// isObjectKey reports whether key is an object key as the store writes
// them (object_key::text): a UUID in lower-case hex with hyphens, 8-4-4-4-12.
// Only such a key can name an Article; anything else is refused before it
// reaches PostgreSQL, which would fail to read it as a uuid.
func isObjectKey(key string) bool {
	if len(key) != 36 {
		return false
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		switch i {
		case 8, 13, 18, 23:
			if c != '-' {
				return false
			}
		default:
			if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
				return false
			}
		}
	}
	return true
}

// StoryCover returns the file name of a story's cover image in the media
// directory, or "" when it has none.
func (s *Store) StoryCover(ctx context.Context, storyID int64) (string, error) {
	var file string
	err := s.pool.QueryRow(ctx, `SELECT cover_image FROM stories WHERE id = $1`, storyID).Scan(&file)
	return file, mapErr(fmt.Sprintf("cover of story %d", storyID), err)
}
