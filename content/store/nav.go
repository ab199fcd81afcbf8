package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What editors do to the navigation, as the audit log names it.
const ActionNavigation = "navigation"

// NavLinks returns the links of the header and the footer, in order, each
// page link with where it leads in the languages its page is published in.
func (s *Store) NavLinks(ctx context.Context) ([]*content.NavLink, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT n.id, n.place, n.position, n.kind, coalesce(n.page_id, 0), n.url, n.labels,
			coalesce((SELECT jsonb_object_agg(p.lang, jsonb_build_object('Slug', p.slug, 'Title', p.title))
				FROM pages p WHERE p.page_id = n.page_id AND p.state = 'published'), '{}')
		FROM nav_links n ORDER BY n.place, n.position, n.id`)
	if err != nil {
		return nil, mapErr("navigation", err)
	}
	links, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*content.NavLink, error) {
		l := &content.NavLink{}
		return l, row.Scan(&l.ID, &l.Place, &l.Position, &l.Kind, &l.PageID, &l.URL, &l.Labels, &l.Pages)
	})
	return links, mapErr("navigation", err)
}

// AddNavLink adds a link at the end of its place.
func (s *Store) AddNavLink(ctx context.Context, l *content.NavLink) error {
	if err := l.Validate(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := s.insertNavLink(ctx, tx, l); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionNavigation, l.Place, "added a link to "+navTarget(l))
	})
	return mapErr("add navigation link", err)
}

func (s *Store) insertNavLink(ctx context.Context, tx pgx.Tx, l *content.NavLink) error {
	if l.Labels == nil {
		l.Labels = map[string]string{}
	}
	return tx.QueryRow(ctx, `
		INSERT INTO nav_links (place, position, kind, page_id, url, labels)
		VALUES ($1, (SELECT coalesce(max(position), 0) + 1 FROM nav_links WHERE place = $1), $2, $3, $4, $5)
		RETURNING id, position`,
		l.Place, l.Kind, nullID(l.PageID), l.URL, l.Labels).Scan(&l.ID, &l.Position)
}

// SetNavLinks replaces the links of a place with links, in their order:
// how the desk turns the built-in links into links of the editors' own.
func (s *Store) SetNavLinks(ctx context.Context, place string, links []*content.NavLink) error {
	for _, l := range links {
		l.Place = place
		if err := l.Validate(); err != nil {
			return err
		}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM nav_links WHERE place = $1`, place); err != nil {
			return err
		}
		for _, l := range links {
			if err := s.insertNavLink(ctx, tx, l); err != nil {
				return err
			}
		}
		return s.logActing(ctx, tx, ActionNavigation, place, fmt.Sprintf("set %d links", len(links)))
	})
	return mapErr("set navigation "+place, err)
}

// SetNavLabels changes a link's labels.
func (s *Store) SetNavLabels(ctx context.Context, id int64, labels map[string]string) error {
	l := &content.NavLink{Place: content.NavHeader, Kind: content.NavSection, Labels: labels}
	if err := l.Validate(); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var place string
		if err := tx.QueryRow(ctx, `UPDATE nav_links SET labels = $2 WHERE id = $1 RETURNING place`, id, labels).Scan(&place); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionNavigation, place, fmt.Sprintf("relabelled link %d", id))
	})
	return mapErr(fmt.Sprintf("navigation link %d", id), err)
}

// MoveNavLink swaps a link with its neighbour before (up) or after it.
func (s *Store) MoveNavLink(ctx context.Context, id int64, up bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var place string
		var pos int
		if err := tx.QueryRow(ctx, `SELECT place, position FROM nav_links WHERE id = $1 FOR UPDATE`, id).Scan(&place, &pos); err != nil {
			return err
		}
		q := `SELECT id, position FROM nav_links WHERE place = $1 AND position > $2 ORDER BY position LIMIT 1 FOR UPDATE`
		if up {
			q = `SELECT id, position FROM nav_links WHERE place = $1 AND position < $2 ORDER BY position DESC LIMIT 1 FOR UPDATE`
		}
		var other int64
		var otherPos int
		if err := tx.QueryRow(ctx, q, place, pos).Scan(&other, &otherPos); err != nil {
			if err == pgx.ErrNoRows {
				return nil // first or last already
			}
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE nav_links SET position = CASE id WHEN $1 THEN $3::int ELSE $4::int END WHERE id IN ($1, $2)`,
			id, other, otherPos, pos); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionNavigation, place, fmt.Sprintf("moved link %d", id))
	})
	return mapErr(fmt.Sprintf("move navigation link %d", id), err)
}

// RemoveNavLink removes a link.
func (s *Store) RemoveNavLink(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var place string
		if err := tx.QueryRow(ctx, `DELETE FROM nav_links WHERE id = $1 RETURNING place`, id).Scan(&place); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionNavigation, place, fmt.Sprintf("removed link %d", id))
	})
	return mapErr(fmt.Sprintf("remove navigation link %d", id), err)
}

func navTarget(l *content.NavLink) string {
	switch l.Kind {
	case content.NavPage:
		return fmt.Sprintf("page %d", l.PageID)
	case content.NavURL:
		return l.URL
	}
	return l.Kind
}
