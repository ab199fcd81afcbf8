package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// CreateStoryWithTranslation inserts a new story together with its first
// translation, in one transaction, so that a translation refused by the
// database (a slug already taken) leaves no story without text behind.
// Problems with either are reported at once in one *content.ValidationError.
func (s *Store) CreateStoryWithTranslation(ctx context.Context, st *content.Story, t *content.Translation) error {
	st.Normalize()
	if t.State == "" {
		t.State = content.StateDraft
	}
	t.Normalize()
	var v content.ValidationError
	for _, err := range []error{st.Validate(), t.Validate()} {
		var ve *content.ValidationError
		if errors.As(err, &ve) {
			for field, msg := range ve.Fields {
				v.Add(field, msg)
			}
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		now := s.now()
		err := tx.QueryRow(ctx, `
			INSERT INTO stories (byline_kind, byline_name, byline_slug, cover_image, pinned, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)
			RETURNING id, created_at, updated_at`,
			st.BylineKind, st.BylineName, st.BylineSlug, st.CoverImage, st.Pinned, now,
		).Scan(&st.ID, &st.CreatedAt, &st.UpdatedAt)
		if err != nil {
			return mapErr("create story", err)
		}
		t.StoryID = st.ID
		if err := s.insertTranslation(ctx, tx, t); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionStoryCreate, translationTarget(t), t.Title)
	})
	if err != nil {
		st.ID, t.ID, t.StoryID = 0, 0, 0
		if isUnique(err, "translations_lang_slug_key") {
			return &content.ValidationError{Fields: map[string]string{"slug": "Another story in this language already uses this slug."}}
		}
		return err
	}
	st.Translations = []*content.Translation{t}
	return nil
}
