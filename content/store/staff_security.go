package store

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// StaffSession is one desk session of a staff member. No address or
// browser is kept.
type StaffSession struct {
	ID         int64
	Token      string // the scs token, to tell the current session apart; never shown
	CreatedAt  time.Time
	LastSeenAt time.Time
}

// lastSeenStep is how stale a session's last-seen time may get before a
// request writes it again, so that a busy desk does not write on every page.
const lastSeenStep = 5 * time.Minute

// AddStaffSession records that the scs session token now belongs to staff
// member staffID (at sign-in). Sessions whose scs row has gone (expired,
// cleaned up) are forgotten on the way.
func (s *Store) AddStaffSession(ctx context.Context, staffID int64, token string) error {
	now := s.now()
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			DELETE FROM staff_sessions x WHERE x.staff_id = $1
			AND NOT EXISTS (SELECT 1 FROM sessions WHERE token = x.token AND expiry > $2)`, staffID, now)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO staff_sessions (token, staff_id, created_at, last_seen_at) VALUES ($1, $2, $3, $3)
			ON CONFLICT (token) DO UPDATE SET staff_id = EXCLUDED.staff_id, created_at = EXCLUDED.created_at, last_seen_at = EXCLUDED.last_seen_at`,
			token, staffID, now)
		return err
	})
	return mapErr("add staff session", err)
}

// TouchStaffSession returns whom the session token belongs to, noting that
// it was used now. A session that was ended (or never recorded) is
// content.ErrNotFound.
func (s *Store) TouchStaffSession(ctx context.Context, token string) (int64, error) {
	now := s.now()
	var id int64
	err := s.pool.QueryRow(ctx, `
		WITH touched AS (
			UPDATE staff_sessions SET last_seen_at = $2 WHERE token = $1 AND last_seen_at < $3 RETURNING staff_id)
		SELECT staff_id FROM touched UNION ALL SELECT staff_id FROM staff_sessions WHERE token = $1 LIMIT 1`,
		token, now, now.Add(-lastSeenStep)).Scan(&id)
	return id, mapErr("staff session", err)
}

// StaffSessions lists a member's live sessions, the most recently used first.
func (s *Store) StaffSessions(ctx context.Context, staffID int64) ([]*StaffSession, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT x.id, x.token, x.created_at, x.last_seen_at FROM staff_sessions x
		JOIN sessions ON sessions.token = x.token AND sessions.expiry > $2
		WHERE x.staff_id = $1 ORDER BY x.last_seen_at DESC, x.id DESC`, staffID, s.now())
	if err != nil {
		return nil, mapErr("staff sessions", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*StaffSession, error) {
		x := &StaffSession{}
		return x, row.Scan(&x.ID, &x.Token, &x.CreatedAt, &x.LastSeenAt)
	})
	return out, mapErr("staff sessions", err)
}

// EndStaffSession ends one of member staffID's sessions at once; one that
// is not theirs is content.ErrNotFound.
func (s *Store) EndStaffSession(ctx context.Context, staffID, sessionID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var token string
		err := tx.QueryRow(ctx, `DELETE FROM staff_sessions WHERE id = $1 AND staff_id = $2 RETURNING token`, sessionID, staffID).Scan(&token)
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM sessions WHERE token = $1`, token); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionSessionRevoke, staffTarget(ctx, tx, staffID), fmt.Sprintf("session %d", sessionID))
	})
	return mapErr(fmt.Sprintf("end session %d", sessionID), err)
}

// endSessions ends every session of staffID but the one whose token is
// keep ("" keeps none).
func endSessions(ctx context.Context, tx pgx.Tx, staffID int64, keep string) error {
	_, err := tx.Exec(ctx, `
		WITH gone AS (DELETE FROM staff_sessions WHERE staff_id = $1 AND token <> $2 RETURNING token)
		DELETE FROM sessions WHERE token IN (SELECT token FROM gone)`, staffID, keep)
	return err
}

// staffTarget names a staff member in the audit log, by email.
func staffTarget(ctx context.Context, tx pgx.Tx, staffID int64) string {
	var email string
	if err := tx.QueryRow(ctx, `SELECT email FROM staff WHERE id = $1`, staffID).Scan(&email); err != nil {
		return fmt.Sprintf("staff %d", staffID)
	}
	return email
}

