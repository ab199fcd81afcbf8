package desk

import (
	"net/http"
	"slices"
	"strings"

	"samizdat/web/internal/serve"
)

// formProblemPage is the data of form_problem.html: a desk form whose body
// could not be taken as sent, what was wrong, and what was typed, so that
// nothing is lost.
type formProblemPage struct {
	deskPage
	Status   int
	Problems []string
	Fields   []typedField
}

type typedField struct {
	Name, Value string
	Bad         bool
}

type formCheckKey struct{}

// formCheckFrom returns the problems of the request's form that the csrf
// middleware left for the handler, if any.
func formCheckFrom(r *http.Request) (serve.FormCheck, bool) {
	c, ok := r.Context().Value(formCheckKey{}).(serve.FormCheck)
	return c, ok
}

// secretFields are never sent back into a page.
func secretField(name string) bool {
	return name == "csrf_token" || strings.Contains(name, "password") || name == "current" || name == "confirm" || name == "code"
}

// formProblem answers a desk form that was too large, not a form, or held
// text that is not text (invalid UTF-8, NUL), with 413 or 400: nothing was
// saved, and what could be read is shown to copy back.
func (s *Server) formProblem(w http.ResponseWriter, r *http.Request, c serve.FormCheck) {
	serve.RepairForm(r)
	p := formProblemPage{deskPage: s.deskPage(r, "Nothing was saved", ""), Status: c.Status()}
	if c.TooLarge {
		p.Problems = append(p.Problems, "What you sent is too large for the desk: a form takes up to 2 MB of text. Images may be at most 10 MB. It was not read whole; below is what came before the limit.")
	}
	if c.Malformed {
		p.Problems = append(p.Problems, "The browser sent the form in a way that could not be read.")
	}
	for _, f := range c.BadText {
		if !secretField(f) {
			p.Problems = append(p.Problems, "The field “"+f+"” held characters that are not text (invalid UTF-8 or a zero byte), perhaps from a copy and paste. They are shown below as � or were taken out.")
		}
	}
	names := make([]string, 0, len(r.PostForm))
	for name := range r.PostForm {
		if !secretField(name) {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	for _, name := range names {
		for _, v := range r.PostForm[name] {
			if v != "" {
				p.Fields = append(p.Fields, typedField{Name: name, Value: v, Bad: slices.Contains(c.BadText, name)})
			}
		}
	}
	s.render(w, r, p.Status, "form_problem.html", p)
}
