package store

import (
	"context"
	"fmt"

	"samizdat/content"
)

// Page returns a static page.
func (s *Store) Page(ctx context.Context, lang, slug string) (*content.Page, error) {
	p := &content.Page{}
	err := s.pool.QueryRow(ctx, `SELECT lang, slug, title, body_markdown, body_html, updated_at FROM pages WHERE lang = $1 AND slug = $2`, lang, slug).
		Scan(&p.Lang, &p.Slug, &p.Title, &p.BodyMarkdown, &p.BodyHTML, &p.UpdatedAt)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("page %s/%s", lang, slug), err)
	}
	return p, nil
}

// SavePage renders and stores a static page, replacing any earlier version.
func (s *Store) SavePage(ctx context.Context, p *content.Page) error {
	p.BodyHTML = content.RenderMarkdown(p.Lang, p.BodyMarkdown)
	err := s.pool.QueryRow(ctx, `
		INSERT INTO pages (lang, slug, title, body_markdown, body_html, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (lang, slug) DO UPDATE SET title = EXCLUDED.title, body_markdown = EXCLUDED.body_markdown,
			body_html = EXCLUDED.body_html, updated_at = EXCLUDED.updated_at
		RETURNING updated_at`,
		p.Lang, p.Slug, p.Title, p.BodyMarkdown, p.BodyHTML, s.now()).Scan(&p.UpdatedAt)
	return mapErr(fmt.Sprintf("save page %s/%s", p.Lang, p.Slug), err)
}
