package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"samizdat/content"
)

// querier is what both a pool and a transaction offer.
type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

const translationColumns = `t.id, t.story_id, t.lang, t.title, t.teaser, t.body_markdown, t.body_html,
	t.slug, t.tags, t.cover_alt, t.state, t.publish_at, t.published_at, t.edited_at,
	coalesce(t.object_key::text, ''), t.created_at, t.updated_at`

// translationScan holds the nullable times of a row while it is scanned.
type translationScan struct {
	t                                *content.Translation
	publishAt, publishedAt, editedAt *time.Time
}

// dest returns the scan destinations for translationColumns.
func (ts *translationScan) dest() []any {
	t := ts.t
	return []any{&t.ID, &t.StoryID, &t.Lang, &t.Title, &t.Teaser, &t.BodyMarkdown, &t.BodyHTML,
		&t.Slug, &t.Tags, &t.CoverAlt, &t.State, &ts.publishAt, &ts.publishedAt, &ts.editedAt,
		&t.ObjectKey, &t.CreatedAt, &t.UpdatedAt}
}

// finish copies the nullable times into the translation.
func (ts *translationScan) finish() {
	ts.t.PublishAt, ts.t.PublishedAt, ts.t.EditedAt = timeOrZero(ts.publishAt), timeOrZero(ts.publishedAt), timeOrZero(ts.editedAt)
}

func scanTranslation(row pgx.Row, t *content.Translation) error {
	ts := translationScan{t: t}
	err := row.Scan(ts.dest()...)
	ts.finish()
	return err
}

// translations runs a query for translations with a fixed WHERE/ORDER tail.
func (s *Store) translations(ctx context.Context, q querier, tail string, args ...any) ([]*content.Translation, error) {
	rows, err := q.Query(ctx, `SELECT `+translationColumns+` FROM translations t `+tail, args...)
	if err != nil {
		return nil, mapErr("translations", err)
	}
	defer rows.Close()
	var out []*content.Translation
	for rows.Next() {
		t := &content.Translation{}
		if err := scanTranslation(rows, t); err != nil {
			return nil, mapErr("translations: scan", err)
		}
		out = append(out, t)
	}
	return out, mapErr("translations", rows.Err())
}

// Translation returns one translation by id, whatever its state.
func (s *Store) Translation(ctx context.Context, id int64) (*content.Translation, error) {
	t := &content.Translation{}
	err := scanTranslation(s.pool.QueryRow(ctx, `SELECT `+translationColumns+` FROM translations t WHERE t.id = $1`, id), t)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("translation %d", id), err)
	}
	return t, nil
}

// TranslationBySlug returns the translation with slug in lang, whatever its
// state: callers decide what a reader may see.
func (s *Store) TranslationBySlug(ctx context.Context, lang, slug string) (*content.Translation, error) {
	t := &content.Translation{}
	err := scanTranslation(s.pool.QueryRow(ctx, `SELECT `+translationColumns+` FROM translations t WHERE t.lang = $1 AND t.slug = $2`, lang, slug), t)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("translation by slug %s/%s", lang, slug), err)
	}
	return t, nil
}

// SlugRedirect returns the current slug of the translation that used to live
// at slug in lang.
func (s *Store) SlugRedirect(ctx context.Context, lang, slug string) (string, error) {
	var current string
	err := s.pool.QueryRow(ctx, `
		SELECT t.slug FROM slug_redirects r JOIN translations t ON t.id = r.translation_id
		WHERE r.lang = $1 AND r.slug = $2`, lang, slug).Scan(&current)
	if err != nil {
		return "", mapErr(fmt.Sprintf("slug redirect %s/%s", lang, slug), err)
	}
	return current, nil
}

// SaveTranslation validates and saves the text of a translation: a new one is
// inserted as a draft; an existing one gets its title, teaser, body, slug,
// tags and image description replaced, and keeps its language and state.
// States change only through SetTranslationState.
//
// Editing a published translation records the edit time, keeps the old slug as
// a redirect when the slug changes, and tells the change hook (an Update
// goes out to the fediverse). Saving text that did not change changes nothing,
// so that pressing Save twice never sends a second Update.
//
// A slug already used in the language, or a second translation of the story
// in one language, is a *content.ValidationError on "slug" or "lang"; a story
// that does not exist is content.ErrNotFound.
func (s *Store) SaveTranslation(ctx context.Context, t *content.Translation) error {
	if t.State == "" {
		t.State = content.StateDraft
	}
	t.Normalize()
	if err := t.Validate(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if t.ID == 0 {
			if err := s.insertTranslation(ctx, tx, t); err != nil {
				return err
			}
			return s.logActing(ctx, tx, ActionTranslationCreate, translationTarget(t), t.Title)
		}
		return s.updateTranslation(ctx, tx, t)
	})
	return err
}

