package store

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// Follow records that a remote actor follows one of our language actors through
// the Follow activity followID. A repeated Follow keeps the one row and
// replaces the Follow id (docs/federation.md#repeated-follow). then runs in the
// same transaction, so the Accept it enqueues commits together with the
// follower. Follow reports whether the follower is new.
func (s *Store) Follow(ctx context.Context, lang, follower, followID string, then func(ctx context.Context, tx pgx.Tx) error) (bool, error) {
	var created bool
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		err := tx.QueryRow(ctx, `
			INSERT INTO followers (actor, follower, follow_id, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (actor, follower) DO UPDATE SET follow_id = EXCLUDED.follow_id
			RETURNING xmax = 0`, lang, follower, followID, s.now()).Scan(&created)
		if err != nil {
			return mapErr(fmt.Sprintf("follow %s by %s", lang, follower), err)
		}
		if then != nil {
			return then(ctx, tx)
		}
		return nil
	})
	return created, err
}

// Unfollow removes follower from the followers of lang, matched by the pair and
// never only by a Follow id (docs/federation.md#undo-follow-by-pair), and
// reports whether a row went.
func (s *Store) Unfollow(ctx context.Context, lang, follower string) (bool, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM followers WHERE actor = $1 AND follower = $2`, lang, follower)
	if err != nil {
		return false, mapErr(fmt.Sprintf("unfollow %s by %s", lang, follower), err)
	}
	return tag.RowsAffected() > 0, nil
}

// UnfollowByFollowID removes the follow that follower made with the Follow
// activity followID, whichever of our actors it followed, for an Undo that
// names the Follow only by its id. It reports how many rows went.
func (s *Store) UnfollowByFollowID(ctx context.Context, follower, followID string) (int64, error) {
	tag, err := s.pool.Exec(ctx, `DELETE FROM followers WHERE follower = $1 AND follow_id = $2 AND follow_id <> ''`, follower, followID)
	if err != nil {
		return 0, mapErr(fmt.Sprintf("unfollow %s by %s", followID, follower), err)
	}
	return tag.RowsAffected(), nil
}

// IsFollower reports whether follower follows the language actor lang.
func (s *Store) IsFollower(ctx context.Context, lang, follower string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM followers WHERE actor = $1 AND follower = $2)`, lang, follower).Scan(&ok)
	return ok, mapErr(fmt.Sprintf("is %s a follower of %s", follower, lang), err)
}

// FollowerCount returns how many remote actors follow lang.
func (s *Store) FollowerCount(ctx context.Context, lang string) (int, error) {
	var n int
	err := s.pool.QueryRow(ctx, `SELECT count(*) FROM followers WHERE actor = $1`, lang).Scan(&n)
	return n, mapErr(fmt.Sprintf("follower count of %s", lang), err)
}

// Followers returns the ids of lang's followers, oldest follow first, for the
// followers collection's pages.
func (s *Store) Followers(ctx context.Context, lang string, limit, offset int) ([]string, error) {
	rows, err := s.pool.Query(ctx, `
		SELECT follower FROM followers WHERE actor = $1
		ORDER BY created_at, follower LIMIT $2 OFFSET $3`, lang, limit, offset)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("followers of %s", lang), err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	return ids, mapErr(fmt.Sprintf("followers of %s", lang), err)
}
