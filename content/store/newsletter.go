package store

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// Subscribe records a request to subscribe address to langs, with the hash
// of the confirmation token about to be mailed, and reports whether the
// mail should go. It says no, changing nothing, when the address is
// confirmed already or was sent a confirmation within
// content.ConfirmResendAfter: the form must not be a way to flood an inbox.
func (s *Store) Subscribe(ctx context.Context, address string, langs []string, tokenHash []byte) (send bool, err error) {
	now := s.now()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var confirmed bool
		var sentAt *time.Time
		err := tx.QueryRow(ctx, `SELECT confirmed_at IS NOT NULL, token_sent_at FROM newsletter_subscribers WHERE address = $1 FOR UPDATE`,
			address).Scan(&confirmed, &sentAt)
		switch {
		case errors.Is(err, pgx.ErrNoRows):
			_, err = tx.Exec(ctx, `INSERT INTO newsletter_subscribers (address, langs, token_hash, token_sent_at) VALUES ($1, $2, $3, $4)
				ON CONFLICT (address) DO NOTHING`, address, langs, tokenHash, now)
			send = err == nil
			return err
		case err != nil:
			return err
		case confirmed, sentAt != nil && now.Sub(*sentAt) < content.ConfirmResendAfter:
			return nil
		}
		_, err = tx.Exec(ctx, `UPDATE newsletter_subscribers SET langs = $2, token_hash = $3, token_sent_at = $4 WHERE address = $1`,
			address, langs, tokenHash, now)
		send = err == nil
		return err
	})
	return send, mapErr("subscribe", err)
}

// CancelSubscribe forgets an unconfirmed request whose confirmation mail
// could not be sent, so that the reader may try again at once.
func (s *Store) CancelSubscribe(ctx context.Context, tokenHash []byte) error {
	_, err := s.pool.Exec(ctx, `DELETE FROM newsletter_subscribers WHERE token_hash = $1 AND confirmed_at IS NULL`, tokenHash)
	return mapErr("cancel subscribe", err)
}

const subscriberColumns = `id, address, langs, confirmed_at`

func scanSubscriber(row pgx.Row) (*content.Subscriber, error) {
	sub := &content.Subscriber{}
	var confirmed *time.Time
	err := row.Scan(&sub.ID, &sub.Address, &sub.Langs, &confirmed)
	sub.ConfirmedAt = timeOrZero(confirmed)
	return sub, err
}

// PendingSubscriber returns the unconfirmed subscriber whose confirmation
// token has the given hash and still works; content.ErrNotFound otherwise.
func (s *Store) PendingSubscriber(ctx context.Context, tokenHash []byte) (*content.Subscriber, error) {
	sub, err := scanSubscriber(s.pool.QueryRow(ctx, `SELECT `+subscriberColumns+` FROM newsletter_subscribers
		WHERE token_hash = $1 AND confirmed_at IS NULL AND token_sent_at > $2`, tokenHash, s.now().Add(-content.ConfirmValidity)))
	return sub, mapErr("pending subscriber", err)
}

// ConfirmSubscriber confirms the subscription whose token has the given
// hash, if the token still works, and forgets the token.
func (s *Store) ConfirmSubscriber(ctx context.Context, tokenHash []byte) (*content.Subscriber, error) {
	now := s.now()
	sub, err := scanSubscriber(s.pool.QueryRow(ctx, `UPDATE newsletter_subscribers
		SET confirmed_at = $2, token_hash = NULL, token_sent_at = NULL
		WHERE token_hash = $1 AND confirmed_at IS NULL AND token_sent_at > $3
		RETURNING `+subscriberColumns, tokenHash, now, now.Add(-content.ConfirmValidity)))
	return sub, mapErr("confirm subscriber", err)
}

// Subscriber returns one subscriber.
func (s *Store) Subscriber(ctx context.Context, id int64) (*content.Subscriber, error) {
	sub, err := scanSubscriber(s.pool.QueryRow(ctx, `SELECT `+subscriberColumns+` FROM newsletter_subscribers WHERE id = $1`, id))
	return sub, mapErr(fmt.Sprintf("subscriber %d", id), err)
}

// DeleteSubscriber deletes a subscriber and what was recorded of the mails
// sent to them: unsubscribing forgets the address.
func (s *Store) DeleteSubscriber(ctx context.Context, id int64) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM newsletter_subscribers WHERE id = $1`, id)
	if err == nil && tag.RowsAffected() == 0 {
		err = pgx.ErrNoRows
	}
	return mapErr(fmt.Sprintf("delete subscriber %d", id), err)
}

// DeleteUnconfirmed deletes the requests whose confirmation link expired
// and returns how many.
func (s *Store) DeleteUnconfirmed(ctx context.Context) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM newsletter_subscribers WHERE confirmed_at IS NULL AND token_sent_at <= $1`,
		s.now().Add(-content.ConfirmValidity))
	return tag.RowsAffected(), mapErr("delete unconfirmed subscribers", err)
}

// SubscriberCounts returns how many confirmed subscribers each language has.
func (s *Store) SubscriberCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.pool.Query(ctx, `SELECT l, count(*) FROM newsletter_subscribers, unnest(langs) l
		WHERE confirmed_at IS NOT NULL GROUP BY l`)
	if err != nil {
		return nil, mapErr("subscriber counts", err)
	}
	out := map[string]int{}
	var lang string
	var n int
	_, err = pgx.ForEachRow(rows, []any{&lang, &n}, func() error { out[lang] = n; return nil })
	return out, mapErr("subscriber counts", err)
}

// NewsletterKey returns the secret that authenticates unsubscribe links,
// made on first use and kept in the settings table.
func (s *Store) NewsletterKey(ctx context.Context) ([]byte, error) {
	return s.secretKey(ctx, "newsletter_key")
}

// AskKey returns the secret that authenticates the cookie of readers
// signed in to ask questions, made on first use and kept in settings.
func (s *Store) AskKey(ctx context.Context) ([]byte, error) { return s.secretKey(ctx, "ask_key") }

// secretKey returns the random key kept in settings under name, making it
// on first use; two processes making it at once end up with the same.
func (s *Store) secretKey(ctx context.Context, name string) ([]byte, error) {
	b := make([]byte, 32)
	rand.Read(b)
	var v string
	err := s.pool.QueryRow(ctx, `WITH ins AS (
			INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING value)
		SELECT value FROM ins UNION ALL SELECT value FROM settings WHERE key = $1 LIMIT 1`,
		name, base64.RawStdEncoding.EncodeToString(b)).Scan(&v)
	if err != nil {
		return nil, mapErr(name, err)
	}
	key, err := base64.RawStdEncoding.DecodeString(v)
	if err != nil {
		return nil, fmt.Errorf("store: %s: %w", name, err)
	}
	return key, nil
}
