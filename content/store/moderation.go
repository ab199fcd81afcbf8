package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// What moderators do, as the moderation log names it. Each action is
// logged in the same transaction as the change it records (DESIGN:
// moderation model), so the log never claims what did not happen nor misses
// what did.
const (
	ActionApprove       = "approve"
	ActionHide          = "hide"
	ActionUnhide        = "unhide"
	ActionBlock         = "block"
	ActionUnblock       = "unblock"
	ActionReport        = "report" // a Flag sent to a reply author's instance
	ActionResolve       = "resolve"
	ActionKeywordAdd    = "keyword_add"
	ActionKeywordRemove = "keyword_remove"
	ActionPolicy        = "policy"
)

// Block kinds.
const (
	BlockAccount  = "account"
	BlockInstance = "instance"
)

// LogModeration records a moderation action inside tx, in the audit log
// (LogStaff). staffID 0 records an action the program took by itself.
// Other packages that change what moderators care about (sending a Flag,
// for one) call it in their own transaction.
func (s *Store) LogModeration(ctx context.Context, tx pgx.Tx, staffID int64, action, target, reason string) error {
	return s.LogStaff(ctx, tx, staffID, action, target, reason)
}

// Policy returns the publication's moderation policy; known when none is set.
func (s *Store) Policy(ctx context.Context) (content.Policy, error) {
	var v string
	err := s.pool.QueryRow(ctx, policyQuery).Scan(&v)
	return policyOf(v, err)
}

const policyQuery = `SELECT value FROM settings WHERE key = 'moderation_policy'`

// policyOf reads the result of policyQuery: known when none is set or the
// value is not a policy.
func policyOf(v string, err error) (content.Policy, error) {
	if errors.Is(err, pgx.ErrNoRows) {
		return content.PolicyKnown, nil
	}
	if err != nil {
		return "", mapErr("moderation policy", err)
	}
	if p := content.Policy(v); p.Valid() {
		return p, nil
	}
	return content.PolicyKnown, nil
}

// SetPolicy changes the moderation policy and logs who changed it. Setting
// the policy in force changes and logs nothing.
func (s *Store) SetPolicy(ctx context.Context, staffID int64, p content.Policy) error {
	if !p.Valid() {
		v := &content.ValidationError{}
		v.Add("policy", "Choose one of the policies.")
		return v
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old string
		err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'moderation_policy' FOR UPDATE`).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return mapErr("set moderation policy", err)
		}
		if old == string(p) {
			return nil
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO settings (key, value, updated_at) VALUES ('moderation_policy', $1, $2)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`, string(p), s.now())
		if err != nil {
			return mapErr("set moderation policy", err)
		}
		reason := ""
		if old != "" {
			reason = "was " + old
		}
		return s.LogModeration(ctx, tx, staffID, ActionPolicy, string(p), reason)
	})
}

// SetReplyState approves (visible), hides (hidden, with a reason) or unhides
// (visible) replies, all in one transaction with one log line for each reply
// that changed. Replies already in that state are left alone and not
// logged. It returns how many replies changed.
func (s *Store) SetReplyState(ctx context.Context, staffID int64, replyIDs []int64, state content.ReplyState, reason string) (int, error) {
	reason = strings.TrimSpace(reason)
	v := &content.ValidationError{}
	switch state {
	case content.ReplyVisible:
		reason = ""
	case content.ReplyHidden:
		if reason == "" {
			v.Add("reason", "Give a reason for hiding.")
		}
	default:
		v.Add("state", "A reply can be approved, hidden or unhidden.")
	}
	if utf8.RuneCountInString(reason) > 500 {
		v.Add("reason", "Keep the reason under 500 characters.")
	}
	if err := v.Err(); err != nil {
		return 0, err
	}
	changed := 0
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, `
			WITH old AS (
				SELECT id, state FROM replies WHERE id = ANY($1) AND state <> $2 FOR UPDATE
			)
			UPDATE replies r SET state = $2, hidden_reason = $3, held_for = ''
			FROM old WHERE r.id = old.id
			RETURNING r.ap_id, old.state`, replyIDs, string(state), reason)
		if err != nil {
			return mapErr("set reply state", err)
		}
		type change struct{ apID, old string }
		changes, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (change, error) {
			var c change
			return c, row.Scan(&c.apID, &c.old)
		})
		if err != nil {
			return mapErr("set reply state", err)
		}
		for _, c := range changes {
			action := ActionHide
			switch {
			case state == content.ReplyVisible && c.old == string(content.ReplyHidden):
				action = ActionUnhide
			case state == content.ReplyVisible:
				action = ActionApprove
			}
			if err := s.LogModeration(ctx, tx, staffID, action, c.apID, reason); err != nil {
				return err
			}
		}
		changed = len(changes)
		return nil
	})
	return changed, err
}