// SetStaffPassword saves a new password hash for staffID and ends their
// other sessions: every one but keep (the token of the session that
// changed its own password; "" when an admin resets it). It is logged as a
// change when the member in ctx changes their own, a reset otherwise.
func (s *Store) SetStaffPassword(ctx context.Context, staffID int64, hash, keep string) error {
	if hash == "" {
		return &content.ValidationError{Fields: map[string]string{"password": "Set a password."}}
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE staff SET password_hash = $2 WHERE id = $1`, staffID, hash)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if err := endSessions(ctx, tx, staffID, keep); err != nil {
			return err
		}
		action := ActionPasswordReset
		if StaffFrom(ctx) == staffID {
			action = ActionPasswordChange
		}
		return s.logActing(ctx, tx, action, staffTarget(ctx, tx, staffID), "")
	})
	return mapErr(fmt.Sprintf("set password of staff %d", staffID), err)
}

// SetStaffDisabled disables or enables an account. Disabling ends its
// sessions in the same transaction, so it is signed out at once.
func (s *Store) SetStaffDisabled(ctx context.Context, staffID int64, disabled bool) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		at := nullTime(s.now())
		action := ActionStaffDisable
		if !disabled {
			at, action = nil, ActionStaffEnable
		}
		tag, err := tx.Exec(ctx, `UPDATE staff SET disabled_at = $2 WHERE id = $1`, staffID, at)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if disabled {
			if err := endSessions(ctx, tx, staffID, ""); err != nil {
				return err
			}
		}
		return s.logActing(ctx, tx, action, staffTarget(ctx, tx, staffID), "")
	})
	return mapErr(fmt.Sprintf("disable staff %d", staffID), err)
}

// DeleteStaff deletes an account and ends its sessions. What it did stays
// in the audit log under the name it had.
func (s *Store) DeleteStaff(ctx context.Context, staffID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		target := staffTarget(ctx, tx, staffID)
		if err := endSessions(ctx, tx, staffID, ""); err != nil {
			return err
		}
		// The line goes in before the row goes, so that it names who was
		// deleted; the deleting member is named by their own id.
		if err := s.logActing(ctx, tx, ActionStaffDelete, target, ""); err != nil {
			return err
		}
		tag, err := tx.Exec(ctx, `DELETE FROM staff WHERE id = $1`, staffID)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		return nil
	})
	return mapErr(fmt.Sprintf("delete staff %d", staffID), err)
}

// ActiveAdmins counts the admins whose accounts are not disabled, so that
// the desk never leaves the publication without one.
func (s *Store) ActiveAdmins(ctx context.Context) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM staff WHERE 'admin' = ANY (roles) AND disabled_at IS NULL`).Scan(&n)
	return n, mapErr("active admins", err)
}

// EnableTOTP turns on the second factor of staffID with secret (base32),
// replacing their recovery codes with codeHashes (SHA-256 of each). The
// step of the code that confirmed it counts as used.
func (s *Store) EnableTOTP(ctx context.Context, staffID int64, secret string, step int64, codeHashes [][]byte) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE staff SET totp_secret = $2, totp_last_step = $3 WHERE id = $1`, staffID, secret, step)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return pgx.ErrNoRows
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = $1`, staffID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO staff_recovery_codes (staff_id, code_hash) SELECT $1, unnest($2::bytea[])`, staffID, codeHashes); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionTOTPEnable, staffTarget(ctx, tx, staffID), "")
	})
	return mapErr(fmt.Sprintf("enable totp of staff %d", staffID), err)
}

// DisableTOTP turns off the second factor of staffID and drops their
// recovery codes.
func (s *Store) DisableTOTP(ctx context.Context, staffID int64) error {
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `UPDATE staff SET totp_secret = '', totp_last_step = 0 WHERE id = $1`, staffID); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM staff_recovery_codes WHERE staff_id = $1`, staffID); err != nil {
			return err
		}
		return s.logActing(ctx, tx, ActionTOTPDisable, staffTarget(ctx, tx, staffID), "")
	})
	return mapErr(fmt.Sprintf("disable totp of staff %d", staffID), err)
}

// UseTOTPStep records that the code of time step was used by staffID and
// reports whether it was still unused: a code is good once, and no code
// older than the last one used is good either.
func (s *Store) UseTOTPStep(ctx context.Context, staffID, step int64) (bool, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE staff SET totp_last_step = $2 WHERE id = $1 AND totp_last_step < $2`, staffID, step)
	if err != nil {
		return false, mapErr("use totp step", err)
	}
	return tag.RowsAffected() == 1, nil
}

// UseRecoveryCode spends the recovery code of staffID whose SHA-256 is
// hash, and reports whether it was there unused. Its use is logged.
func (s *Store) UseRecoveryCode(ctx context.Context, staffID int64, hash []byte) (bool, error) {
	used := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE staff_recovery_codes SET used_at = $3 WHERE staff_id = $1 AND code_hash = $2 AND used_at IS NULL`,
			staffID, hash, s.now())
		if err != nil || tag.RowsAffected() == 0 {
			return err
		}
		used = true
		var left int
		if err := tx.QueryRow(ctx, `SELECT count(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL`, staffID).Scan(&left); err != nil {
			return err
		}
		return s.LogStaff(ctx, tx, staffID, ActionRecoveryUse, staffTarget(ctx, tx, staffID), fmt.Sprintf("%d left", left))
	})
	return used, mapErr("use recovery code", err)
}

// RecoveryCodesLeft counts the unused recovery codes of staffID.
func (s *Store) RecoveryCodesLeft(ctx context.Context, staffID int64) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM staff_recovery_codes WHERE staff_id = $1 AND used_at IS NULL`, staffID).Scan(&n)
	return n, mapErr("recovery codes left", err)
}

// ForgetStaffSession drops the record of a session that was signed out of.
func (s *Store) ForgetStaffSession(ctx context.Context, token string) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM staff_sessions WHERE token = $1`, token)
	return mapErr("forget staff session", err)
}
