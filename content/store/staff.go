package store

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

const staffColumns = `id, email, display_name, password_hash, roles, created_at, disabled_at, totp_secret`

func scanStaff(row pgx.Row) (*content.Staff, error) {
	m := &content.Staff{}
	var disabled *time.Time
	err := row.Scan(&m.ID, &m.Email, &m.DisplayName, &m.PasswordHash, &m.Roles, &m.CreatedAt, &disabled, &m.TOTPSecret)
	m.DisabledAt = timeOrZero(disabled)
	return m, err
}

// validateStaff checks a staff member before it is written. A row without a
// password hash would be an account nobody can log in to, or worse, one a
// future login check mistakes for having no password.
func validateStaff(m *content.Staff) error {
	err := m.Validate()
	if m.PasswordHash != "" {
		return err
	}
	var v content.ValidationError
	if ve, ok := err.(*content.ValidationError); ok {
		v = *ve
	}
	v.Add("password", "Set a password.")
	return v.Err()
}

// CreateStaff validates and inserts a staff member; PasswordHash must be set.
// An email already in use, in any case, is a content.ErrConflict.
func (s *Store) CreateStaff(ctx context.Context, m *content.Staff) error {
	if err := validateStaff(m); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO staff (email, display_name, password_hash, roles, created_at)
			VALUES ($1, $2, $3, $4, $5) RETURNING id, created_at`,
			m.Email, m.DisplayName, m.PasswordHash, m.Roles, s.now()).Scan(&m.ID, &m.CreatedAt)
		if err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionStaffCreate, m.Email, rolesText(m.Roles))
	})
	return mapErr("create staff "+m.Email, err)
}

// StaffByEmail finds a staff member by email, ignoring case.
func (s *Store) StaffByEmail(ctx context.Context, email string) (*content.Staff, error) {
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE lower(email) = lower($1)`, email))
	if err != nil {
		return nil, mapErr("staff by email", err)
	}
	return m, nil
}

// StaffMember returns a staff member by id.
func (s *Store) StaffMember(ctx context.Context, id int64) (*content.Staff, error) {
	m, err := scanStaff(s.pool.QueryRow(ctx, `SELECT `+staffColumns+` FROM staff WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Sprintf("staff %d", id), err)
	}
	return m, nil
}

// StaffList lists every staff member by name.
func (s *Store) StaffList(ctx context.Context) ([]*content.Staff, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+staffColumns+` FROM staff ORDER BY display_name, id`)
	if err != nil {
		return nil, mapErr("staff list", err)
	}
	defer rows.Close()
	var out []*content.Staff
	for rows.Next() {
		m, err := scanStaff(rows)
		if err != nil {
			return nil, mapErr("staff list: scan", err)
		}
		out = append(out, m)
	}
	return out, mapErr("staff list", rows.Err())
}

// UpdateStaff saves a staff member's name, email, roles and password hash.
// An email another member uses is a content.ErrConflict.
func (s *Store) UpdateStaff(ctx context.Context, m *content.Staff) error {
	if err := validateStaff(m); err != nil {
		return err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var oldHash string
		err := tx.QueryRow(ctx, `SELECT password_hash FROM staff WHERE id = $1 FOR UPDATE`, m.ID).Scan(&oldHash)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE staff SET email = $2, display_name = $3, roles = $4, password_hash = $5 WHERE id = $1`,
			m.ID, m.Email, m.DisplayName, m.Roles, m.PasswordHash)
		if err != nil {
			return err
		}
		action := ActionStaffEdit
		if oldHash != m.PasswordHash {
			action = ActionPasswordReset
			if StaffFrom(ctx) == m.ID {
				action = ActionPasswordChange
			}
		}
		return s.logActing(ctx, tx, action, m.Email, rolesText(m.Roles))
	})
	return mapErr(fmt.Sprintf("update staff %d", m.ID), err)
}

// rolesText lists roles for the audit log.
func rolesText(roles []content.Role) string {
	out := make([]string, len(roles))
	for i, r := range roles {
		out[i] = string(r)
	}
	return strings.Join(out, ",")
}
