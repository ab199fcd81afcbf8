package federation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// onChange is the store's change hook: it turns a publication, an edit or a
// withdrawal into a Create, an Update or a Delete from the translation's
// language actor, and enqueues it for the distinct inboxes of that actor's
// followers inside the transaction that makes the change, so the change and its
// deliveries commit or roll back together
// (docs/federation.md#shared-inbox-delivery). Followers-only synchronisation
// headers are never sent (docs/federation.md#no-follower-synchronization).
func (f *Federation) onChange(ctx context.Context, tx pgx.Tx, kind content.ChangeKind, t *content.Translation) error {
	if !f.hasLang(t.Lang) || t.ObjectKey == "" {
		return nil
	}
	var (
		d   doc
		id  string
		typ string
		err error
	)
	var x articleExtras
	if kind == content.ChangePublished || kind == content.ChangeUpdated {
		// The counts and replies as committed so far: an Update refreshes
		// them on Mastodon (docs/federation.md#likes-shares-counts).
		if x, err = f.articleExtras(ctx, t); err != nil {
			return err
		}
	}
	switch kind {
	case content.ChangePublished:
		d, err = f.createActivity(t, x)
		id, typ = f.iri.CreateID(t.ObjectKey), "Create"
	case content.ChangeUpdated:
		d, err = f.updateActivity(t, x)
		id, typ = f.iri.UpdateID(t.ObjectKey, t.EditedAt), "Update"
	case content.ChangeWithdrawn:
		d, err = f.deleteActivity(t, t.UpdatedAt)
		id, typ = f.iri.DeleteID(t.ObjectKey), "Delete"
	default:
		return nil
	}
	if err != nil {
		return err
	}
	body, err := encode(withContext(d))
	if err != nil {
		return err
	}
	recipients, err := f.recipients(ctx, tx, kind, t)
	if err != nil {
		return err
	}
	err = f.queue.EnqueueTo(ctx, tx, delivery.Activity{ID: id, Actor: t.Lang, Type: typ, TranslationID: t.ID, Body: body}, recipients)
	if err != nil {
		return fmt.Errorf("federation: enqueue %s of translation %d: %w", typ, t.ID, err)
	}
	return nil
}

// recipients are the inboxes of an activity about t: its actor's
// followers; and for an edit or a withdrawal, every other server that may
// hold a copy (docs/federation.md#withdrawals-reach-every-copy): of those
// who replied in the story's dialogue, boosted, liked or quoted the
// Article, and of the instances that fetched it signed. An edit is not sent
// to blocked accounts and instances; a withdrawal is, since it takes their
// copy away.
func (f *Federation) recipients(ctx context.Context, tx pgx.Tx, kind content.ChangeKind, t *content.Translation) ([]delivery.Recipient, error) {
	inboxes, err := f.store.FollowerInboxes(ctx, tx, t.Lang)
	if err != nil {
		return nil, err
	}
	rs := make([]delivery.Recipient, 0, len(inboxes))
	for _, inbox := range inboxes {
		rs = append(rs, delivery.Recipient{Inbox: inbox, Group: store.ReachFollowers})
	}
	if kind != content.ChangeUpdated && kind != content.ChangeWithdrawn {
		return rs, nil
	}
	more, err := f.store.ArticleReach(ctx, tx, t.ID, t.StoryID, kind == content.ChangeUpdated)
	if err != nil {
		return nil, err
	}
	for _, r := range more {
		rs = append(rs, delivery.Recipient{Inbox: r.Inbox, Group: r.Group})
	}
	return rs, nil
}
