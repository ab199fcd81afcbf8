package federation

import (
	"context"
	"html"
	"path"
	"strconv"
	"strings"

	"github.com/go-fed/activity/streams/vocab"
	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/federation/delivery"
)

// profileImage is an actor's avatar or header: the file editors uploaded
// (served from our own /media/, on the actor's host), or the generated one
// at fallback.
func (f *Federation) profileImage(file, fallback, name string) vocab.ActivityStreamsImage {
	if file == "" {
		return imageObject(fallback, name)
	}
	mt := "image/jpeg"
	switch path.Ext(file) {
	case ".png":
		mt = "image/png"
	case ".webp":
		mt = "image/webp"
	}
	return typedImageObject(f.iri.Media(file), mt, name)
}

// profileFields are the actor's attachment: PropertyValues whose value is
// HTML, a link for a value that is an address, as Mastodon reads them. With
// none set, one field links the section; Mastodon shows it verified because
// the section page has a rel="me" link back to this actor
// (docs/federation.md#profile-link-verification).
func (f *Federation) profileFields(lang string, fields []content.ProfileField) []doc {
	if len(fields) == 0 {
		fields = []content.ProfileField{{Label: "Website", Value: f.iri.Section(lang)}}
	}
	out := make([]doc, 0, len(fields))
	for _, fl := range fields {
		value := html.EscapeString(fl.Value)
		if link := fl.Link(); link != "" {
			shown := strings.TrimPrefix(strings.TrimPrefix(link, "https://"), "http://")
			value = `<a href="` + html.EscapeString(link) + `" rel="me nofollow noopener" target="_blank">` + html.EscapeString(shown) + `</a>`
		}
		out = append(out, doc{"type": "PropertyValue", "name": fl.Label, "value": value})
	}
	return out
}

// SaveProfile stores what editors set of a language actor's profile, logged
// as done by staffID, and queues an Update of the actor to the inboxes of
// its followers in the same transaction, so that their copies of the
// account change with it (docs/federation.md#actor-updates).
func (f *Federation) SaveProfile(ctx context.Context, staffID int64, p *content.ActorProfile) error {
	return f.store.SaveActorProfile(ctx, staffID, p, func(ctx context.Context, tx pgx.Tx, p *content.ActorProfile) error {
		d, err := f.languageActor(p.Lang, p)
		if err != nil {
			return err
		}
		inboxes, err := f.store.FollowerInboxes(ctx, tx, p.Lang)
		if err != nil || len(inboxes) == 0 {
			return err
		}
		actor := f.iri.Actor(p.Lang)
		id := actor + "#updates/" + strconv.FormatInt(p.UpdatedAt.UnixMicro(), 10)
		body, err := encode(withContext(doc{
			"id": id, "type": "Update", "actor": actor,
			"to": []string{publicIRI}, "cc": []string{f.iri.Followers(p.Lang)},
			"object": d,
		}))
		if err != nil {
			return err
		}
		return f.queue.Enqueue(ctx, tx, delivery.Activity{ID: id, Actor: p.Lang, Type: "Update", Body: body}, inboxes)
	})
}
