package federation

import (
	"context"
	"fmt"
	"net/http"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
)

// publishedArticle returns the translation whose Article has the given key, if
// it is published in a configured language. Anything else is
// content.ErrNotFound: a withdrawn key answers 404 for ever, so that Mastodon
// deletes the copy it still holds when it fetches it again
// (docs/federation.md#withdrawn-articles; a 410 would leave the copy in place).
func (f *Federation) publishedArticle(ctx context.Context, key string) (*content.Translation, error) {
	t, err := f.store.TranslationByObjectKey(ctx, key)
	if err != nil {
		return nil, err
	}
	if t.State != content.StatePublished || !f.hasLang(t.Lang) {
		return nil, fmt.Errorf("federation: article %s is %s: %w", key, t.State, content.ErrNotFound)
	}
	return t, nil
}

// handleArticle serves an Article at its id
// (docs/federation.md#object-id-served-exactly). A browser is sent to the
// story's page.
func (f *Federation) handleArticle(w http.ResponseWriter, r *http.Request) {
	t, err := f.publishedArticle(r.Context(), chi.URLParam(r, "key"))
	if err != nil {
		f.error(w, r, err)
		return
	}
	if !WantsActivityPub(r.Header.Get("Accept")) {
		f.redirect(w, r, f.iri.StoryURL(t.Lang, t.Slug))
		return
	}
	f.serveArticle(w, r, t)
}

func (f *Federation) serveArticle(w http.ResponseWriter, r *http.Request, t *content.Translation) {
	f.noteSignedFetch(r, t)
	x, err := f.articleExtras(r.Context(), t)
	if err != nil {
		f.error(w, r, err)
		return
	}
	d, err := f.article(t, x)
	if err != nil {
		f.error(w, r, err)
		return
	}
	f.writeAP(w, r, withContext(d))
}

// handleStoryAP answers a story page's URL with its Article, for a server
// resolving a pasted link (docs/federation.md#activitypub-accept-headers,
// #activitypub-content-type, #pasted-url-resolution). The Article's id differs
// from the page URL; Mastodon then fetches the id once, which is served the
// same. An old slug still finds the translation.
func (f *Federation) handleStoryAP(w http.ResponseWriter, r *http.Request) {
	lang, slug := chi.URLParam(r, "lang"), chi.URLParam(r, "slug")
	if !f.hasLang(lang) {
		f.notFound(w, r)
		return
	}
	t, err := f.store.TranslationBySlug(r.Context(), lang, slug)
	if isNotFound(err) {
		var current string
		if current, err = f.store.SlugRedirect(r.Context(), lang, slug); err == nil {
			t, err = f.store.TranslationBySlug(r.Context(), lang, current)
		}
	}
	if err != nil {
		f.error(w, r, err)
		return
	}
	if t.State != content.StatePublished {
		f.notFound(w, r)
		return
	}
	f.serveArticle(w, r, t)
}

// handleSectionAP answers a language section's URL, the actor's profile
// page, with the actor itself.
func (f *Federation) handleSectionAP(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if !f.hasLang(lang) {
		f.notFound(w, r)
		return
	}
	f.serveLanguageActor(w, r, lang)
}
