package web

import (
	"net/http"

	"github.com/go-chi/chi/v5"
)

// homePage is the data of home.html: the choice of language.
type homePage struct {
	page
	Choices []homeChoice
}

// homeChoice is one language section as the home page offers it, in that
// language's own words.
type homeChoice struct {
	Lang    string
	Name    string
	Enter   string
	Tagline string
}

// handleHome lets readers choose a language. It remembers nothing and reads
// nothing from the request: no cookie, no redirect on Accept-Language
// (docs/federation.md#no-accept-language-switch), the same page for everyone.
func (s *Server) handleHome(w http.ResponseWriter, r *http.Request) {
	lang := s.cfg.Languages[0]
	p := homePage{page: s.newPage(r, lang)}
	p.Home = true
	p.Title = s.cfg.PublicationName
	p.Description = T(lang, "site.tagline")
	p.Canonical = s.absURL("/")
	for _, l := range s.cfg.Languages {
		p.Choices = append(p.Choices, homeChoice{Lang: l, Name: langName(l), Enter: T(l, "home.enter"), Tagline: T(l, "site.tagline")})
		p.Alternates = append(p.Alternates, alternate{Lang: l, Name: langName(l), URL: s.absURL("/" + l + "/")})
	}
	p.Alternates = append(p.Alternates, alternate{Lang: "x-default", URL: p.Canonical})
	s.render(w, r, http.StatusOK, "home.html", p)
}

// requireLang answers 404 for a language the publication does not have, and
// sends /{lang} to /{lang}/ so that every section has one address.
func (s *Server) requireLang(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		lang := chi.URLParam(r, "lang")
		if !s.hasLang(lang) {
			s.notFound(w, r)
			return
		}
		if r.URL.Path == "/"+lang {
			target := "/" + lang + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		next.ServeHTTP(w, r)
	})
}
