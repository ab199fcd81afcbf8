package web

import (
	"bytes"
	"encoding/xml"
	"html/template"
	"net/http"
	"net/url"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content/store"
)

// The Atom feed of a language section, after RFC 4287.

type atomFeed struct {
	XMLName   xml.Name    `xml:"http://www.w3.org/2005/Atom feed"`
	Lang      string      `xml:"http://www.w3.org/XML/1998/namespace lang,attr"`
	ID        string      `xml:"id"`
	Title     string      `xml:"title"`
	Subtitle  string      `xml:"subtitle,omitempty"`
	Updated   string      `xml:"updated"`
	Links     []atomLink  `xml:"link"`
	Author    atomPerson  `xml:"author"`
	Generator string      `xml:"generator"`
	Entries   []atomEntry `xml:"entry"`
}

type atomLink struct {
	Rel      string `xml:"rel,attr"`
	Type     string `xml:"type,attr,omitempty"`
	Hreflang string `xml:"hreflang,attr,omitempty"`
	Href     string `xml:"href,attr"`
}

type atomPerson struct {
	Name string `xml:"name"`
	URI  string `xml:"uri,omitempty"`
}

type atomText struct {
	Type string `xml:"type,attr"`
	Body string `xml:",chardata"`
}

type atomCategory struct {
	Term  string `xml:"term,attr"`
	Label string `xml:"label,attr,omitempty"`
}

type atomEntry struct {
	ID         string         `xml:"id"`
	Title      atomText       `xml:"title"`
	Updated    string         `xml:"updated"`
	Published  string         `xml:"published"`
	Links      []atomLink     `xml:"link"`
	Author     atomPerson     `xml:"author"`
	Summary    atomText       `xml:"summary"`
	Content    atomText       `xml:"content"`
	Categories []atomCategory `xml:"category"`
}

// feedSize is how many stories the feed carries.
const feedSize = 20

// handleFeed sends a language section's latest stories as an Atom feed.
// Each entry's id is the story's language-neutral address in the section,
// which stays the same when its slug changes.
func (s *Server) handleFeed(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	entries, _, err := s.store.Entries(r.Context(), store.EntryFilter{Lang: lang, Limit: feedSize})
	if err != nil {
		s.error(w, r, err)
		return
	}
	feed := atomFeed{
		Lang:     lang,
		ID:       s.absURL("/" + lang + "/"),
		Title:    T(lang, "feed.title", "Publication", s.cfg.PublicationName),
		Subtitle: T(lang, "site.tagline"),
		Links: []atomLink{
			{Rel: "self", Type: "application/atom+xml", Href: s.absURL("/" + lang + "/feed.atom")},
			{Rel: "alternate", Type: "text/html", Hreflang: lang, Href: s.absURL("/" + lang + "/")},
		},
		Author:    atomPerson{Name: s.cfg.PublicationName, URI: s.absURL("/" + lang + "/")},
		Generator: "Samizdat",
	}
	// A feed with no entries yet still needs an updated time, and one that
	// does not change from request to request, so that its ETag holds.
	updated := time.Unix(0, 0)
	for _, e := range entries {
		if u := e.Updated(); u.After(updated) {
			updated = u
		}
		byline := s.bylineOf(lang, e.Story)
		author := atomPerson{Name: byline.Name}
		if byline.URL != "" {
			author.URI = s.absURL(byline.URL)
		}
		var body bytes.Buffer
		if e.Story.CoverImage != "" {
			body.WriteString(`<p>` + s.feedImage(e.Story.CoverImage, template.HTMLEscapeString(e.CoverAlt), "") + `</p>`)
		}
		link := s.absURL(storyURL(lang, e.Slug))
		base, err := url.Parse(link)
		if err != nil {
			s.error(w, r, err)
			return
		}
		body.WriteString(absoluteLinks(s.feedBodyImages(e.BodyHTML), base))
		entry := atomEntry{
			ID:        s.absURL(storyLinkURL(lang, e.Story.ID)),
			Title:     atomText{Type: "text", Body: e.Title},
			Updated:   isoTime(e.Updated()),
			Published: isoTime(e.PublishedAt),
			Links:     []atomLink{{Rel: "alternate", Type: "text/html", Href: link}},
			Author:    author,
			Summary:   atomText{Type: "text", Body: e.Teaser},
			Content:   atomText{Type: "html", Body: body.String()},
		}
		for _, tag := range e.Tags {
			entry.Categories = append(entry.Categories, atomCategory{Term: tag, Label: "#" + tag})
		}
		feed.Entries = append(feed.Entries, entry)
	}
	feed.Updated = isoTime(updated)
	s.writeXML(w, r, "application/atom+xml; charset=utf-8", feed)
}

// writeXML sends v as an XML document, with an ETag.
func (s *Server) writeXML(w http.ResponseWriter, r *http.Request, contentType string, v any) {
	var buf bytes.Buffer
	buf.WriteString(xml.Header)
	enc := xml.NewEncoder(&buf)
	enc.Indent("", "  ")
	if err := enc.Encode(v); err != nil {
		s.error(w, r, err)
		return
	}
	buf.WriteByte('\n')
	w.Header().Set("Content-Type", contentType)
	s.writeBody(w, r, http.StatusOK, buf.Bytes())
}
