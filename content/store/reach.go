package store

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Reach groups: why an inbox gets an activity about an Article. An inbox
// in several groups is counted in the first of this order.
const (
	ReachFollowers = "followers"
	ReachReplied   = "replied"
	ReachBoosted   = "boosted"
	ReachLiked     = "liked"
	ReachQuoted    = "quoted"
	ReachFetched   = "fetched"
)

// ReachInbox is an inbox to deliver to and the group it is in.
type ReachInbox struct {
	Inbox string
	Group string
}

// RecordArticleFetch records that the instance host fetched the Article of
// a translation with a request signed by signer. It writes at most once an
// hour per Article and instance: a busy instance fetches often.
func (s *Store) RecordArticleFetch(ctx context.Context, translationID int64, host, signer string) error {
	_, err := s.pool.Exec(ctx, `
		INSERT INTO article_fetches (translation_id, host, signer, fetched_at) VALUES ($1, $2, $3, $4)
		ON CONFLICT (translation_id, host) DO UPDATE SET signer = EXCLUDED.signer, fetched_at = EXCLUDED.fetched_at
		WHERE article_fetches.fetched_at < EXCLUDED.fetched_at - interval '1 hour'`,
		translationID, strings.ToLower(host), signer, s.now())
	return mapErr(fmt.Sprintf("record a fetch of translation %d by %s", translationID, host), err)
}

// ArticleReach returns the inboxes, beside its actor's followers', that may
// hold a copy of a translation's Article: of every account that replied in
// its story's dialogue (replies to any depth), boosted or liked it, or
// quoted it, and of every instance that fetched it signed. Each is the
// actor's shared inbox, or its own. With excludeBlocked, blocked accounts
// and instances are left out. q is a transaction or the pool.
func (s *Store) ArticleReach(ctx context.Context, q querier, translationID, storyID int64, excludeBlocked bool) ([]ReachInbox, error) {
	op := fmt.Sprintf("reach of translation %d", translationID)
	rows, err := q.Query(ctx, `
		WITH who (actor, grp, ord) AS (
			SELECT author, 'replied', 2 FROM replies WHERE story_id = $2
			UNION ALL
			SELECT actor, CASE kind WHEN 'announce' THEN 'boosted' ELSE 'liked' END,
			       CASE kind WHEN 'announce' THEN 3 ELSE 4 END
			FROM reactions WHERE translation_id = $1
			UNION ALL
			SELECT actor, 'quoted', 5 FROM quotes WHERE translation_id = $1
			UNION ALL
			SELECT signer, 'fetched', 6 FROM article_fetches WHERE translation_id = $1
		)
		SELECT DISTINCT ON (inbox) coalesce(nullif(a.shared_inbox, ''), a.inbox) AS inbox, w.grp
		FROM who w JOIN remote_actors a ON a.id = w.actor
		WHERE coalesce(nullif(a.shared_inbox, ''), a.inbox) <> ''
		  AND NOT ($3 AND EXISTS (
			SELECT 1 FROM blocks b
			WHERE (b.kind = 'account' AND b.target = a.id)
			   OR (b.kind = 'instance' AND (b.target = a.host OR b.target = split_part(a.host, ':', 1)
			       OR split_part(a.host, ':', 1) LIKE '%.' || b.target))))
		ORDER BY inbox, w.ord`, translationID, storyID, excludeBlocked)
	if err != nil {
		return nil, mapErr(op, err)
	}
	out, err := pgx.CollectRows(rows, pgx.RowToStructByPos[ReachInbox])
	return out, mapErr(op, err)
}

// reachCounts fills the Reach of each activity of a translation.
func (s *Store) reachCounts(ctx context.Context, translationID int64, acts []ActivityReport) error {
	rows, err := s.pool.Query(ctx, `
		SELECT d.activity_id, d.reach, count(*), count(*) FILTER (WHERE d.state = 'delivered')
		FROM deliveries d JOIN activities a ON a.id = d.activity_id
		WHERE a.translation_id = $1 AND d.reach <> ''
		GROUP BY d.activity_id, d.reach
		ORDER BY d.activity_id, array_position(ARRAY['followers', 'replied', 'boosted', 'liked', 'quoted', 'fetched'], d.reach), d.reach`, translationID)
	if err != nil {
		return err
	}
	byID := map[string]*ActivityReport{}
	for i := range acts {
		byID[acts[i].ActivityID] = &acts[i]
	}
	var (
		id string
		c  ReachCount
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &c.Group, &c.Inboxes, &c.Delivered}, func() error {
		if a := byID[id]; a != nil {
			a.Reach = append(a.Reach, c)
		}
		return nil
	})
	return err
}
