package content

import (
	"errors"
	"sort"
	"strings"
)

// Error kinds shared by every package. The web and federation layers map them
// to HTTP statuses in one place each.
var (
	ErrNotFound  = errors.New("content: not found")
	ErrConflict  = errors.New("content: conflict")
	ErrForbidden = errors.New("content: forbidden")
)

// ValidationError reports every invalid field of an input at once, keyed by
// field name, with a message meant for the person who typed it.
type ValidationError struct {
	Fields map[string]string
}

// Add records a problem with field; the first message for a field wins.
func (e *ValidationError) Add(field, msg string) {
	if e.Fields == nil {
		e.Fields = map[string]string{}
	}
	if _, ok := e.Fields[field]; !ok {
		e.Fields[field] = msg
	}
}

// Err returns e when it holds any problem, nil otherwise.
func (e *ValidationError) Err() error {
	if e == nil || len(e.Fields) == 0 {
		return nil
	}
	return e
}

func (e *ValidationError) Error() string {
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return "content: invalid: " + strings.Join(parts, "; ")
}
