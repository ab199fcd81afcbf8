package federation

import (
	"slices"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

// queued returns the activities stored for a translation, oldest first, with
// the inboxes each is queued for.
func queued(t *testing.T, e *env, translationID int64) []queuedActivity {
	t.Helper()
	rows, err := e.store.Pool().Query(t.Context(), `
		SELECT a.id, a.type, a.actor, a.body,
			coalesce((SELECT array_agg(d.inbox ORDER BY d.inbox) FROM deliveries d WHERE d.activity_id = a.id), '{}'),
			(SELECT count(*) FROM river_job j WHERE j.args->>'activity_id' = a.id)
		FROM activities a WHERE a.translation_id = $1 ORDER BY a.created_at, a.id`, translationID)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []queuedActivity
	for rows.Next() {
		var q queuedActivity
		if err := rows.Scan(&q.id, &q.typ, &q.actor, &q.body, &q.inboxes, &q.jobs); err != nil {
			t.Fatal(err)
		}
		out = append(out, q)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

type queuedActivity struct {
	id, typ, actor string
	body           []byte
	inboxes        []string
	jobs           int
}

// TestPublish_Activities follows a translation through publication, an edit
// and a withdrawal: each sends its activity from the language's actor to
// the distinct shared inboxes of that actor's followers, and nobody else's.
func TestPublish_Activities(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	for _, a := range []store.RemoteActor{
		{ID: "https://m.example/users/a", Host: "m.example", Inbox: "https://m.example/users/a/inbox", SharedInbox: "https://m.example/inbox"},
		{ID: "https://m.example/users/b", Host: "m.example", Inbox: "https://m.example/users/b/inbox", SharedInbox: "https://m.example/inbox"},
		{ID: "https://solo.example/c", Host: "solo.example", Inbox: "https://solo.example/c/inbox"},
		{ID: "https://ru.example/d", Host: "ru.example", Inbox: "https://ru.example/d/inbox"},
	} {
		if err := e.store.SaveRemoteActor(ctx, &a); err != nil {
			t.Fatal(err)
		}
		lang := "en"
		if a.Host == "ru.example" {
			lang = "ru" // follows another language: hears nothing of en
		}
		if _, err := e.store.Follow(ctx, lang, a.ID, a.ID+"#follow", nil); err != nil {
			t.Fatal(err)
		}
	}
	wantInboxes := []string{"https://m.example/inbox", "https://solo.example/c/inbox"}

	tr := e.publish(t, "en", "Lights out", nil, false)
	e.clock.Set(t0.Add(time.Hour))
	tr.Teaser = "A corrected teaser."
	if err := e.store.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	e.clock.Set(t0.Add(2 * time.Hour))
	if _, err := e.store.SetTranslationState(ctx, tr.ID, content.StateWithdrawn, time.Time{}); err != nil {
		t.Fatal(err)
	}

	got := queued(t, e, tr.ID)
	if len(got) != 3 {
		t.Fatalf("%d activities, want Create, Update, Delete", len(got))
	}
	for i, want := range []struct{ typ, id string }{
		{"Create", e.fed.iri.CreateID(tr.ObjectKey)},
		{"Update", e.fed.iri.UpdateID(tr.ObjectKey, t0.Add(time.Hour))},
		{"Delete", e.fed.iri.DeleteID(tr.ObjectKey)},
	} {
		q := got[i]
		if q.typ != want.typ || q.id != want.id || q.actor != "en" {
			t.Errorf("activity %d: %s %s by %s, want %s %s by en", i, q.typ, q.id, q.actor, want.typ, want.id)
		}
		if !slices.Equal(q.inboxes, wantInboxes) || q.jobs != len(wantInboxes) {
			t.Errorf("%s: inboxes %v with %d jobs, want %v, one job each", q.typ, q.inboxes, q.jobs, wantInboxes)
		}
		m := decode(t, q.body)
		if m["id"] != want.id || m["type"] != want.typ || m["actor"] != e.fed.ActorURL("en") {
			t.Errorf("%s body: id %v type %v actor %v", q.typ, m["id"], m["type"], m["actor"])
		}
	}
	// docs/federation.md#mastodon-article-edits: the Update carries an updated
	// newer than published.
	obj := decode(t, got[1].body)["object"].(map[string]any)
	if obj["updated"] != "2026-11-20T13:00:00Z" || obj["published"] != "2026-11-20T12:00:00Z" || obj["summary"] != "A corrected teaser." {
		t.Errorf("Update's Article: published %v updated %v summary %v", obj["published"], obj["updated"], obj["summary"])
	}
	if _, ok := decode(t, got[0].body)["object"].(map[string]any)["updated"]; ok {
		t.Error("the Create's Article has updated, but it was never edited")
	}
	del := decode(t, got[2].body)["object"].(map[string]any)
	if del["type"] != "Tombstone" || del["id"] != e.fed.ArticleIRI(tr.ObjectKey) {
		t.Errorf("Delete's object %v, want the Article's Tombstone (docs/federation.md#withdrawn-articles)", del)
	}
}

// TestPublish_Scheduled checks docs/federation.md#mastodon-realtime-window: a
// scheduled story goes out with published set to the moment it actually went
// out.
func TestPublish_Scheduled(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{})
	ctx := t.Context()
	st := &content.Story{BylineKind: content.BylinePublication}
	if err := e.store.CreateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	tr := &content.Translation{StoryID: st.ID, Lang: "fr", Title: "Plus tard", Teaser: "Un chapeau."}
	if err := e.store.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.SetTranslationState(ctx, tr.ID, content.StateScheduled, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if q := queued(t, e, tr.ID); len(q) != 0 {
		t.Fatalf("scheduling sent %d activities", len(q))
	}
	went := t0.Add(3 * time.Hour) // the scheduler ran late
	e.clock.Set(went)
	if n, err := e.store.PublishDue(ctx); err != nil || n != 1 {
		t.Fatalf("PublishDue = %d, %v", n, err)
	}
	q := queued(t, e, tr.ID)
	if len(q) != 1 || q[0].typ != "Create" || q[0].actor != "fr" {
		t.Fatalf("queued %+v, want one Create by fr", q)
	}
	m := decode(t, q[0].body)
	if m["published"] != "2026-11-20T15:00:00Z" || m["object"].(map[string]any)["published"] != "2026-11-20T15:00:00Z" {
		t.Errorf("published %v / %v, want the moment it went out", m["published"], m["object"].(map[string]any)["published"])
	}
	if lang := m["object"].(map[string]any)["contentMap"].(map[string]any); len(lang) != 1 || lang["fr"] == nil {
		t.Errorf("contentMap %v, want one key, fr (docs/federation.md#article-language)", lang)
	}
}

// TestPublish_OtherLanguage checks that a translation in a language the
// publication does not run sends nothing.
func TestPublish_OtherLanguage(t *testing.T) {
	t.Parallel()
	e := newEnv(t, envOptions{languages: []string{"en"}})
	tr := e.publish(t, "ru", "Не здесь", nil, false)
	if q := queued(t, e, tr.ID); len(q) != 0 {
		t.Errorf("queued %d activities for an unconfigured language", len(q))
	}
}
