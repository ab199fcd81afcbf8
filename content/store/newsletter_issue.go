package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// CreateNewsletterIssue records an issue in tx and reports whether it was
// new: a story's own issue exists once however often the story is
// published again.
func (s *Store) CreateNewsletterIssue(ctx context.Context, tx pgx.Tx, is *content.NewsletterIssue) (bool, error) {
	var translationID *int64
	if is.TranslationID != 0 {
		translationID = &is.TranslationID
	}
	var createdBy *int64
	if is.CreatedBy != 0 {
		createdBy = &is.CreatedBy
	}
	if is.TranslationIDs == nil {
		is.TranslationIDs = []int64{}
	}
	is.CreatedAt = s.now()
	err := tx.QueryRow(ctx, `INSERT INTO newsletter_issues (lang, translation_id, subject, intro, translation_ids, created_by, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (translation_id) DO NOTHING RETURNING id`,
		is.Lang, translationID, is.Subject, is.Intro, is.TranslationIDs, createdBy, is.CreatedAt).Scan(&is.ID)
	if errors.Is(err, pgx.ErrNoRows) {
		return false, nil
	}
	return err == nil, mapErr("create newsletter issue", err)
}

// QueueNewsletterSends records, in tx, one send of the issue for each
// confirmed subscriber of its language who has none yet, and returns
// those subscribers' ids.
func (s *Store) QueueNewsletterSends(ctx context.Context, tx pgx.Tx, issueID int64) ([]int64, error) {
	rows, err := tx.Query(ctx, `INSERT INTO newsletter_sends (issue_id, subscriber_id)
		SELECT i.id, sub.id FROM newsletter_issues i JOIN newsletter_subscribers sub
			ON sub.confirmed_at IS NOT NULL AND sub.langs @> ARRAY[i.lang]
		WHERE i.id = $1
		ON CONFLICT DO NOTHING RETURNING subscriber_id`, issueID)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("queue sends of issue %d", issueID), err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	return ids, mapErr(fmt.Sprintf("queue sends of issue %d", issueID), err)
}

// NewsletterSendDone reports whether the issue's mail to the subscriber was
// sent or given up already. A send that no longer exists (the subscriber
// left) counts as done.
func (s *Store) NewsletterSendDone(ctx context.Context, issueID, subscriberID int64) (bool, error) {
	var done bool
	err := s.pool.QueryRow(ctx, `SELECT sent_at IS NOT NULL OR failed_at IS NOT NULL FROM newsletter_sends
		WHERE issue_id = $1 AND subscriber_id = $2`, issueID, subscriberID).Scan(&done)
	if errors.Is(err, pgx.ErrNoRows) {
		return true, nil
	}
	return done, mapErr("newsletter send", err)
}

// MarkNewsletterSend records that the issue's mail to the subscriber was
// sent (reason "") or failed for good, and counts it on the issue once.
func (s *Store) MarkNewsletterSend(ctx context.Context, issueID, subscriberID int64, reason string) error {
	now := s.now()
	_, err := s.pool.Exec(ctx, `WITH done AS (
			UPDATE newsletter_sends SET
				sent_at = CASE WHEN $3 = '' THEN $4::timestamptz END,
				failed_at = CASE WHEN $3 <> '' THEN $4::timestamptz END,
				error = $3
			WHERE issue_id = $1 AND subscriber_id = $2 AND sent_at IS NULL AND failed_at IS NULL
			RETURNING issue_id)
		UPDATE newsletter_issues SET
			sent = sent + CASE WHEN $3 = '' THEN 1 ELSE 0 END,
			failed = failed + CASE WHEN $3 <> '' THEN 1 ELSE 0 END
		WHERE id IN (SELECT issue_id FROM done)`, issueID, subscriberID, reason, now)
	return mapErr("mark newsletter send", err)
}

const issueColumns = `i.id, i.lang, coalesce(i.translation_id, 0), i.subject, i.intro, i.translation_ids,
	coalesce(i.created_by, 0), i.created_at, i.sent, i.failed,
	(SELECT count(*) FROM newsletter_sends x WHERE x.issue_id = i.id AND x.sent_at IS NULL AND x.failed_at IS NULL)`

func scanIssue(row pgx.Row) (*content.NewsletterIssue, error) {
	is := &content.NewsletterIssue{}
	err := row.Scan(&is.ID, &is.Lang, &is.TranslationID, &is.Subject, &is.Intro, &is.TranslationIDs,
		&is.CreatedBy, &is.CreatedAt, &is.Sent, &is.Failed, &is.Queued)
	return is, err
}

// NewsletterIssue returns one issue with its counts.
func (s *Store) NewsletterIssue(ctx context.Context, id int64) (*content.NewsletterIssue, error) {
	is, err := scanIssue(s.pool.QueryRow(ctx, `SELECT `+issueColumns+` FROM newsletter_issues i WHERE i.id = $1`, id))
	return is, mapErr(fmt.Sprintf("newsletter issue %d", id), err)
}

// NewsletterIssues lists the latest issues, newest first, with their counts.
func (s *Store) NewsletterIssues(ctx context.Context, limit int) ([]*content.NewsletterIssue, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+issueColumns+` FROM newsletter_issues i ORDER BY i.created_at DESC, i.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, mapErr("newsletter issues", err)
	}
	defer rows.Close()
	var out []*content.NewsletterIssue
	for rows.Next() {
		is, err := scanIssue(rows)
		if err != nil {
			return nil, mapErr("newsletter issues: scan", err)
		}
		out = append(out, is)
	}
	return out, mapErr("newsletter issues", rows.Err())
}

// IssueTranslations returns the published translations among ids, in
// the order of ids: the stories of an issue.
func (s *Store) IssueTranslations(ctx context.Context, ids []int64) ([]*content.Translation, error) {
	return s.translations(ctx, s.pool, `JOIN unnest($1::bigint[]) WITH ORDINALITY AS o(id, n) ON o.id = t.id
		WHERE t.state = 'published' ORDER BY o.n`, ids)
}
