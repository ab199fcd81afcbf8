package federation

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5/middleware"

	"samizdat/content"
	"samizdat/content/store"
)

// writeAP writes an ActivityPub document with the content type every server
// accepts (docs/federation.md#activitypub-content-type) and Vary: Accept,
// because the same URLs also serve pages to browsers.
func (f *Federation) writeAP(w http.ResponseWriter, r *http.Request, d doc) {
	b, err := encode(d)
	if err != nil {
		f.error(w, r, err)
		return
	}
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Vary", "Accept")
	h.Set("Cache-Control", "public, max-age=60")
	if isGated(r) {
		// The answer depends on who signed: no shared cache may keep it
		// for others (docs/federation.md#authorized-fetch).
		h.Set("Vary", "Accept, Signature")
		h.Set("Cache-Control", "private, max-age=60")
	}
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b) //nolint:errcheck // the client went away
	}
}

// writeJSON writes a non-ActivityPub JSON document (WebFinger, NodeInfo).
func (f *Federation) writeJSON(w http.ResponseWriter, r *http.Request, contentType string, v any) {
	b, err := encode(v)
	if err != nil {
		f.error(w, r, err)
		return
	}
	w.Header().Set("Content-Type", contentType)
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(b) //nolint:errcheck // the client went away
	}
}

// redirect sends a browser to a page on the website. The address is
// absolute: Mastodon's rel="me" check compares the Location header with the
// actor's url as it is (docs/federation.md#profile-link-verification).
func (f *Federation) redirect(w http.ResponseWriter, r *http.Request, to string) {
	w.Header().Set("Vary", "Accept")
	http.Redirect(w, r, to, http.StatusFound)
}

// notFound answers 404. A hidden, withdrawn or unknown object is 404 alike
// [GoToSocial]; for a withdrawn Article that is what makes Mastodon drop
// its copy when it fetches it again (docs/federation.md#withdrawn-articles).
func (f *Federation) notFound(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Vary", "Accept")
	http.Error(w, http.StatusText(http.StatusNotFound), http.StatusNotFound)
}

// error maps an error to a status and logs only the unexpected ones. Clients
// see a fixed message per status, never err.Error() (STYLE 2.3). Temporary
// faults are 5xx, never 404 or 410, which peers would take as deletion (0.6).
func (f *Federation) error(w http.ResponseWriter, r *http.Request, err error) {
	var v *content.ValidationError
	switch {
	case errors.Is(err, content.ErrNotFound):
		f.notFound(w, r)
	case errors.As(err, &v):
		http.Error(w, http.StatusText(http.StatusBadRequest), http.StatusBadRequest)
	case f.databaseDown(err):
		f.unavailable(w)
	default:
		f.logger.Error("request failed", "err", err, "request_id", middleware.GetReqID(r.Context()),
			slog.Group("request", "method", r.Method, "path", r.URL.Path))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

// databaseDown reports whether err says our database could not be reached,
// and not that a remote server could not (those are errFetch).
func (f *Federation) databaseDown(err error) bool {
	return store.Unavailable(err) && !errors.Is(err, errFetch)
}

// unavailable answers 503 with Retry-After while the database cannot be
// reached: peers send the activity again later
// (docs/federation.md#inbox-answers), and nothing is lost.
func (f *Federation) unavailable(w http.ResponseWriter) {
	w.Header().Set("Retry-After", unavailableRetryAfter)
	http.Error(w, "The database is unavailable for a moment; try again later.", http.StatusServiceUnavailable)
}

// unavailableRetryAfter is the wait asked of peers while the database is
// away, in seconds: enough for PostgreSQL to restart.
const unavailableRetryAfter = "30"