// translationErr maps a failed write of a translation: a taken slug or
// language becomes an error on the form's field.
func translationErr(op string, err error) error {
	var pgErr *pgconn.PgError
	switch {
	case isUnique(err, "translations_lang_slug_key"):
		return &content.ValidationError{Fields: map[string]string{"slug": "Another story in this language already uses this slug."}}
	case isUnique(err, "translations_story_id_lang_key"):
		return &content.ValidationError{Fields: map[string]string{"lang": "This story already has a translation in this language."}}
	case errors.As(err, &pgErr) && pgErr.Code == "23503" && pgErr.ConstraintName == "translations_story_id_fkey":
		return fmt.Errorf("store: %s: story: %w", op, content.ErrNotFound)
	}
	return mapErr(op, err)
}

// sameText reports whether a save would leave a translation as it is.
func sameText(old, t *content.Translation) bool {
	return old.Title == t.Title && old.Teaser == t.Teaser && old.BodyMarkdown == t.BodyMarkdown &&
		old.BodyHTML == t.BodyHTML && old.Slug == t.Slug && slices.Equal(old.Tags, t.Tags) && old.CoverAlt == t.CoverAlt
}

func (s *Store) insertTranslation(ctx context.Context, tx pgx.Tx, t *content.Translation) error {
	now := s.now()
	if t.State != content.StateDraft {
		return &content.ValidationError{Fields: map[string]string{"state": "A new translation starts as a draft."}}
	}
	err := tx.QueryRow(ctx, `
		INSERT INTO translations (story_id, lang, title, teaser, body_markdown, body_html, slug, tags, cover_alt, state, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11)
		RETURNING id, created_at, updated_at`,
		t.StoryID, t.Lang, t.Title, t.Teaser, t.BodyMarkdown, t.BodyHTML, t.Slug, t.Tags, t.CoverAlt, t.State, now,
	).Scan(&t.ID, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return translationErr("insert translation", err)
	}
	if err := s.takeSlug(ctx, tx, t); err != nil {
		return err
	}
	return s.touchStory(ctx, tx, t.StoryID, now)
}

func (s *Store) updateTranslation(ctx context.Context, tx pgx.Tx, t *content.Translation) error {
	old := &content.Translation{}
	err := scanTranslation(tx.QueryRow(ctx, `SELECT `+translationColumns+` FROM translations t WHERE t.id = $1 FOR UPDATE`, t.ID), old)
	if err != nil {
		return mapErr(fmt.Sprintf("update translation %d", t.ID), err)
	}
	if t.Lang != old.Lang {
		// A translation never moves to another language; render its body
		// with the quotes of the language it is in.
		t.Lang = old.Lang
		t.BodyHTML = content.RenderMarkdown(t.Lang, t.BodyMarkdown)
	}
	if sameText(old, t) {
		*t = *old
		return nil
	}
	now := s.now()
	edited := old.EditedAt
	if old.State == content.StatePublished {
		edited = content.NextEditTime(now, old.Updated())
	}
	err = tx.QueryRow(ctx, `
		UPDATE translations SET title = $2, teaser = $3, body_markdown = $4, body_html = $5,
			slug = $6, tags = $7, cover_alt = $8, edited_at = $9, updated_at = $10
		WHERE id = $1
		RETURNING story_id, lang, state, publish_at, published_at, coalesce(object_key::text, ''), created_at, updated_at`,
		t.ID, t.Title, t.Teaser, t.BodyMarkdown, t.BodyHTML, t.Slug, t.Tags, t.CoverAlt, nullTime(edited), now,
	).Scan(&t.StoryID, &t.Lang, &t.State, new(*time.Time), new(*time.Time), &t.ObjectKey, &t.CreatedAt, &t.UpdatedAt)
	if err != nil {
		return translationErr(fmt.Sprintf("update translation %d", t.ID), err)
	}
	t.PublishAt, t.PublishedAt, t.EditedAt = old.PublishAt, old.PublishedAt, edited
	if old.Slug != t.Slug && (old.State == content.StatePublished || old.State == content.StateWithdrawn) {
		_, err := tx.Exec(ctx, `
			INSERT INTO slug_redirects (lang, slug, translation_id) VALUES ($1, $2, $3)
			ON CONFLICT (lang, slug) DO UPDATE SET translation_id = EXCLUDED.translation_id`,
			old.Lang, old.Slug, t.ID)
		if err != nil {
			return mapErr("slug redirect", err)
		}
	}
	if err := s.takeSlug(ctx, tx, t); err != nil {
		return err
	}
	if err := s.touchStory(ctx, tx, t.StoryID, now); err != nil {
		return err
	}
	if err := s.logActing(ctx, tx, ActionStoryEdit, translationTarget(t), t.Title); err != nil {
		return err
	}
	if old.State == content.StatePublished {
		return s.changed(ctx, tx, content.ChangeUpdated, t)
	}
	return nil
}

// takeSlug removes a redirect that pointed elsewhere from a slug now in use.
func (s *Store) takeSlug(ctx context.Context, tx pgx.Tx, t *content.Translation) error {
	_, err := tx.Exec(ctx, `DELETE FROM slug_redirects WHERE lang = $1 AND slug = $2`, t.Lang, t.Slug)
	return mapErr("take slug", err)
}

func (s *Store) touchStory(ctx context.Context, tx pgx.Tx, storyID int64, now time.Time) error {
	_, err := tx.Exec(ctx, `UPDATE stories SET updated_at = $2 WHERE id = $1`, storyID, now)
	return mapErr("touch story", err)
}

