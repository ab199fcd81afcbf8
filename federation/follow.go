package federation

import (
	"context"
	"fmt"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"samizdat/federation/delivery"
)

// inFollow is a Follow as received: who follows which of our actors, with
// which activity id.
type inFollow struct {
	ID, Actor, Object string
}

// receiveFollow accepts a Follow of a language actor at once
// (docs/federation.md#mastodon-follow-accept): it records the follower and, in
// the same transaction, enqueues an Accept that embeds the Follow, signed by
// our actor and delivered to the follower's own inbox. A repeated Follow, which
// Mastodon sends after key changes or to repair state, updates the row and is
// accepted again (docs/federation.md#repeated-follow, #key-rotation-refollow).
// Follows of the instance actor, or of nobody of ours, are dropped.
func (f *Federation) receiveFollow(ctx context.Context, act *object) error {
	lang := f.localLang(act.Object.ID)
	if lang == "" {
		return nil
	}
	if _, err := f.remoteURL(act.ID); err != nil {
		f.logger.Info("follow without a usable id", "actor", act.Actor, "activity_id", act.ID)
		return nil
	}
	follower, err := f.store.RemoteActor(ctx, act.Actor)
	if err != nil {
		return err
	}
	id := uuid.NewString()
	accept, err := f.acceptActivity(lang, id, inFollow{ID: act.ID, Actor: act.Actor, Object: f.iri.Actor(lang)})
	if err != nil {
		return err
	}
	body, err := encode(withContext(accept))
	if err != nil {
		return err
	}
	out := delivery.Activity{ID: f.iri.AcceptID(lang, id), Actor: lang, Type: "Accept", Body: body}
	_, err = f.store.Follow(ctx, lang, act.Actor, act.ID, func(ctx context.Context, tx pgx.Tx) error {
		return f.queue.Enqueue(ctx, tx, out, []string{follower.Inbox})
	})
	if err != nil {
		return fmt.Errorf("federation: accept follow %s: %w", act.ID, err)
	}
	f.logger.Info("follow accepted", "actor", act.Actor, "activity_id", act.ID)
	return nil
}

// receiveUndo handles Undo of a Follow, a Like, an EmojiReact or an Announce.
// Mastodon embeds the Follow, and its follower synchronisation may undo a
// Follow whose id we never saw, so the follow is matched by (follower,
// followed), never by the id alone (docs/federation.md#undo-follow-by-pair). An
// Undo naming only an id removes the follow or the reaction with that id.
func (f *Federation) receiveUndo(ctx context.Context, act *object) error {
	obj := act.Object.Obj
	if obj == nil {
		if id := act.Object.ID; id != "" {
			if _, err := f.store.UnfollowByFollowID(ctx, act.Actor, id); err != nil {
				return err
			}
			_, err := f.store.RemoveReaction(ctx, act.Actor, id, "", 0)
			return err
		}
		return nil
	}
	if _, ok := reactionKinds[obj.Type]; ok {
		return f.undoReaction(ctx, act, obj)
	}
	if obj.Type != "Follow" {
		return nil
	}
	if a := obj.Actor; a != "" && a != act.Actor {
		return nil // an Undo of somebody else's Follow
	}
	lang := f.localLang(obj.Object.ID)
	if lang == "" {
		if id := obj.ID; id != "" {
			_, err := f.store.UnfollowByFollowID(ctx, act.Actor, id)
			return err
		}
		return nil
	}
	gone, err := f.store.Unfollow(ctx, lang, act.Actor)
	if gone {
		f.logger.Info("unfollowed", "actor", act.Actor)
	}
	return err
}

// receiveBlock removes a follower who blocked a language actor: we stop
// delivering to someone who asked not to hear from us
// (docs/federation.md#block-removes-follower).
func (f *Federation) receiveBlock(ctx context.Context, act *object) error {
	lang := f.localLang(act.Object.ID)
	if lang == "" {
		return nil
	}
	gone, err := f.store.Unfollow(ctx, lang, act.Actor)
	if gone {
		f.logger.Info("blocked by a follower; removed", "actor", act.Actor)
	}
	return err
}
