package web

import (
	"context"
	"net/url"
	"sort"

	"samizdat/content"
)

// navItem is one link of the header or the footer as a page shows it.
type navItem struct {
	Label    string
	URL      string
	Current  bool
	Tell     bool // the "Tell your story" link, which stands out
	External bool
}

// defaultNav is content.BuiltInNav as links: a page link names its page
// by slug in URL.
var defaultNav = func() map[string][]*content.NavLink {
	out := map[string][]*content.NavLink{}
	for place, names := range content.BuiltInNav {
		for _, name := range names {
			l := &content.NavLink{Kind: name}
			if name != content.NavSection && name != content.NavTell {
				l.Kind, l.URL = content.NavPage, name
			}
			out[place] = append(out[place], l)
		}
	}
	return out
}()

// navigation builds the header and footer links of a page in lang at path.
// The links cannot fail a page: when they cannot be read, the built-in
// ones show and the error is logged.
func (s *Server) navigation(ctx context.Context, lang, path string) (header, footer []navItem) {
	links, err := s.store.NavLinks(ctx)
	if err != nil {
		s.logger.Warn("navigation links unreadable; showing the built-in ones", "err", err)
		links = nil
	}
	byPlace := map[string][]*content.NavLink{}
	for _, l := range links {
		byPlace[l.Place] = append(byPlace[l.Place], l)
	}
	build := func(place string) []navItem {
		list, builtIn := byPlace[place], false
		if len(list) == 0 {
			list, builtIn = defaultNav[place], true
		}
		sort.SliceStable(list, func(i, j int) bool { return list[i].Position < list[j].Position })
		var out []navItem
		for _, l := range list {
			it, ok := navItemOf(l, lang, builtIn)
			if !ok {
				continue
			}
			it.Current = it.URL == path
			out = append(out, it)
		}
		return out
	}
	return build(content.NavHeader), build(content.NavFooter)
}

// builtInLabels are the interface's words for the built-in page links.
var builtInLabels = map[string]string{"about": "nav.about", "team": "nav.team", "stance": "nav.stance", "privacy": "nav.privacy"}

// navItemOf is link l in lang; ok is false when it leads nowhere in lang
// (a page not published in that language). A built-in page link names its
// page by slug in URL.
func navItemOf(l *content.NavLink, lang string, builtIn bool) (navItem, bool) {
	it := navItem{Label: l.Labels[lang]}
	fallback := ""
	switch l.Kind {
	case content.NavSection:
		it.URL, fallback = "/"+lang+"/", T(lang, "nav.stories")
	case content.NavTell:
		it.URL, it.Tell, fallback = "/"+lang+"/tell", true, T(lang, "nav.tell")
	case content.NavPage:
		if builtIn {
			it.URL, fallback = staticPageURL(lang, l.URL), T(lang, builtInLabels[l.URL])
			break
		}
		target, ok := l.Pages[lang]
		if !ok {
			return navItem{}, false
		}
		it.URL, fallback = staticPageURL(lang, target.Slug), target.Title
	case content.NavURL:
		it.URL, it.External = l.URL, true
		if u, err := url.Parse(l.URL); err == nil {
			fallback = u.Host
		}
		for _, label := range l.Labels {
			if label != "" && it.Label == "" {
				fallback = label
			}
		}
	default:
		return navItem{}, false
	}
	if it.Label == "" {
		it.Label = fallback
	}
	return it, true
}
