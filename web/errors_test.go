package web

import (
	"net/http"
	"testing"
)

func TestErrorPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)

	t.Run("NotFound", func(t *testing.T) {
		body := expectPage(t, s.get("/fr/stories/nowhere"), http.StatusNotFound, "fr")
		contains(t, body, "<title>Page introuvable · Samizdat Test</title>", `<meta name="robots" content="noindex">`,
			`<a href="/fr/">Voir les derniers récits</a>`, `<nav class="lang-switch"`)
	})
	t.Run("MethodNotAllowed", func(t *testing.T) {
		rec := s.post("/en/", nil)
		expectPage(t, rec, http.StatusMethodNotAllowed, "en")
	})
	t.Run("InternalError", func(t *testing.T) {
		broken := newSite(t)
		broken.store.Pool().Close()
		body := expectPage(t, broken.get("/ru/"), http.StatusInternalServerError, "ru")
		contains(t, body, "Что-то пошло не так")
		lacks(t, body, "closed", "pool", "store:")
	})
}
