package serve

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// FormCheck says what was wrong with a form's body, beyond what each form
// checks of its fields: too large to read whole, not well formed, or text
// that is not valid UTF-8 or holds NUL characters, which PostgreSQL cannot
// store. What could be read is in the request's PostForm either way, with
// such text repaired (invalid bytes become U+FFFD, NULs are dropped), so
// that the page that answers can give back what was typed.
type FormCheck struct {
	TooLarge  bool     // the body was larger than the limit; PostForm holds what came before it
	Malformed bool     // the body is not a well-formed form
	BadText   []string // the fields, in order, whose text was invalid UTF-8 or held NUL
}

// OK reports whether the form was read whole and clean.
func (c FormCheck) OK() bool { return !c.TooLarge && !c.Malformed && len(c.BadText) == 0 }

// Status is the status a form with these problems is refused with: 413 for
// one too large, 400 for others, 200 when there are none.
func (c FormCheck) Status() int {
	switch {
	case c.TooLarge:
		return http.StatusRequestEntityTooLarge
	case !c.OK():
		return http.StatusBadRequest
	}
	return http.StatusOK
}

// ErrFormParsed is returned by ReadForm for a multipart body it could not read.
var ErrFormParsed = errors.New("serve: form body unreadable")

// ReadForm reads an application/x-www-form-urlencoded body of at most limit
// bytes into r.PostForm (and r.Form, with the URL's query), and says what
// was wrong with it. A longer body is read up to the limit only: the fields
// wholly within it are kept and the connection is closed after the answer.
// A multipart body is parsed by net/http within limit, spilling files over
// memory bytes to disk, and its text fields are checked the same way.
func ReadForm(w http.ResponseWriter, r *http.Request, limit, memory int64) (FormCheck, error) {
	return readForm(w, r, limit, memory, true)
}

// ReadFormAsSent is ReadForm without the repair: text that is not valid
// UTF-8 or holds NUL is named in BadText but left as sent, for handlers that
// check it themselves and say which field is wrong. RepairForm repairs it
// later.
func ReadFormAsSent(w http.ResponseWriter, r *http.Request, limit, memory int64) (FormCheck, error) {
	return readForm(w, r, limit, memory, false)
}

// RepairForm repairs the text of a form ReadFormAsSent read.
func RepairForm(r *http.Request) {
	repair(r.PostForm, true)
	repair(r.Form, true)
	if r.MultipartForm != nil {
		repair(r.MultipartForm.Value, true)
	}
}

func readForm(w http.ResponseWriter, r *http.Request, limit, memory int64, fix bool) (FormCheck, error) {
	var c FormCheck
	mediaType, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if mediaType == "multipart/form-data" {
		r.Body = http.MaxBytesReader(w, r.Body, limit)
		if err := r.ParseMultipartForm(memory); err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				c.TooLarge = true
				r.PostForm, r.Form = url.Values{}, r.URL.Query()
				return c, nil
			}
			return c, ErrFormParsed
		}
		c.BadText = repair(r.MultipartForm.Value, fix)
		repair(r.PostForm, fix)
		repair(r.Form, fix)
		return c, nil
	}
	data, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	if err != nil {
		return c, ErrFormParsed
	}
	if int64(len(data)) > limit {
		c.TooLarge = true
		w.Header().Set("Connection", "close")
		data = data[:limit]
		// Only the fields wholly within the limit: the last one was cut.
		if i := bytes.LastIndexByte(data, '&'); i >= 0 {
			data = data[:i]
		} else {
			data = nil
		}
	}
	vals, err := url.ParseQuery(string(data))
	if err != nil {
		c.Malformed = true
	}
	c.BadText = repair(vals, fix)
	r.PostForm = vals
	r.Form = r.URL.Query()
	for k, v := range vals {
		r.Form[k] = append(r.Form[k], v...)
	}
	return c, nil
}

// repair finds the values of vals that are not valid UTF-8 or hold NUL,
// makes them valid when fix is set, and returns their fields' names, sorted.
func repair(vals map[string][]string, fix bool) []string {
	var bad []string
	for k, vs := range vals {
		for i, v := range vs {
			if utf8.ValidString(v) && !strings.ContainsRune(v, 0) {
				continue
			}
			if fix {
				vs[i] = strings.ReplaceAll(strings.ToValidUTF8(v, "\uFFFD"), "\x00", "")
			}
			if !slices.Contains(bad, k) {
				bad = append(bad, k)
			}
		}
		if fix && (!utf8.ValidString(k) || strings.ContainsRune(k, 0)) {
			// A field name no form of ours has; dropped.
			delete(vals, k)
		}
	}
	slices.Sort(bad)
	return bad
}
