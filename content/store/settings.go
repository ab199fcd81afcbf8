package store

import (
	"context"
	"errors"

	"github.com/jackc/pgx/v5"
)

// Setting returns the value of a run-time setting, or def when it is not set.
func (s *Store) Setting(ctx context.Context, key, def string) (string, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return def, nil
	}
	if err != nil {
		return "", mapErr("setting "+key, err)
	}
	return v, nil
}

// SetSetting changes a run-time setting and logs the change as the staff
// member in ctx's. Setting the value in force changes and logs nothing.
func (s *Store) SetSetting(ctx context.Context, key, value string) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `
			INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at
			WHERE settings.value IS DISTINCT FROM EXCLUDED.value`, key, value, s.now())
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		return s.logActing(ctx, tx, ActionSetting, key, value)
	})
	return mapErr("set setting "+key, err)
}
