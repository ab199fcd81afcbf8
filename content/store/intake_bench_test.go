package store_test

import (
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

// BenchmarkReplyIntake compares the inbox's intake read as one statement
// (ReplyIntake) with the eight statements it was before, both through the
// inbox's read coalescer, over a hundred cached authors with ten visible
// replies each, with sixteen callers at once, as the inbox has under load.
// The coalescer sends one batch at a time, so the time per operation is
// that of the batches' pipeline (pgx, a PostgreSQL backend and the
// loopback) divided by the callers each batch carries.
func BenchmarkReplyIntake(b *testing.B) {
	s := storetest.New(b)
	ctx := b.Context()
	st := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	tr := &content.Translation{Lang: "en", Title: "The bakery", Teaser: "A teaser.", BodyMarkdown: "Hello."}
	if err := s.CreateStoryWithTranslation(ctx, st, tr); err != nil {
		b.Fatal(err)
	}
	tr, err := s.SetTranslationState(ctx, tr.ID, content.StatePublished, time.Time{})
	if err != nil {
		b.Fatal(err)
	}
	const authors = 100
	actor := func(i int) string { return fmt.Sprintf("https://host%d.example/users/u%d", i%10, i) }
	for i := range authors {
		a := &store.RemoteActor{ID: actor(i), Host: fmt.Sprintf("host%d.example", i%10), Inbox: actor(i) + "/inbox",
			KeyID: actor(i) + "#main-key", PublicKeyPEM: "-----BEGIN PUBLIC KEY-----", Username: fmt.Sprint("u", i)}
		if err := s.SaveRemoteActor(ctx, a); err != nil {
			b.Fatal(err)
		}
		for j := range 10 {
			r := &content.Reply{APID: fmt.Sprintf("%s/statuses/%d", actor(i), j), StoryID: st.ID, TranslationID: tr.ID,
				InReplyTo: "https://samizdat.example/ap/articles/x", Author: actor(i), AuthorHost: a.Host, Lang: "en",
				ContentHTML: "<p>A reply.</p>", Visibility: content.VisibilityPublic, State: content.ReplyVisible,
				Published: time.Now(), ReceivedAt: time.Now()}
			if _, err := s.SaveReply(ctx, r, ""); err != nil {
				b.Fatal(err)
			}
		}
	}
	var n atomic.Int64
	b.Run("one-statement", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1))
				in, err := s.ReplyIntake(ctx, fmt.Sprintf("%s/statuses/new-%d", actor(i%authors), i), actor(i%authors), tr.ObjectKey)
				if err != nil || in.Author == nil || in.Article == nil || !in.Rules.AuthorKnown {
					b.Errorf("ReplyIntake = %+v, %v", in, err)
					return
				}
			}
		})
	})
	b.Run("eight-statements", func(b *testing.B) {
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				i := int(n.Add(1))
				if err := s.ReplyIntakeApart(ctx, fmt.Sprintf("%s/statuses/new-%d", actor(i%authors), i), actor(i%authors), tr.ObjectKey); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}
