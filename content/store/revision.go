package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ActionOutdatedDismiss is the audit log's name for a translator saying a
// translation follows its original although the original changed.
const ActionOutdatedDismiss = "outdated_dismiss"

// Revision is one saved text of a translation (migration 027).
type Revision struct {
	ID            int64
	TranslationID int64
	Title         string
	Teaser        string
	BodyMarkdown  string
	Slug          string
	Tags          []string
	CoverAlt      string
	SavedAt       time.Time
}

const revisionColumns = `id, translation_id, title, teaser, body_markdown, slug, tags, cover_alt, saved_at`

func scanRevision(row pgx.Row) (*Revision, error) {
	r := &Revision{}
	return r, row.Scan(&r.ID, &r.TranslationID, &r.Title, &r.Teaser, &r.BodyMarkdown, &r.Slug, &r.Tags, &r.CoverAlt, &r.SavedAt)
}

// Revisions lists a translation's saved texts, newest first.
func (s *Store) Revisions(ctx context.Context, translationID int64) ([]*Revision, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+revisionColumns+` FROM translation_revisions
		WHERE translation_id = $1 ORDER BY saved_at DESC, id DESC`, translationID)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("revisions of %d", translationID), err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*Revision, error) { return scanRevision(row) })
	return list, mapErr(fmt.Sprintf("revisions of %d", translationID), err)
}

// Revision returns one saved text of a translation.
func (s *Store) Revision(ctx context.Context, translationID, id int64) (*Revision, error) {
	r, err := scanRevision(s.pool.QueryRow(ctx, `SELECT `+revisionColumns+` FROM translation_revisions
		WHERE translation_id = $1 AND id = $2`, translationID, id))
	if err != nil {
		return nil, mapErr(fmt.Sprintf("revision %d of %d", id, translationID), err)
	}
	return r, nil
}

// OutdatedTranslations returns, of a story's translations other than the
// one in originalLang, those whose original text was saved after they were
// last saved or dismissed: by language, the time the original changed.
func (s *Store) OutdatedTranslations(ctx context.Context, storyID int64, originalLang string) (map[string]time.Time, error) {
	rows, err := s.pool.Query(ctx, `
		WITH last AS (
			SELECT t.id, t.lang, t.original_seen_at,
				(SELECT max(saved_at) FROM translation_revisions r WHERE r.translation_id = t.id) AS saved
			FROM translations t WHERE t.story_id = $1
		)
		SELECT l.lang, o.saved
		FROM last l, last o
		WHERE o.lang = $2 AND l.lang <> $2
			AND o.saved > greatest(l.saved, coalesce(l.original_seen_at, '-infinity'))`, storyID, originalLang)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("outdated translations of story %d", storyID), err)
	}
	defer rows.Close()
	out := map[string]time.Time{}
	for rows.Next() {
		var lang string
		var at time.Time
		if err := rows.Scan(&lang, &at); err != nil {
			return nil, mapErr("outdated translations", err)
		}
		out[lang] = at
	}
	return out, mapErr("outdated translations", rows.Err())
}

// DismissOutdated records that a translation follows its original as it is
// now, which takes away the "out of date" mark until the original changes
// again.
func (s *Store) DismissOutdated(ctx context.Context, translationID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var storyID int64
		var lang string
		if err := tx.QueryRow(ctx, `UPDATE translations SET original_seen_at = clock_timestamp() WHERE id = $1 RETURNING story_id, lang`,
			translationID).Scan(&storyID, &lang); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionOutdatedDismiss, fmt.Sprintf("story %d %s", storyID, lang), "")
	})
	return mapErr(fmt.Sprintf("dismiss outdated %d", translationID), err)
}
