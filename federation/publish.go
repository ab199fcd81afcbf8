package federation

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
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
	inboxes, err := f.store.FollowerInboxes(ctx, tx, t.Lang)
	if err != nil {
		return err
	}
	err = f.queue.Enqueue(ctx, tx, delivery.Activity{ID: id, Actor: t.Lang, Type: typ, TranslationID: t.ID, Body: body}, inboxes)
	if err != nil {
		return fmt.Errorf("federation: enqueue %s of translation %d: %w", typ, t.ID, err)
	}
	return nil
}