// hostRE is a host name, or an IP address, with an optional port: what an
// instance block names.
var hostRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*(:[0-9]{1,5})?$`)

// normalizeBlock checks a block's kind and target and puts the target in
// the form blocks are matched in: an actor id as it is, a host in lower
// case, without a scheme, a path or a leading "*.".
func normalizeBlock(kind, target string) (string, error) {
	target = strings.TrimSpace(target)
	v := &content.ValidationError{}
	switch kind {
	case BlockAccount:
		u, err := url.Parse(target)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
			v.Add("target", "Give the account's ActivityPub id, such as https://example.social/users/name, or its handle, such as @name@example.social.")
		}
	case BlockInstance:
		t := strings.ToLower(target)
		if u, err := url.Parse(t); err == nil && u.Host != "" && (u.Scheme == "https" || u.Scheme == "http") {
			t = u.Host
		}
		t = strings.TrimPrefix(strings.TrimPrefix(t, "@"), "*.")
		t = strings.TrimSuffix(t, "/")
		if !hostRE.MatchString(t) {
			v.Add("target", "Give the instance's domain name, such as example.social.")
		}
		target = t
	default:
		v.Add("kind", "Block an account or an instance.")
	}
	return target, v.Err()
}

// instanceMatch is the SQL condition that a host column (with or without a
// port) belongs to the blocked instance $1: the host itself or one of its
// subdomains, as Mastodon's domain blocks also cover subdomains.
func instanceMatch(column string) string {
	h := `split_part(lower(` + column + `), ':', 1)`
	return `(lower(` + column + `) = $1::text OR ` + h + ` = $1::text OR right(` + h + `, length($1::text) + 1) = '.' || $1::text)`
}

// BlockResult says what a block changed.
type BlockResult struct {
	Target           string // the target as stored
	Hidden           int    // replies hidden
	FollowersRemoved int    // follows of our actors removed
}

// Block blocks an account (kind "account", an actor id) or an instance (kind
// "instance", a host, which covers its subdomains): it hides every reply
// they sent that is not hidden yet, removes them from every language
// actor's followers and logs the block and each reply it hid, all in one
// transaction. The inbox refuses their activities from then on (IsBlocked).
// Blocking again updates the reason and hides what arrived since.
func (s *Store) Block(ctx context.Context, staffID int64, kind, target, reason string) (*BlockResult, error) {
	target, err := normalizeBlock(kind, target)
	if err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	res := &BlockResult{Target: target}
	hiddenReason := "blocked " + kind
	if reason != "" {
		hiddenReason += ": " + reason
	}
	replyMatch, followerMatch := `author = $1`, `follower = $1`
	if kind == BlockInstance {
		replyMatch = instanceMatch("author_host")
		followerMatch = `follower IN (SELECT id FROM remote_actors WHERE ` + instanceMatch("host") + `)`
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO blocks (kind, target, reason, created_by, created_at) VALUES ($1, $2, $3, $4, $5)
			ON CONFLICT (kind, target) DO UPDATE SET reason = EXCLUDED.reason`,
			kind, target, reason, nullID(staffID), s.now())
		if err != nil {
			return mapErr("block "+target, err)
		}
		rows, err := tx.Query(ctx, `
			UPDATE replies SET state = 'hidden', hidden_reason = $2, held_for = ''
			WHERE state <> 'hidden' AND `+replyMatch+`
			RETURNING ap_id`, target, hiddenReason)
		if err != nil {
			return mapErr("block "+target+": hide replies", err)
		}
		hidden, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil {
			return mapErr("block "+target+": hide replies", err)
		}
		tag, err := tx.Exec(ctx, `DELETE FROM followers WHERE `+followerMatch, target)
		if err != nil {
			return mapErr("block "+target+": remove followers", err)
		}
		res.Hidden, res.FollowersRemoved = len(hidden), int(tag.RowsAffected())
		if err := s.LogModeration(ctx, tx, staffID, ActionBlock, kind+" "+target, reason); err != nil {
			return err
		}
		for _, id := range hidden {
			if err := s.LogModeration(ctx, tx, staffID, ActionHide, id, hiddenReason); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// Unblock lifts a block and logs it. The replies the block hid stay hidden:
// a moderator unhides those that deserve it.
func (s *Store) Unblock(ctx context.Context, staffID int64, kind, target string) error {
	target, err := normalizeBlock(kind, target)
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM blocks WHERE kind = $1 AND target = $2`, kind, target)
		if err != nil {
			return mapErr("unblock "+target, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("store: unblock %s %s: %w", kind, target, content.ErrNotFound)
		}
		return s.LogModeration(ctx, tx, staffID, ActionUnblock, kind+" "+target, "")
	})
}

// Blocks lists every block, newest first.
func (s *Store) Blocks(ctx context.Context) ([]*content.Block, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT kind, target, reason, coalesce(created_by, 0), created_at
		FROM blocks ORDER BY created_at DESC, kind, target`)
	if err != nil {
		return nil, mapErr("blocks", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*content.Block, error) {
		b := &content.Block{}
		return b, row.Scan(&b.Kind, &b.Target, &b.Reason, &b.CreatedBy, &b.CreatedAt)
	})
	return out, mapErr("blocks", err)
}

