package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What editors do to static pages, as the audit log names it.
const (
	ActionPageCreate    = "page_create"
	ActionPageEdit      = "page_edit"
	ActionPageTranslate = "page_translate"
	ActionPagePublish   = "page_publish"
	ActionPageUnpublish = "page_unpublish"
	ActionPageDelete    = "page_delete"
)

const pageColumns = `page_id, lang, slug, title, body_markdown, body_html, state, updated_at`

func scanPage(row pgx.Row) (*content.Page, error) {
	p := &content.Page{}
	return p, row.Scan(&p.PageID, &p.Lang, &p.Slug, &p.Title, &p.BodyMarkdown, &p.BodyHTML, &p.State, &p.UpdatedAt)
}

// Page returns a static page in lang by its slug, in any state.
func (s *Store) Page(ctx context.Context, lang, slug string) (*content.Page, error) {
	p, err := scanPage(s.pool.QueryRow(ctx, `SELECT `+pageColumns+` FROM pages WHERE lang = $1 AND slug = $2`, lang, slug))
	if err != nil {
		return nil, mapErr(fmt.Sprintf("page %s/%s", lang, slug), err)
	}
	return p, nil
}

// PageWithSlug returns the page that has this slug in lang (published or
// not) or in a published language, for telling a reader who asked for it
// in lang that it is not translated yet. When several pages use the slug
// the oldest wins.
func (s *Store) PageWithSlug(ctx context.Context, lang, slug string) (*content.SitePage, error) {
	var id int64
	err := s.pool.QueryRow(ctx, `
		SELECT page_id FROM pages WHERE slug = $1 AND (lang = $2 OR state = 'published')
		ORDER BY page_id LIMIT 1`, slug, lang).Scan(&id)
	if err != nil {
		return nil, mapErr("page with slug "+slug, err)
	}
	return s.SitePage(ctx, id)
}

// SitePage returns a static page with all its languages.
func (s *Store) SitePage(ctx context.Context, id int64) (*content.SitePage, error) {
	pages, err := s.sitePages(ctx, `WHERE sp.id = $1`, id)
	if err != nil {
		return nil, err
	}
	if len(pages) == 0 {
		return nil, fmt.Errorf("store: page %d: %w", id, content.ErrNotFound)
	}
	return pages[0], nil
}

// SitePages lists every static page with its languages, oldest first.
func (s *Store) SitePages(ctx context.Context) ([]*content.SitePage, error) {
	return s.sitePages(ctx, ``)
}

// sitePages reads pages and their languages; where is a fixed fragment.
func (s *Store) sitePages(ctx context.Context, where string, args ...any) ([]*content.SitePage, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT sp.id, sp.created_at, sp.shows_team, `+pageColumns+`
		FROM site_pages sp JOIN pages p ON p.page_id = sp.id `+where+`
		ORDER BY sp.id, p.lang`, args...)
	if err != nil {
		return nil, mapErr("pages", err)
	}
	defer rows.Close()
	var out []*content.SitePage
	for rows.Next() {
		sp := &content.SitePage{}
		p := &content.Page{}
		if err := rows.Scan(&sp.ID, &sp.CreatedAt, &sp.ShowsTeam, &p.PageID, &p.Lang, &p.Slug, &p.Title, &p.BodyMarkdown, &p.BodyHTML, &p.State, &p.UpdatedAt); err != nil {
			return nil, mapErr("pages", err)
		}
		if n := len(out); n > 0 && out[n-1].ID == sp.ID {
			out[n-1].Translations = append(out[n-1].Translations, p)
			continue
		}
		sp.Translations = []*content.Page{p}
		out = append(out, sp)
	}
	return out, mapErr("pages", rows.Err())
}

// SavePage stores a page as the demo loads it: published, in the page that
// has the same slug in another language, or a new one. Editors' changes go
// through CreatePage and SavePageTranslation instead.
func (s *Store) SavePage(ctx context.Context, p *content.Page) error {
	p.State = content.StatePublished
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	p.BodyHTML = content.RenderMarkdown(p.Lang, p.BodyMarkdown)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `SELECT page_id FROM pages WHERE slug = $1 ORDER BY page_id LIMIT 1`, p.Slug).Scan(&p.PageID)
		if errors.Is(err, pgx.ErrNoRows) {
			// The demo's team page shows the team list, as migration 023
			// marks the one loaded before it.
			err = tx.QueryRow(ctx, `INSERT INTO site_pages (created_at, shows_team) VALUES ($1, $2) RETURNING id`,
				s.now(), p.Slug == "team").Scan(&p.PageID)
		}
		if err != nil {
			return err
		}
		return tx.QueryRow(ctx, `
			INSERT INTO pages (page_id, lang, slug, title, body_markdown, body_html, state, updated_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (lang, slug) DO UPDATE SET title = EXCLUDED.title, body_markdown = EXCLUDED.body_markdown,
				body_html = EXCLUDED.body_html, updated_at = EXCLUDED.updated_at
			RETURNING page_id, updated_at`,
			p.PageID, p.Lang, p.Slug, p.Title, p.BodyMarkdown, p.BodyHTML, p.State, s.now()).Scan(&p.PageID, &p.UpdatedAt)
	})
	return mapErr(fmt.Sprintf("save page %s/%s", p.Lang, p.Slug), err)
}

// CreatePage creates a static page with its first language, p, as a draft,
// and sets p.PageID. A slug another page of that language has is a
// validation error on the slug.
func (s *Store) CreatePage(ctx context.Context, p *content.Page) error {
	p.State = content.StateDraft
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	p.BodyHTML = content.RenderMarkdown(p.Lang, p.BodyMarkdown)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := tx.QueryRow(ctx, `INSERT INTO site_pages (created_at) VALUES ($1) RETURNING id`, s.now()).Scan(&p.PageID); err != nil {
			return err
		}
		if err := s.insertPage(ctx, tx, p); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionPageCreate, pageTarget(p), p.Title)
	})
	return pageErr(fmt.Sprintf("create page %s/%s", p.Lang, p.Slug), err)
}

// SavePageTranslation saves the text of page p.PageID in p.Lang, adding
// that language when the page lacks it (as a draft) and keeping its state
// otherwise. p.State is set to the saved state.
func (s *Store) SavePageTranslation(ctx context.Context, p *content.Page) error {
	p.Normalize()
	if err := p.Validate(); err != nil {
		return err
	}
	p.BodyHTML = content.RenderMarkdown(p.Lang, p.BodyMarkdown)
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			UPDATE pages SET slug = $3, title = $4, body_markdown = $5, body_html = $6, updated_at = $7
			WHERE page_id = $1 AND lang = $2
			RETURNING state, updated_at`,
			p.PageID, p.Lang, p.Slug, p.Title, p.BodyMarkdown, p.BodyHTML, s.now()).Scan(&p.State, &p.UpdatedAt)
		action := ActionPageEdit
		if errors.Is(err, pgx.ErrNoRows) {
			p.State, action = content.StateDraft, ActionPageTranslate
			err = s.insertPage(ctx, tx, p)
		}
		if err != nil {
			return err
		}
		return s.logActing(ctx, tx, action, pageTarget(p), p.Title)
	})
	return pageErr(fmt.Sprintf("save page %d %s", p.PageID, p.Lang), err)
}

