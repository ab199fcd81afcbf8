package web

import (
	"encoding/xml"
	"net/http"
	"time"

	"samizdat/content"
	"samizdat/content/store"
)

// The sitemap, after sitemaps.org's protocol, with each page's translations
// as xhtml:link alternates (Google's hreflang in sitemaps).

type sitemapURLSet struct {
	XMLName xml.Name     `xml:"urlset"`
	XMLNS   string       `xml:"xmlns,attr"`
	XHTML   string       `xml:"xmlns:xhtml,attr"`
	URLs    []sitemapURL `xml:"url"`
}

type sitemapURL struct {
	Loc        string        `xml:"loc"`
	LastMod    string        `xml:"lastmod,omitempty"`
	Alternates []sitemapLink `xml:"xhtml:link"`
}

type sitemapLink struct {
	Rel      string `xml:"rel,attr"`
	Hreflang string `xml:"hreflang,attr"`
	Href     string `xml:"href,attr"`
}

// handleSitemap lists every public page: the language sections, every
// published translation and the static pages.
func (s *Server) handleSitemap(w http.ResponseWriter, r *http.Request) {
	set := sitemapURLSet{XMLNS: "http://www.sitemaps.org/schemas/sitemap/0.9", XHTML: "http://www.w3.org/1999/xhtml"}
	ctx := r.Context()

	var sections []sitemapLink
	for _, l := range s.cfg.Languages {
		sections = append(sections, sitemapLink{Rel: "alternate", Hreflang: l, Href: s.absURL("/" + l + "/")})
	}
	for _, l := range sections {
		set.URLs = append(set.URLs, sitemapURL{Loc: l.Href, Alternates: sections})
	}

	// Every published translation, grouped by story for the alternates.
	type located struct {
		lang, url string
		updated   time.Time
	}
	byStory := map[int64][]located{}
	var order []int64
	for _, l := range s.cfg.Languages {
		for offset := 0; ; offset += 1000 {
			entries, total, err := s.store.Entries(ctx, store.EntryFilter{Lang: l, Limit: 1000, Offset: offset})
			if err != nil {
				s.error(w, r, err)
				return
			}
			for _, e := range entries {
				if _, seen := byStory[e.Story.ID]; !seen {
					order = append(order, e.Story.ID)
				}
				byStory[e.Story.ID] = append(byStory[e.Story.ID], located{l, s.absURL(storyURL(l, e.Slug)), e.Updated()})
			}
			if offset+len(entries) >= total || len(entries) == 0 {
				break
			}
		}
	}
	for _, id := range order {
		ts := byStory[id]
		var alts []sitemapLink
		for _, t := range ts {
			alts = append(alts, sitemapLink{Rel: "alternate", Hreflang: t.lang, Href: t.url})
		}
		for _, t := range ts {
			set.URLs = append(set.URLs, sitemapURL{Loc: t.url, LastMod: isoTime(t.updated), Alternates: alts})
		}
	}

	sitePages, err := s.store.SitePages(ctx)
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, sp := range sitePages {
		var pages []sitemapURL
		var alts []sitemapLink
		for _, p := range sp.Translations {
			if p.State != content.StatePublished || !s.hasLang(p.Lang) {
				continue
			}
			u := s.absURL(staticPageURL(p.Lang, p.Slug))
			pages = append(pages, sitemapURL{Loc: u, LastMod: isoTime(p.UpdatedAt)})
			alts = append(alts, sitemapLink{Rel: "alternate", Hreflang: p.Lang, Href: u})
		}
		for _, p := range pages {
			p.Alternates = alts
			set.URLs = append(set.URLs, p)
		}
	}
	s.writeXML(w, r, "application/xml; charset=utf-8", set)
}

// handleRobots welcomes every crawler to the public site, keeps them out of
// the desk and points them to the sitemap.
func (s *Server) handleRobots(w http.ResponseWriter, r *http.Request) {
	body := "User-agent: *\nAllow: /\nDisallow: /desk/\n\nSitemap: " + s.absURL("/sitemap.xml") + "\n"
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	s.writeBody(w, r, http.StatusOK, []byte(body))
}