// IsBlocked reports whether an actor is blocked, as an account or through
// its instance or a parent domain of it. The inbox asks before it accepts
// anything from the actor.
func (s *Store) IsBlocked(ctx context.Context, actorID string) (bool, error) {
	var blocked bool
	err := s.pool.QueryRow(ctx, isBlockedQuery, actorID, actorHostCandidates(actorID)).Scan(&blocked)
	return blocked, mapErr("is "+actorID+" blocked", err)
}

const isBlockedQuery = `
	SELECT EXISTS (SELECT 1 FROM blocks
		WHERE (kind = 'account' AND target = $1) OR (kind = 'instance' AND target = ANY($2)))`

// actorHostCandidates are the hosts whose block would cover an actor.
func actorHostCandidates(actorID string) []string {
	if u, err := url.Parse(actorID); err == nil && u.Host != "" {
		return blockedHostCandidates(u.Host)
	}
	return nil
}

// IsInstanceBlocked reports whether host (which may carry a port) is
// blocked, itself or through a parent domain.
func (s *Store) IsInstanceBlocked(ctx context.Context, host string) (bool, error) {
	var blocked bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM blocks WHERE kind = 'instance' AND target = ANY($1))`,
		blockedHostCandidates(host)).Scan(&blocked)
	return blocked, mapErr("is "+host+" blocked", err)
}

// blockedHostCandidates lists the instance blocks that would cover host:
// the host with its port, without it, and every parent domain.
func blockedHostCandidates(host string) []string {
	host = strings.ToLower(host)
	out := []string{host}
	name := host
	if i := strings.LastIndexByte(host, ':'); i > 0 && !strings.Contains(host[i:], "]") {
		name = host[:i]
		out = append(out, name)
	}
	if net.ParseIP(strings.Trim(name, "[]")) != nil {
		return out
	}
	for {
		i := strings.IndexByte(name, '.')
		if i < 0 || i == len(name)-1 {
			break
		}
		name = name[i+1:]
		if strings.Contains(name, ".") {
			out = append(out, name)
		}
	}
	return out
}

// RemoteActorIDByHandle finds the id of a known remote actor by its handle,
// "@user@host" or "user@host", ignoring case.
func (s *Store) RemoteActorIDByHandle(ctx context.Context, handle string) (string, error) {
	h := strings.TrimPrefix(strings.TrimSpace(handle), "@")
	user, host, ok := strings.Cut(h, "@")
	if !ok || user == "" || host == "" {
		return "", fmt.Errorf("store: remote actor %q: %w", handle, content.ErrNotFound)
	}
	var id string
	err := s.pool.QueryRow(ctx, `
		SELECT id FROM remote_actors WHERE lower(username) = lower($1) AND lower(host) = lower($2)
		ORDER BY fetched_at DESC LIMIT 1`, user, host).Scan(&id)
	return id, mapErr("remote actor "+handle, err)
}

// ResolveReport marks an open report resolved and logs it. Resolving a
// resolved report changes nothing.
func (s *Store) ResolveReport(ctx context.Context, staffID, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var activityID, state string
		err := tx.QueryRow(ctx, `SELECT activity_id, state FROM reports WHERE id = $1 FOR UPDATE`, id).Scan(&activityID, &state)
		if err != nil {
			return mapErr(fmt.Sprintf("resolve report %d", id), err)
		}
		if state == "resolved" {
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE reports SET state = 'resolved', resolved_by = $2, resolved_at = $3 WHERE id = $1`,
			id, nullID(staffID), s.now())
		if err != nil {
			return mapErr(fmt.Sprintf("resolve report %d", id), err)
		}
		return s.LogModeration(ctx, tx, staffID, ActionResolve, activityID, "")
	})
}

