package store

import (
	"context"
	"fmt"
	"time"
)

// Autosave is a copy of a desk form as it was being typed.
type Autosave struct {
	Fields  map[string]string
	SavedAt time.Time
}

// SaveAutosave keeps what staffID was typing in the form key, replacing
// the previous copy.
func (s *Store) SaveAutosave(ctx context.Context, staffID int64, key string, fields map[string]string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO autosaves (staff_id, key, fields, saved_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (staff_id, key) DO UPDATE SET fields = EXCLUDED.fields, saved_at = EXCLUDED.saved_at`,
		staffID, key, fields, s.now())
	return mapErr("autosave "+key, err)
}

// Autosave returns staffID's copy of the form key, or content.ErrNotFound.
func (s *Store) Autosave(ctx context.Context, staffID int64, key string) (*Autosave, error) {
	a := &Autosave{}
	err := s.pool.QueryRow(ctx, `SELECT fields, saved_at FROM autosaves WHERE staff_id = $1 AND key = $2`, staffID, key).
		Scan(&a.Fields, &a.SavedAt)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("autosave %s of staff %d", key, staffID), err)
	}
	return a, nil
}

// DeleteAutosave forgets staffID's copy of the form key, once the form is
// saved or the copy discarded.
func (s *Store) DeleteAutosave(ctx context.Context, staffID int64, key string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM autosaves WHERE staff_id = $1 AND key = $2`, staffID, key)
	return mapErr("delete autosave "+key, err)
}
