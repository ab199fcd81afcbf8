package web

import (
	"net/http"
	"strings"
)

// redirectNoSlash sends an address written with a trailing slash, such as
// /en/stories/some-story/, to the one without, permanently. It is
// registered only on the routes that name one resource, rather than as
// chi's site-wide slash-redirecting middleware, which twice let a crafted
// path redirect to another site: the target here is the matched path
// itself, still escaped, minus its last slash, so it stays on this site.
func (s *Server) redirectNoSlash(w http.ResponseWriter, r *http.Request) {
	target := strings.TrimSuffix(r.URL.EscapedPath(), "/")
	// The routes that lead here start with /{lang}/: anything else, or a
	// path a browser would read as another host ("//", "/\"), is not ours.
	if len(target) < 2 || target[0] != '/' || target[1] == '/' || target[1] == '\\' || strings.HasSuffix(target, "/") {
		s.notFound(w, r)
		return
	}
	if r.URL.RawQuery != "" {
		target += "?" + r.URL.RawQuery
	}
	http.Redirect(w, r, target, http.StatusMovedPermanently)
}
