package store

import (
	"context"
	"errors"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// ActionQuotePolicy and ActionQuoteRevoke are the audit log's actions for
// the quote policy and a revoked quote.
const (
	ActionQuotePolicy = "quote_policy"
	ActionQuoteRevoke = "quote_revoke"
)

// QuotePolicy returns who may quote the publication's Articles; public when
// none is set.
func (s *Store) QuotePolicy(ctx context.Context) (content.QuotePolicy, error) {
	var v string
	err := s.pool.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'quote_policy'`).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return content.QuotePublic, nil
	}
	if err != nil {
		return "", mapErr("quote policy", err)
	}
	if p := content.QuotePolicy(v); p.Valid() {
		return p, nil
	}
	return content.QuotePublic, nil
}

// SetQuotePolicy changes the quote policy and logs who changed it. Setting
// the policy in force changes and logs nothing.
func (s *Store) SetQuotePolicy(ctx context.Context, staffID int64, p content.QuotePolicy) error {
	if !p.Valid() {
		v := &content.ValidationError{}
		v.Add("quote_policy", "Choose who may quote the stories.")
		return v
	}
	return pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var old string
		err := tx.QueryRow(ctx, `SELECT value FROM settings WHERE key = 'quote_policy' FOR UPDATE`).Scan(&old)
		if err != nil && !errors.Is(err, pgx.ErrNoRows) {
			return mapErr("set quote policy", err)
		}
		if old == string(p) {
			return nil
		}
		_, err = tx.Exec(ctx, `
			INSERT INTO settings (key, value, updated_at) VALUES ('quote_policy', $1, $2)
			ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value, updated_at = EXCLUDED.updated_at`, string(p), s.now())
		if err != nil {
			return mapErr("set quote policy", err)
		}
		return s.LogStaff(ctx, tx, staffID, ActionQuotePolicy, string(p), "was "+old)
	})
}

// SaveQuote records an authorized quote of a translation's Article by q.Actor's
// post q.Post and fills in q.ID, q.AuthKey and q.CreatedAt, then calls also
// in the same transaction (to queue the Accept). A quote of the same post
// already held is returned as it is, revoked or not, with created false, and
// also is not called.
func (s *Store) SaveQuote(ctx context.Context, q *content.Quote, also func(context.Context, pgx.Tx) error) (created bool, err error) {
	op := "save quote " + q.Post
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		key := uuid.NewString()
		err := tx.QueryRow(ctx, `
			INSERT INTO quotes (auth_key, translation_id, actor, post, request_id, created_at)
			VALUES ($1, $2, $3, $4, $5, $6)
			ON CONFLICT (post) DO NOTHING
			RETURNING id, auth_key, created_at`,
			key, q.TranslationID, q.Actor, q.Post, q.RequestID, s.now()).Scan(&q.ID, &q.AuthKey, &q.CreatedAt)
		if errors.Is(err, pgx.ErrNoRows) {
			held, err := quoteBy(ctx, tx, `post = $1`, q.Post)
			if err != nil {
				return err
			}
			*q = *held
			return nil
		}
		if err != nil {
			return err
		}
		created = true
		if also != nil {
			return also(ctx, tx)
		}
		return nil
	})
	return created, mapErr(op, err)
}

// QuoteByKey returns the quote whose authorization has the key; a key that
// is not a UUID is content.ErrNotFound.
func (s *Store) QuoteByKey(ctx context.Context, key string) (*content.Quote, error) {
	if _, err := uuid.Parse(key); err != nil {
		return nil, fmt.Errorf("store: quote %q: %w", key, content.ErrNotFound)
	}
	q, err := quoteBy(ctx, s.pool, `auth_key = $1`, key)
	return q, mapErr("quote "+key, err)
}

// Quote returns a quote by its id.
func (s *Store) Quote(ctx context.Context, id int64) (*content.Quote, error) {
	q, err := quoteBy(ctx, s.pool, `id = $1`, id)
	return q, mapErr(fmt.Sprintf("quote %d", id), err)
}

// Quotes returns the quotes of a translation's Article, newest first,
// revoked ones included.
func (s *Store) Quotes(ctx context.Context, translationID int64) ([]*content.Quote, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+quoteColumns+` FROM quotes WHERE translation_id = $1 ORDER BY created_at DESC, id DESC`, translationID)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("quotes of translation %d", translationID), err)
	}
	qs, err := pgx.CollectRows(rows, scanQuote)
	return qs, mapErr(fmt.Sprintf("quotes of translation %d", translationID), err)
}

// RevokeQuote marks a quote revoked by staffID, logs it and calls also in
// the same transaction (to queue the Delete of its authorization). A quote
// revoked already changes nothing and also is not called; it reports
// whether this call revoked it.
func (s *Store) RevokeQuote(ctx context.Context, staffID, id int64, also func(context.Context, pgx.Tx, *content.Quote) error) (bool, error) {
	revoked := false
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		q, err := quoteBy(ctx, tx, `id = $1 FOR UPDATE`, id)
		if err != nil || q.Revoked {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE quotes SET state = 'revoked', revoked_at = $2, revoked_by = $3 WHERE id = $1`,
			id, s.now(), nullID(staffID)); err != nil {
			return err
		}
		if err := s.LogStaff(ctx, tx, staffID, ActionQuoteRevoke, q.Post, ""); err != nil {
			return err
		}
		revoked = true
		q.Revoked = true
		if also != nil {
			return also(ctx, tx, q)
		}
		return nil
	})
	return revoked, mapErr(fmt.Sprintf("revoke quote %d", id), err)
}