func (s *Store) insertPage(ctx context.Context, tx pgx.Tx, p *content.Page) error {
	return tx.QueryRow(ctx, `
		INSERT INTO pages (page_id, lang, slug, title, body_markdown, body_html, state, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		RETURNING updated_at`,
		p.PageID, p.Lang, p.Slug, p.Title, p.BodyMarkdown, p.BodyHTML, p.State, s.now()).Scan(&p.UpdatedAt)
}

// pageErr maps a slug another page of the language holds to a validation
// error on the slug, which the desk shows on its field.
func pageErr(op string, err error) error {
	if isUnique(err, "pages_pkey") {
		var v content.ValidationError
		v.Add("slug", "Another page in this language already has this address: choose another slug.")
		return &v
	}
	if isUnique(err, "pages_page_lang") {
		return fmt.Errorf("store: %s: %w", op, content.ErrConflict)
	}
	return mapErr(op, err)
}

// SetPageState publishes a page's language or takes it back to a draft.
func (s *Store) SetPageState(ctx context.Context, pageID int64, lang string, to content.State) error {
	if to != content.StateDraft && to != content.StatePublished {
		return &content.ValidationError{Fields: map[string]string{"state": "A page is either a draft or published."}}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var title string
		err := tx.QueryRow(ctx, `
			UPDATE pages SET state = $3, updated_at = CASE WHEN state = $3 THEN updated_at ELSE $4 END
			WHERE page_id = $1 AND lang = $2 RETURNING title`, pageID, lang, to, s.now()).Scan(&title)
		if err != nil {
			return err
		}
		action := ActionPagePublish
		if to == content.StateDraft {
			action = ActionPageUnpublish
		}
		return s.logActing(ctx, tx, action, pageTarget(&content.Page{PageID: pageID, Lang: lang}), title)
	})
	return mapErr(fmt.Sprintf("page %d %s state", pageID, lang), err)
}

// DeletePage deletes a static page in every language.
func (s *Store) DeletePage(ctx context.Context, pageID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var titles []string
		rows, err := tx.Query(ctx, `DELETE FROM pages WHERE page_id = $1 RETURNING lang || ': ' || title`, pageID)
		if err != nil {
			return err
		}
		if titles, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM site_pages WHERE id = $1`, pageID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return s.logActing(ctx, tx, ActionPageDelete, fmt.Sprintf("page %d", pageID), fmt.Sprint(titles))
	})
	return mapErr(fmt.Sprintf("delete page %d", pageID), err)
}

// pageTarget names a page's language in the audit log.
func pageTarget(p *content.Page) string { return fmt.Sprintf("page %d %s", p.PageID, p.Lang) }
