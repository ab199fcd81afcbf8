package serve

import (
	"errors"
	"net/http"

	"samizdat/content"
)

// Status maps an error's kind to an HTTP status, the one table for the
// public site and the desk. A 500 means the error is not the client's
// doing: the caller logs it, and never shows its text.
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
	}
	return http.StatusInternalServerError
}
