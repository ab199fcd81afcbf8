package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// StaffSummary is what waits for one staff member since their last mail.
type StaffSummary struct {
	StaffID     int64
	Email, Name string
	Submissions int // new "Tell your story" submissions
	Volunteers  int // new "Join the team" offers
	Questions   int // new questions awaiting the editors
	Replies     int // new replies awaiting moderation
	Since       time.Time
}

// Total is how many new things the summary counts.
func (s StaffSummary) Total() int { return s.Submissions + s.Volunteers + s.Questions + s.Replies }

// SetStaffSummary turns a member's mail summaries on or off, logged as
// their own action.
func (s *Store) SetStaffSummary(ctx context.Context, staffID int64, on bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE staff SET notify_summary = $2 WHERE id = $1`, staffID, on)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return s.LogStaff(ctx, tx, staffID, "account.summary", fmt.Sprintf("staff %d", staffID), fmt.Sprint(on))
	})
	return mapErr("set staff summary", err)
}

// StaffSummaryOn reports whether a member chose mail summaries.
func (s *Store) StaffSummaryOn(ctx context.Context, staffID int64) (bool, error) {
	var on bool
	err := s.pool.QueryRow(ctx, `SELECT notify_summary FROM staff WHERE id = $1`, staffID).Scan(&on)
	return on, mapErr("staff summary", err)
}

// DueSummaries returns, for each active member who chose summaries and had
// none within every, what arrived since their last one (or within every,
// for a first one). Members with nothing new are left out.
func (s *Store) DueSummaries(ctx context.Context, every time.Duration) ([]StaffSummary, error) {
	now := s.now()
	rows, err := s.pool.Query(ctx, `
		WITH due AS (
			SELECT id, email, display_name, coalesce(notified_at, $1::timestamptz - $2::interval) AS since
			FROM staff
			WHERE notify_summary AND disabled_at IS NULL AND (notified_at IS NULL OR notified_at <= $1::timestamptz - $2::interval))
		SELECT d.id, d.email, d.display_name, d.since,
			(SELECT count(*) FROM submissions x WHERE x.created_at > d.since),
			(SELECT count(*) FROM volunteers x WHERE x.created_at > d.since),
			(SELECT count(*) FROM questions x WHERE x.created_at > d.since AND x.state = 'pending'),
			(SELECT count(*) FROM replies x WHERE x.received_at > d.since AND x.state = 'pending')
		FROM due d ORDER BY d.id`, now, every)
	if err != nil {
		return nil, mapErr("due summaries", err)
	}
	defer rows.Close()
	var out []StaffSummary
	for rows.Next() {
		var sm StaffSummary
		if err := rows.Scan(&sm.StaffID, &sm.Email, &sm.Name, &sm.Since, &sm.Submissions, &sm.Volunteers, &sm.Questions, &sm.Replies); err != nil {
			return nil, mapErr("due summaries: scan", err)
		}
		if sm.Total() > 0 {
			out = append(out, sm)
		}
	}
	return out, mapErr("due summaries", rows.Err())
}

// MarkSummarySent records that a member was mailed a summary at at.
func (s *Store) MarkSummarySent(ctx context.Context, staffID int64, at time.Time) error {
	_, err := s.pool.Exec(ctx, `UPDATE staff SET notified_at = $2 WHERE id = $1`, staffID, at)
	return mapErr("mark summary sent", err)
}
