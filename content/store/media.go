package store

import (
	"context"
	"fmt"
	"time"
)

// Media is an image kept in the media table: an upload, an actor's avatar
// or header, or a copy of a remote image. Its name carries the SHA-256 of
// its content, so the row never changes once written.
type Media struct {
	Name        string
	ContentType string
	Size        int
	Content     []byte
	CreatedAt   time.Time
}

// PutMedia keeps content under name, and reports whether it was new. A
// name already kept is left as it is: names are hashes of the content, so
// the same name is the same image.
func (s *Store) PutMedia(ctx context.Context, name, contentType string, content []byte) (created bool, err error) {
	tag, err := s.pool.Exec(ctx, `
		INSERT INTO media (name, content_type, size, content, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (name) DO NOTHING`, name, contentType, len(content), content, s.now())
	if err != nil {
		return false, mapErr("put media "+name, err)
	}
	return tag.RowsAffected() == 1, nil
}

// Media returns the image kept under name, or content.ErrNotFound.
func (s *Store) Media(ctx context.Context, name string) (*Media, error) {
	m := &Media{Name: name}
	err := s.pool.QueryRow(ctx, `SELECT content_type, size, content, created_at FROM media WHERE name = $1`, name).
		Scan(&m.ContentType, &m.Size, &m.Content, &m.CreatedAt)
	if err != nil {
		return nil, mapErr("media "+name, err)
	}
	return m, nil
}

// MediaSize returns the size in bytes of the image kept under name, or
// content.ErrNotFound, without reading its content.
func (s *Store) MediaSize(ctx context.Context, name string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT size FROM media WHERE name = $1`, name).Scan(&n)
	if err != nil {
		return 0, mapErr("media size "+name, err)
	}
	return n, nil
}

// MediaStats returns how many images are kept and their bytes in all.
func (s *Store) MediaStats(ctx context.Context) (count int, bytes int64, err error) {
	err = s.pool.QueryRow(ctx, `SELECT count(*), coalesce(sum(size), 0) FROM media`).Scan(&count, &bytes)
	if err != nil {
		return 0, 0, fmt.Errorf("store: media stats: %w", err)
	}
	return count, bytes, nil
}