// SetTranslationState moves a translation to another state, as
// content.CanTransition allows. Scheduling needs a publishAt in the future.
// Publishing stamps the moment and gives the translation an Article key (a new
// one after a withdrawal: ids are never reused); withdrawing records a
// tombstone for the key. The change hook runs in the same transaction.
func (s *Store) SetTranslationState(ctx context.Context, id int64, to content.State, publishAt time.Time) (*content.Translation, error) {
	var t *content.Translation
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		t, err = s.setState(ctx, tx, id, to, publishAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func (s *Store) setState(ctx context.Context, tx pgx.Tx, id int64, to content.State, publishAt time.Time) (*content.Translation, error) {
	t := &content.Translation{}
	err := scanTranslation(tx.QueryRow(ctx, `SELECT `+translationColumns+` FROM translations t WHERE t.id = $1 FOR UPDATE`, id), t)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("set state of translation %d", id), err)
	}
	if !content.CanTransition(t.State, to) {
		return nil, &content.ValidationError{Fields: map[string]string{"state": fmt.Sprintf("A %s translation cannot become %s.", t.State, to)}}
	}
	now := s.now()
	var change content.ChangeKind
	switch to {
	case content.StateDraft:
		publishAt = time.Time{}
	case content.StateScheduled:
		if !publishAt.After(now) {
			return nil, &content.ValidationError{Fields: map[string]string{"publish_at": "Choose a time in the future."}}
		}
	case content.StatePublished:
		publishAt = time.Time{}
		t.PublishedAt = now
		t.EditedAt = time.Time{}
		change = content.ChangePublished
	case content.StateWithdrawn:
		change = content.ChangeWithdrawn
	}
	err = tx.QueryRow(ctx, `
		UPDATE translations SET
			state = $2,
			publish_at = $3,
			published_at = $4,
			edited_at = $5,
			object_key = CASE WHEN $2 = 'published' AND (object_key IS NULL OR EXISTS (SELECT 1 FROM tombstones x WHERE x.object_key = translations.object_key))
				THEN gen_random_uuid() ELSE object_key END,
			updated_at = $6
		WHERE id = $1
		RETURNING coalesce(object_key::text, ''), updated_at`,
		id, to, nullTime(publishAt), nullTime(t.PublishedAt), nullTime(t.EditedAt), now,
	).Scan(&t.ObjectKey, &t.UpdatedAt)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("set state of translation %d", id), err)
	}
	t.State, t.PublishAt = to, publishAt
	if to == content.StateWithdrawn && t.ObjectKey != "" {
		_, err := tx.Exec(ctx, `INSERT INTO tombstones (object_key, translation_id, deleted_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING`, t.ObjectKey, id, now)
		if err != nil {
			return nil, mapErr("tombstone", err)
		}
	}
	if err := s.touchStory(ctx, tx, t.StoryID, now); err != nil {
		return nil, err
	}
	detail := t.Title
	if to == content.StateScheduled {
		detail = publishAt.UTC().Format(time.RFC3339) + " " + t.Title
	}
	if err := s.logActing(ctx, tx, stateActions[to], translationTarget(t), detail); err != nil {
		return nil, err
	}
	if change != "" {
		if err := s.changed(ctx, tx, change, t); err != nil {
			return nil, err
		}
	}
	return t, nil
}

// stateActions name a translation's change of state in the audit log.
var stateActions = map[content.State]string{
	content.StateDraft:     ActionUnschedule,
	content.StateScheduled: ActionSchedule,
	content.StatePublished: ActionPublish,
	content.StateWithdrawn: ActionWithdraw,
}

// PublishDue publishes every scheduled translation whose time has come and
// returns how many it published. Each is stamped with the moment it actually
// goes out, so a late run never sends a story that looks hours old
// (docs/federation.md#mastodon-realtime-window).
func (s *Store) PublishDue(ctx context.Context) (int, error) {
	rows, err := s.pool.Query(ctx, `SELECT id FROM translations WHERE state = 'scheduled' AND publish_at <= $1 ORDER BY publish_at`, s.now())
	if err != nil {
		return 0, mapErr("due translations", err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		return 0, mapErr("due translations", err)
	}
	n := 0
	for _, id := range ids {
		err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
			var state content.State
			if err := tx.QueryRow(ctx, `SELECT state FROM translations WHERE id = $1 FOR UPDATE`, id).Scan(&state); err != nil {
				return mapErr("due translation", err)
			}
			if state != content.StateScheduled {
				return nil // someone else got there first
			}
			_, err := s.setState(ctx, tx, id, content.StatePublished, time.Time{})
			if err == nil {
				n++
			}
			return err
		})
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// IsTombstoned reports whether an Article key was withdrawn.
func (s *Store) IsTombstoned(ctx context.Context, objectKey string) (bool, error) {
	var ok bool
	if !isObjectKey(objectKey) {
		return false, nil
	}
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM tombstones WHERE object_key = $1::uuid)`, objectKey).Scan(&ok)
	return ok, mapErr("tombstone", err)
}
