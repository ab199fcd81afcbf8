package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// CreateSubmission validates and stores a "Tell your story" submission.
func (s *Store) CreateSubmission(ctx context.Context, sub *content.Submission) error {
	if err := sub.Validate(); err != nil {
		return err
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO submissions (lang, story, name, contact, created_at) VALUES ($1, $2, $3, $4, $5)
		RETURNING id, created_at`, sub.Lang, sub.Story, sub.Name, sub.Contact, s.now()).Scan(&sub.ID, &sub.CreatedAt)
	return mapErr("create submission", err)
}

const submissionColumns = `id, lang, story, name, contact, read_at, archived_at, created_at`

func scanSubmission(row pgx.Row) (*content.Submission, error) {
	sub := &content.Submission{}
	var readAt, archived *time.Time
	err := row.Scan(&sub.ID, &sub.Lang, &sub.Story, &sub.Name, &sub.Contact, &readAt, &archived, &sub.CreatedAt)
	sub.ReadAt, sub.Archived = timeOrZero(readAt), timeOrZero(archived)
	return sub, err
}

// Submissions lists the submissions not archived, unread first, newest
// first; limit is 50 when zero or less.
func (s *Store) Submissions(ctx context.Context, limit, offset int) ([]*content.Submission, error) {
	return s.submissions(ctx, false, limit, offset)
}

// ArchivedSubmissions lists the archived submissions as Submissions does.
func (s *Store) ArchivedSubmissions(ctx context.Context, limit, offset int) ([]*content.Submission, error) {
	return s.submissions(ctx, true, limit, offset)
}

func (s *Store) submissions(ctx context.Context, archived bool, limit, offset int) ([]*content.Submission, error) {
	if limit <= 0 {
		limit = 50
	}
	offset = max(offset, 0)
	rows, err := s.pool.Query(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE (archived_at IS NOT NULL) = $3
		ORDER BY read_at IS NOT NULL, created_at DESC, id DESC LIMIT $1 OFFSET $2`, limit, offset, archived)
	if err != nil {
		return nil, mapErr("submissions", err)
	}
	defer rows.Close()
	var out []*content.Submission
	for rows.Next() {
		sub, err := scanSubmission(rows)
		if err != nil {
			return nil, mapErr("submissions: scan", err)
		}
		out = append(out, sub)
	}
	return out, mapErr("submissions", rows.Err())
}

// Submission returns one submission.
func (s *Store) Submission(ctx context.Context, id int64) (*content.Submission, error) {
	sub, err := scanSubmission(s.pool.QueryRow(ctx, `SELECT `+submissionColumns+` FROM submissions WHERE id = $1`, id))
	if err != nil {
		return nil, mapErr(fmt.Sprintf("submission %d", id), err)
	}
	return sub, nil
}

// MarkSubmissionRead records that staff have read a submission.
func (s *Store) MarkSubmissionRead(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE submissions SET read_at = coalesce(read_at, $2) WHERE id = $1`, id, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr(fmt.Sprintf("mark submission %d read", id), err)
}