// maxPhrase bounds a keyword rule, in characters after normalizing.
const maxPhrase = 200

// AddKeywordRule stores a word or phrase that holds matching replies for
// review, normalized with content.NormalizeText so that matching ignores
// case, width and Unicode forms, and logs it. A phrase already kept is a
// content.ErrConflict.
func (s *Store) AddKeywordRule(ctx context.Context, staffID int64, phrase string) (*content.KeywordRule, error) {
	k := &content.KeywordRule{Phrase: content.NormalizeText(phrase), CreatedBy: staffID}
	v := &content.ValidationError{}
	switch n := utf8.RuneCountInString(k.Phrase); {
	case n == 0:
		v.Add("phrase", "Type a word or a phrase.")
	case n > maxPhrase:
		v.Add("phrase", fmt.Sprintf("Keep the phrase under %d characters.", maxPhrase))
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO keyword_rules (phrase, created_by, created_at) VALUES ($1, $2, $3)
			RETURNING id, created_at`, k.Phrase, nullID(staffID), s.now()).Scan(&k.ID, &k.CreatedAt)
		if err != nil {
			return mapErr("add keyword rule", err)
		}
		return s.LogModeration(ctx, tx, staffID, ActionKeywordAdd, k.Phrase, "")
	})
	if err != nil {
		return nil, err
	}
	return k, nil
}

// RemoveKeywordRule deletes a keyword rule and logs it.
func (s *Store) RemoveKeywordRule(ctx context.Context, staffID, id int64) error {
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var phrase string
		err := tx.QueryRow(ctx, `DELETE FROM keyword_rules WHERE id = $1 RETURNING phrase`, id).Scan(&phrase)
		if err != nil {
			return mapErr(fmt.Sprintf("remove keyword rule %d", id), err)
		}
		return s.LogModeration(ctx, tx, staffID, ActionKeywordRemove, phrase, "")
	})
}

// KeywordRules lists the keyword rules in alphabetical order.
func (s *Store) KeywordRules(ctx context.Context) ([]*content.KeywordRule, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT id, phrase, coalesce(created_by, 0), created_at FROM keyword_rules ORDER BY phrase`)
	if err != nil {
		return nil, mapErr("keyword rules", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (*content.KeywordRule, error) {
		k := &content.KeywordRule{}
		return k, row.Scan(&k.ID, &k.Phrase, &k.CreatedBy, &k.CreatedAt)
	})
	return out, mapErr("keyword rules", err)
}

// KeywordPhrases returns the normalized phrases of every keyword rule, for
// content.MatchKeywords.
func (s *Store) KeywordPhrases(ctx context.Context) ([]string, error) {
	rows, err := s.pool.Query(ctx, keywordPhrasesQuery)
	if err != nil {
		return nil, mapErr("keyword phrases", err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return out, mapErr("keyword phrases", err)
}

const keywordPhrasesQuery = `SELECT phrase FROM keyword_rules ORDER BY phrase`

// ModerationLog lists moderation actions, newest first, with the names of
// the staff who took them ("" for the program itself).
func (s *Store) ModerationLog(ctx context.Context, limit, offset int) ([]*content.LogEntry, error) {
	return s.AuditLog(ctx, AuditFilter{Actions: moderationActions, Limit: limit, Offset: offset})
}

// ValidInstance reports whether host is a domain an instance block takes.
func ValidInstance(host string) bool {
	_, err := normalizeBlock(BlockInstance, host)
	return err == nil
}
