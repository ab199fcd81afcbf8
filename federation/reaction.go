package federation

import (
	"context"

	"samizdat/content/store"
)

// Likes and boosts of our Articles are counted per translation
// (docs/federation.md#boosts-and-likes); the Article's likes and shares
// collections carry the totals (docs/federation.md#likes-shares-counts).
//
// Emoji reactions are counted as likes: Misskey sends them as a Like with
// _misskey_reaction or content, Pleroma and Akkoma as EmojiReact. Either
// way it is one reader's approval of the story, and it counts once per
// reader and translation, like a Like, so a reader who both likes and
// reacts counts once. Which emoji was used is not kept.

// reactionKinds maps the activity types we count to the kind stored.
var reactionKinds = map[string]string{
	"Like":       store.ReactionLike,
	"EmojiReact": store.ReactionLike,
	"Announce":   store.ReactionAnnounce,
}

// receiveReaction counts a Like, EmojiReact or Announce of one of our
// published Articles. Reactions to anything else, replies included, are
// accepted and ignored. A reaction needs an id, which its Undo names.
func (f *Federation) receiveReaction(ctx context.Context, act *object) error {
	kind := reactionKinds[act.Type]
	if act.ID == "" || !sameHost(act.ID, act.Actor) {
		return nil
	}
	t, _, err := f.localArticle(ctx, act.Object.ID)
	if err != nil || t == nil {
		return err
	}
	added, err := f.store.AddReaction(ctx, kind, act.ID, act.Actor, t.ID)
	if added {
		f.logger.Debug("reaction counted", "activity_id", act.ID, "actor", act.Actor, "kind", kind)
	}
	return err
}

// undoReaction takes back a reaction: matched by the reaction's id, or failing
// that by (actor, kind, Article), since an Undo may carry a reaction whose id
// we never saw (docs/federation.md#boosts-and-likes). obj is the embedded
// reaction.
func (f *Federation) undoReaction(ctx context.Context, act *object, obj *object) error {
	if a := obj.Actor; a != "" && a != act.Actor {
		return nil // an Undo of somebody else's reaction
	}
	var translationID int64
	t, _, err := f.localArticle(ctx, obj.Object.ID)
	if err != nil {
		return err
	}
	if t != nil {
		translationID = t.ID
	}
	_, err = f.store.RemoveReaction(ctx, act.Actor, obj.ID, reactionKinds[obj.Type], translationID)
	return err
}
