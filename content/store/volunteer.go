package store

import (
	"context"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// CreateVolunteer validates and stores a "Join the team" offer.
func (s *Store) CreateVolunteer(ctx context.Context, v *content.Volunteer) error {
	if err := v.Validate(); err != nil {
		return err
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO volunteers (lang, roles, lang_pairs, message, contact, created_at) VALUES ($1, $2, $3, $4, $5, $6)
		RETURNING id, created_at`, v.Lang, v.Roles, v.LangPairs, v.Message, v.Contact, s.now()).Scan(&v.ID, &v.CreatedAt)
	return mapErr("create volunteer", err)
}

const volunteerColumns = `id, lang, roles, lang_pairs, message, contact, read_at, archived_at, created_at`

func scanVolunteer(row pgx.Row) (*content.Volunteer, error) {
	v := &content.Volunteer{}
	var readAt, archived *time.Time
	err := row.Scan(&v.ID, &v.Lang, &v.Roles, &v.LangPairs, &v.Message, &v.Contact, &readAt, &archived, &v.CreatedAt)
	v.ReadAt, v.Archived = timeOrZero(readAt), timeOrZero(archived)
	return v, err
}

// Volunteers lists offers, archived ones or the others, unread first,
// newest first; limit is 50 when zero or less.
func (s *Store) Volunteers(ctx context.Context, archived bool, limit, offset int) ([]*content.Volunteer, error) {
	if limit <= 0 {
		limit = 50
	}
	rows, err := s.pool.Query(ctx, `SELECT `+volunteerColumns+` FROM volunteers WHERE (archived_at IS NOT NULL) = $1
		ORDER BY read_at IS NOT NULL, created_at DESC, id DESC LIMIT $2 OFFSET $3`, archived, limit, max(offset, 0))
	if err != nil {
		return nil, mapErr("volunteers", err)
	}
	defer rows.Close()
	var out []*content.Volunteer
	for rows.Next() {
		v, err := scanVolunteer(rows)
		if err != nil {
			return nil, mapErr("volunteers: scan", err)
		}
		out = append(out, v)
	}
	return out, mapErr("volunteers", rows.Err())
}

// Volunteer returns one offer.
func (s *Store) Volunteer(ctx context.Context, id int64) (*content.Volunteer, error) {
	v, err := scanVolunteer(s.pool.QueryRow(ctx, `SELECT `+volunteerColumns+` FROM volunteers WHERE id = $1`, id))
	return v, mapErr(fmt.Sprintf("volunteer %d", id), err)
}

// MarkVolunteerRead records that staff have read an offer.
func (s *Store) MarkVolunteerRead(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `UPDATE volunteers SET read_at = coalesce(read_at, $2) WHERE id = $1`, id, s.now())
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr(fmt.Sprintf("mark volunteer %d read", id), err)
}

// IntakeKind names the tables readers write to from the site's forms.
type IntakeKind string

// The kinds of intake the desk archives and deletes.
const (
	IntakeSubmission IntakeKind = "submission"
	IntakeVolunteer  IntakeKind = "volunteer"
)

// intakeStatements are fixed per kind: the table name is never taken from
// the caller.
var intakeStatements = map[IntakeKind]struct{ archive, unarchive, delete string }{
	IntakeSubmission: {
		`UPDATE submissions SET archived_at = $2 WHERE id = $1`,
		`UPDATE submissions SET archived_at = NULL WHERE id = $1`,
		`DELETE FROM submissions WHERE id = $1`,
	},
	IntakeVolunteer: {
		`UPDATE volunteers SET archived_at = $2 WHERE id = $1`,
		`UPDATE volunteers SET archived_at = NULL WHERE id = $1`,
		`DELETE FROM volunteers WHERE id = $1`,
	},
}

// SetIntake archives (action "archive"), brings back ("unarchive") or
// deletes ("delete") a submission or an offer, and logs it as staffID's
// action in the same transaction.
func (s *Store) SetIntake(ctx context.Context, staffID int64, kind IntakeKind, id int64, action string) error {
	st, ok := intakeStatements[kind]
	if !ok {
		return fmt.Errorf("store: intake kind %q: %w", kind, content.ErrNotFound)
	}
	var q string
	args := []any{id}
	switch action {
	case "archive":
		q = st.archive
		args = append(args, s.now())
	case "unarchive":
		q = st.unarchive
	case "delete":
		q = st.delete
	default:
		return &content.ValidationError{Fields: map[string]string{"action": "unknown action"}}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, q, args...)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return s.LogStaff(ctx, tx, staffID, string(kind)+"."+action, fmt.Sprintf("%s %d", kind, id), "")
	})
	return mapErr(fmt.Sprintf("%s %s %d", action, kind, id), err)
}

// RetentionDays returns how many days submissions and offers are kept.
func (s *Store) RetentionDays(ctx context.Context) (int, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'intake_retention_days'`).Scan(&v)
	if err == pgx.ErrNoRows {
		return content.DefaultRetentionDays, nil
	}
	if err != nil {
		return 0, mapErr("retention days", err)
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 {
		return content.DefaultRetentionDays, nil
	}
	return n, nil
}

// SetRetentionDays sets how many days submissions and offers are kept, and
// logs the change as staffID's.
func (s *Store) SetRetentionDays(ctx context.Context, staffID int64, days int) error {
	if days < 1 || days > 3650 {
		return &content.ValidationError{Fields: map[string]string{"retention_days": "between 1 and 3650 days"}}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ('intake_retention_days', $1, $2)
			ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, strconv.Itoa(days), s.now())
		if err != nil {
			return err
		}
		return s.LogStaff(ctx, tx, staffID, "settings.retention", "intake_retention_days", strconv.Itoa(days))
	})
	return mapErr("set retention days", err)
}

// DeleteExpiredIntake deletes the submissions and offers older than the
// retention period and returns how many of each.
func (s *Store) DeleteExpiredIntake(ctx context.Context) (submissions, volunteers int64, err error) {
	days, err := s.RetentionDays(ctx)
	if err != nil {
		return 0, 0, err
	}
	before := s.now().AddDate(0, 0, -days)
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM submissions WHERE created_at < $1`, before)
		if err != nil {
			return err
		}
		submissions = tag.RowsAffected()
		tag, err = tx.Exec(ctx, `DELETE FROM volunteers WHERE created_at < $1`, before)
		volunteers = tag.RowsAffected()
		return err
	})
	return submissions, volunteers, mapErr("delete expired intake", err)
}
