package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// CreateStory validates and inserts a story (without translations) and sets its ID.
func (s *Store) CreateStory(ctx context.Context, st *content.Story) error {
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO stories (byline_kind, byline_name, byline_slug, cover_image, pinned, created_at, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $6)
			RETURNING id, created_at, updated_at`,
			st.BylineKind, st.BylineName, st.BylineSlug, st.CoverImage, st.Pinned, now,
		).Scan(&st.ID, &st.CreatedAt, &st.UpdatedAt)
		if err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionStoryCreate, fmt.Sprintf("story %d", st.ID), "")
	})
	return mapErr("create story", err)
}

// UpdateStory saves a story's own fields: byline, cover image and pin, and
// logs in the audit log what changed.
func (s *Store) UpdateStory(ctx context.Context, st *content.Story) error {
	st.Normalize()
	if err := st.Validate(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old content.Story
		err := tx.QueryRow(ctx, `SELECT byline_kind, byline_name, cover_image, pinned FROM stories WHERE id = $1 FOR UPDATE`, st.ID).
			Scan(&old.BylineKind, &old.BylineName, &old.CoverImage, &old.Pinned)
		if err != nil {
			return err
		}
		err = tx.QueryRow(ctx, `
			UPDATE stories SET byline_kind = $2, byline_name = $3, byline_slug = $4,
				cover_image = $5, pinned = $6, updated_at = $7
			WHERE id = $1
			RETURNING updated_at`,
			st.ID, st.BylineKind, st.BylineName, st.BylineSlug, st.CoverImage, st.Pinned, s.now(),
		).Scan(&st.UpdatedAt)
		if err != nil {
			return err
		}
		target := fmt.Sprintf("story %d", st.ID)
		var changes [][2]string
		switch {
		case old.CoverImage != st.CoverImage && st.CoverImage == "":
			changes = append(changes, [2]string{ActionCoverRemove, old.CoverImage})
		case old.CoverImage != st.CoverImage:
			changes = append(changes, [2]string{ActionCover, st.CoverImage})
		}
		if old.Pinned != st.Pinned {
			changes = append(changes, [2]string{map[bool]string{true: ActionPin, false: ActionUnpin}[st.Pinned], ""})
		}
		if old.BylineKind != st.BylineKind || old.BylineName != st.BylineName {
			changes = append(changes, [2]string{ActionByline, string(st.BylineKind) + " " + st.BylineName})
		}
		for _, c := range changes {
			if err := s.logActing(ctx, tx, c[0], target, c[1]); err != nil {
				return err
			}
		}
		return nil
	})
	return mapErr(fmt.Sprintf("update story %d", st.ID), err)
}

const storyColumns = `s.id, s.byline_kind, s.byline_name, s.byline_slug, s.cover_image, s.pinned, s.created_at, s.updated_at`

func scanStory(row pgx.Row, st *content.Story) error {
	return row.Scan(&st.ID, &st.BylineKind, &st.BylineName, &st.BylineSlug, &st.CoverImage, &st.Pinned, &st.CreatedAt, &st.UpdatedAt)
}

// Story returns a story with all its translations, whatever their state.
func (s *Store) Story(ctx context.Context, id int64) (*content.Story, error) {
	st := &content.Story{}
	err := scanStory(s.pool.QueryRow(ctx, `SELECT `+storyColumns+` FROM stories s WHERE s.id = $1`, id), st)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("story %d", id), err)
	}
	ts, err := s.translations(ctx, s.pool, `WHERE t.story_id = $1 ORDER BY t.lang`, id)
	if err != nil {
		return nil, err
	}
	st.Translations = ts
	return st, nil
}

// StoryFilter selects stories for the desk.
type StoryFilter struct {
	State  content.State // stories with at least one translation in this state; "" for all
	Limit  int
	Offset int
}

// Stories lists stories, most recently changed first, with their translations.
func (s *Store) Stories(ctx context.Context, f StoryFilter) ([]*content.Story, error) {
	if f.Limit <= 0 {
		f.Limit = 50
	}
	f.Offset = max(f.Offset, 0)
	where, args := `TRUE`, []any{f.Limit, f.Offset}
	if f.State != "" {
		where = `EXISTS (SELECT 1 FROM translations x WHERE x.story_id = s.id AND x.state = $3)`
		args = append(args, f.State)
	}
	rows, err := s.pool.Query(ctx, `
		SELECT `+storyColumns+` FROM stories s
		WHERE `+where+`
		ORDER BY s.updated_at DESC, s.id DESC
		LIMIT $1 OFFSET $2`, args...)
	if err != nil {
		return nil, mapErr("stories", err)
	}
	var stories []*content.Story
	byID := map[int64]*content.Story{}
	var ids []int64
	for rows.Next() {
		st := &content.Story{}
		if err := scanStory(rows, st); err != nil {
			rows.Close()
			return nil, mapErr("stories: scan", err)
		}
		stories = append(stories, st)
		byID[st.ID] = st
		ids = append(ids, st.ID)
	}
	if err := rows.Err(); err != nil {
		return nil, mapErr("stories", err)
	}
	ts, err := s.translations(ctx, s.pool, `WHERE t.story_id = ANY($1) ORDER BY t.lang`, ids)
	if err != nil {
		return nil, err
	}
	for _, t := range ts {
		byID[t.StoryID].Translations = append(byID[t.StoryID].Translations, t)
	}
	return stories, nil
}