// ForgetQuotesOf revokes, without logging a staff action, the quotes made
// by post, which its author deleted. It reports how many there were.
func (s *Store) ForgetQuotesOf(ctx context.Context, actor, post string) (int, error) {
	tag, err := s.pool.Exec(ctx, `UPDATE quotes SET state = 'revoked', revoked_at = $3 WHERE actor = $1 AND post = $2 AND state = 'accepted'`,
		actor, post, s.now())
	if err != nil {
		return 0, mapErr("forget quotes of "+post, err)
	}
	return int(tag.RowsAffected()), nil
}

const quoteColumns = `id, auth_key::text, translation_id, actor, post, request_id, state = 'revoked', created_at`

func quoteBy(ctx context.Context, q querier, where string, arg any) (*content.Quote, error) {
	rows, err := q.Query(ctx, `SELECT `+quoteColumns+` FROM quotes WHERE `+where, arg)
	if err != nil {
		return nil, err
	}
	return pgx.CollectExactlyOneRow(rows, scanQuote)
}

func scanQuote(row pgx.CollectableRow) (*content.Quote, error) {
	var q content.Quote
	err := row.Scan(&q.ID, &q.AuthKey, &q.TranslationID, &q.Actor, &q.Post, &q.RequestID, &q.Revoked, &q.CreatedAt)
	return &q, err
}

// QuoteLine is a quote with what the desk shows of the Article it quotes.
type QuoteLine struct {
	content.Quote
	StoryID int64
	Lang    string
	Title   string
}

// RecentQuotes returns the latest quotes of any Article, newest first, at
// most limit, revoked ones included.
func (s *Store) RecentQuotes(ctx context.Context, limit int) ([]QuoteLine, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT q.id, q.auth_key::text, q.translation_id, q.actor, q.post, q.request_id, q.state = 'revoked', q.created_at,
			t.story_id, t.lang, t.title
		FROM quotes q JOIN translations t ON t.id = q.translation_id
		ORDER BY q.created_at DESC, q.id DESC LIMIT $1`, limit)
	if err != nil {
		return nil, mapErr("recent quotes", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (QuoteLine, error) {
		var l QuoteLine
		err := row.Scan(&l.ID, &l.AuthKey, &l.TranslationID, &l.Actor, &l.Post, &l.RequestID, &l.Revoked, &l.CreatedAt,
			&l.StoryID, &l.Lang, &l.Title)
		return l, err
	})
	return out, mapErr("recent quotes", err)
}
