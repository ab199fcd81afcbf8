package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What staff do besides moderating, as the audit log names it. Moderation
// actions (ActionApprove…) are in the same log.
const (
	ActionLogin             = "login"
	ActionLogout            = "logout"
	ActionPublish           = "publish"
	ActionSchedule          = "schedule"
	ActionUnschedule        = "unschedule"
	ActionWithdraw          = "withdraw"
	ActionStoryCreate       = "story_create"
	ActionStoryEdit         = "story_edit"
	ActionTranslationCreate = "translation_create"
	ActionPin               = "pin"
	ActionUnpin             = "unpin"
	ActionByline            = "byline"
	ActionCover             = "cover"
	ActionCoverRemove       = "cover_remove"
	ActionTextImage         = "text_image"
	ActionStaffCreate       = "staff_create"
	ActionStaffEdit         = "staff_edit"
	ActionStaffDisable      = "staff_disable"
	ActionStaffEnable       = "staff_enable"
	ActionStaffDelete       = "staff_delete"
	ActionPasswordChange    = "password_change"
	ActionPasswordReset     = "password_reset"
	ActionSessionRevoke     = "session_revoke"
	ActionTOTPEnable        = "totp_enable"
	ActionTOTPDisable       = "totp_disable"
	ActionRecoveryUse       = "recovery_code_use"
	ActionSetting           = "setting"
	ActionBlocklistImport   = "blocklist_import"
	ActionDeliveriesRetry   = "deliveries_retry"
)

// moderationActions are the actions the moderation log shows.
var moderationActions = []string{
	ActionApprove, ActionHide, ActionUnhide, ActionBlock, ActionUnblock, ActionReport,
	ActionResolve, ActionKeywordAdd, ActionKeywordRemove, ActionPolicy, ActionBlocklistImport,
	ActionQuotePolicy, ActionQuoteRevoke,
}

// LogStaff records in the audit log that staff member staffID did action to
// target, inside tx so that the log holds exactly the changes that were
// committed. staffID 0 records something the program did by itself. A nil
// tx writes the line on its own, for actions that change nothing else in
// the database (a sign-in).
//
// The member's display name is copied into the line, so the log still names
// them after their account is deleted.
func (s *Store) LogStaff(ctx context.Context, tx pgx.Tx, staffID int64, action, target, detail string) error {
	const q = `
		INSERT INTO audit_log (staff_id, staff_name, action, target, detail, created_at)
		VALUES ($1, coalesce((SELECT display_name FROM staff WHERE id = $1), ''), $2, $3, $4, $5)`
	var err error
	if tx == nil {
		_, err = s.pool.Exec(ctx, q, nullID(staffID), action, target, detail, s.now())
	} else {
		_, err = tx.Exec(ctx, q, nullID(staffID), action, target, detail, s.now())
	}
	return mapErr("log "+action, err)
}

// AuditFilter selects lines of the audit log. Zero fields select everything.
type AuditFilter struct {
	StaffID int64    // only what this member did
	Actions []string // only these actions
	Since   time.Time
	Limit   int // 100 when zero
	Offset  int
}

// AuditLog lists the audit log, newest first, with the names of the staff
// who acted: their current name, or the one they had when their account is
// gone, or "" for the program itself.
func (s *Store) AuditLog(ctx context.Context, f AuditFilter) ([]*content.LogEntry, error) {
	if f.Limit <= 0 {
		f.Limit = 100
	}
	q := `
		SELECT l.id, coalesce(l.staff_id, 0), coalesce(m.display_name, l.staff_name), l.action, l.target, l.detail, l.created_at
		FROM audit_log l LEFT JOIN staff m ON m.id = l.staff_id
		WHERE true`
	args := []any{}
	if f.StaffID != 0 {
		args = append(args, f.StaffID)
		q += fmt.Sprintf(` AND l.staff_id = $%d`, len(args))
	}
	if len(f.Actions) > 0 {
		args = append(args, f.Actions)
		q += fmt.Sprintf(` AND l.action = ANY($%d)`, len(args))
	}
	if !f.Since.IsZero() {
		args = append(args, f.Since)
		q += fmt.Sprintf(` AND l.created_at >= $%d`, len(args))
	}
	args = append(args, f.Limit, max(f.Offset, 0))
	q += fmt.Sprintf(` ORDER BY l.created_at DESC, l.id DESC LIMIT $%d OFFSET $%d`, len(args)-1, len(args))
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, mapErr("audit log", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*content.LogEntry, error) {
		e := &content.LogEntry{}
		return e, row.Scan(&e.ID, &e.StaffID, &e.StaffName, &e.Action, &e.Target, &e.Reason, &e.CreatedAt)
	})
	return out, mapErr("audit log", err)
}

// AuditActions lists the distinct actions in the audit log, for the desk's
// filter.
func (s *Store) AuditActions(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, `SELECT DISTINCT action FROM audit_log ORDER BY action`)
	if err != nil {
		return nil, mapErr("audit actions", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr("audit actions", err)
}

type staffKey struct{}

// WithStaff returns a copy of ctx saying that the store's writes under it
// are done by staff member id, who is then named in the audit log lines
// those writes add (stories, translations, staff accounts). The desk sets it
// for every signed-in request. Without it the program itself is named.
func WithStaff(ctx context.Context, id int64) context.Context {
	return context.WithValue(ctx, staffKey{}, id)
}

// StaffFrom returns the staff member WithStaff put in ctx, or 0.
func StaffFrom(ctx context.Context) int64 {
	id, _ := ctx.Value(staffKey{}).(int64)
	return id
}

// logActing logs action in tx on behalf of the staff member in ctx.
func (s *Store) logActing(ctx context.Context, tx pgx.Tx, action, target, detail string) error {
	return s.LogStaff(ctx, tx, StaffFrom(ctx), action, target, detail)
}

// translationTarget names a translation in the audit log.
func translationTarget(t *content.Translation) string {
	return fmt.Sprintf("story %d %s", t.StoryID, t.Lang)
}
