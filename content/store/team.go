package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What editors do to the team list, as the audit log names it.
const (
	ActionTeamAdd    = "team_add"
	ActionTeamEdit   = "team_edit"
	ActionTeamRemove = "team_remove"
)

// TeamMembers lists the team, in order.
func (s *Store) TeamMembers(ctx context.Context) ([]*content.TeamMember, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, position, name, anonymous, roles, photo, link FROM team_members ORDER BY position, id`)
	if err != nil {
		return nil, mapErr("team", err)
	}
	list, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*content.TeamMember, error) {
		m := &content.TeamMember{}
		return m, row.Scan(&m.ID, &m.Position, &m.Name, &m.Anonymous, &m.Roles, &m.Photo, &m.Link)
	})
	return list, mapErr("team", err)
}

// SaveTeamMember adds a member at the end of the list (m.ID 0) or changes
// one.
func (s *Store) SaveTeamMember(ctx context.Context, m *content.TeamMember) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.Roles == nil {
		m.Roles = map[string]string{}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		action := ActionTeamEdit
		var err error
		if m.ID == 0 {
			action = ActionTeamAdd
			err = tx.QueryRow(ctx, `
				INSERT INTO team_members (position, name, anonymous, roles, photo, link)
				VALUES ((SELECT coalesce(max(position), 0) + 1 FROM team_members), $1, $2, $3, $4, $5)
				RETURNING id, position`, m.Name, m.Anonymous, m.Roles, m.Photo, m.Link).Scan(&m.ID, &m.Position)
		} else {
			err = tx.QueryRow(ctx, `
				UPDATE team_members SET name = $2, anonymous = $3, roles = $4, photo = $5, link = $6
				WHERE id = $1 RETURNING position`, m.ID, m.Name, m.Anonymous, m.Roles, m.Photo, m.Link).Scan(&m.Position)
		}
		if err != nil {
			return err
		}
		return s.logActing(ctx, tx, action, fmt.Sprintf("team member %d", m.ID), "")
	})
	return mapErr("save team member", err)
}

// RemoveTeamMember takes a member off the list.
func (s *Store) RemoveTeamMember(ctx context.Context, id int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM team_members WHERE id = $1`, id)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return s.logActing(ctx, tx, ActionTeamRemove, fmt.Sprintf("team member %d", id), "")
	})
	return mapErr(fmt.Sprintf("remove team member %d", id), err)
}

// SetPageShowsTeam says whether the team list shows under a page's text.
func (s *Store) SetPageShowsTeam(ctx context.Context, pageID int64, show bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE site_pages SET shows_team = $2 WHERE id = $1 AND shows_team <> $2`, pageID, show)
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return s.logActing(ctx, tx, ActionTeamEdit, fmt.Sprintf("page %d", pageID), fmt.Sprintf("shows the team list: %v", show))
	})
	return mapErr(fmt.Sprintf("page %d team list", pageID), err)
}
