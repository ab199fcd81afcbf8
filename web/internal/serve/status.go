package serve

import (
	"errors"
	"net/http"

	"samizdat/content"
	"samizdat/content/store"
)

// RetryAfter is how many seconds a client is asked to wait, with a 503,
// while the database cannot be reached: long enough for PostgreSQL to
// restart, short enough that nobody gives up.
const RetryAfter = "30"

// Status maps an error's kind to an HTTP status, the one table for the
// public site and the desk. A 500 means the error is not the client's
// doing: the caller logs it, and never shows its text. A 503 means the
// database could not be reached; the caller sets Retry-After.
func Status(err error) int {
	var ve *content.ValidationError
	switch {
	case errors.Is(err, content.ErrNotFound):
		return http.StatusNotFound
	case errors.Is(err, content.ErrForbidden):
		return http.StatusForbidden
	case errors.Is(err, content.ErrConflict):
		return http.StatusConflict
	case errors.As(err, &ve):
		return http.StatusBadRequest
	case store.Unavailable(err):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}
