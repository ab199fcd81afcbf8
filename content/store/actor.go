package store

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// ActorKey is the key pair of one of our own actors: a language code, or
// "instance" for the instance actor.
type ActorKey struct {
	Actor      string
	PrivatePEM string
	PublicPEM  string
	CreatedAt  time.Time // also the actor's "published": when it first existed
}

// EnsureActorKey returns the key pair of a local actor, making it with gen and
// storing it the first time. Several processes may start together, so the
// insert yields to whichever row got there first and the stored key is always
// the one returned.
func (s *Store) EnsureActorKey(ctx context.Context, actor string, gen func() (privatePEM, publicPEM string, err error)) (*ActorKey, error) {
	k := &ActorKey{Actor: actor}
	err := s.pool.QueryRow(ctx, `SELECT private_pem, public_pem, created_at FROM actor_keys WHERE actor = $1`, actor).
		Scan(&k.PrivatePEM, &k.PublicPEM, &k.CreatedAt)
	if err == nil {
		return k, nil
	}
	if !errors.Is(err, pgx.ErrNoRows) {
		return nil, mapErr(fmt.Sprintf("key for actor %s", actor), err)
	}
	priv, pub, err := gen()
	if err != nil {
		return nil, fmt.Errorf("store: make key for actor %s: %w", actor, err)
	}
	_, err = s.pool.Exec(ctx, `
		INSERT INTO actor_keys (actor, private_pem, public_pem, created_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (actor) DO NOTHING`, actor, priv, pub, s.now())
	if err != nil {
		return nil, mapErr(fmt.Sprintf("insert key for actor %s", actor), err)
	}
	err = s.pool.QueryRow(ctx, `SELECT private_pem, public_pem, created_at FROM actor_keys WHERE actor = $1`, actor).
		Scan(&k.PrivatePEM, &k.PublicPEM, &k.CreatedAt)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("key for actor %s", actor), err)
	}
	return k, nil
}
