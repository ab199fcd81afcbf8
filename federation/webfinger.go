package federation

import (
	"net/http"
	"net/url"
	"regexp"
	"strings"
)

// usernameRE is Mastodon's user name rule
// (docs/federation.md#mastodon-username-rule); every preferredUsername we emit
// must match it in full.
var usernameRE = regexp.MustCompile(`^[a-z0-9_]+([.-]+[a-z0-9_]+)*$`)

// jrd is a WebFinger answer (RFC 7033).
type jrd struct {
	Subject string    `json:"subject"`
	Aliases []string  `json:"aliases,omitempty"`
	Links   []jrdLink `json:"links"`
}

type jrdLink struct {
	Rel      string `json:"rel"`
	Type     string `json:"type,omitempty"`
	Href     string `json:"href,omitempty"`
	Template string `json:"template,omitempty"`
}

// acct is a local actor's handle without the scheme or a leading "@":
// "en@host", or "host@host:port" for the instance actor. The domain part
// keeps BASE_URL's port, because peers take it from the host of the actor id
// (docs/federation.md#webfinger-round-trip).
func (f *Federation) acct(name string) string {
	if name == instanceActor {
		return f.iri.Hostname() + "@" + f.iri.Host()
	}
	return name + "@" + f.iri.Host()
}

// resolveResource returns the local actor ("en", "instance") that a WebFinger
// resource names, or "" when it names none of ours. It accepts what Mastodon
// accepts (docs/federation.md#webfinger-lookup): acct:user@host, user@host and
// @user@host, the actor id, the profile page, and https://host for the instance
// actor; user names and hosts in any case; and a resource URL-encoded once more
// than the query string needed.
func (f *Federation) resolveResource(res string) string {
	res = strings.TrimSpace(res)
	if strings.Contains(res, "%") {
		if u, err := url.PathUnescape(res); err == nil {
			res = u
		}
	}
	lower := strings.ToLower(res)
	switch {
	case strings.HasPrefix(lower, "acct:"):
		return f.resolveAcct(lower[len("acct:"):])
	case strings.HasPrefix(lower, "https://"), strings.HasPrefix(lower, "http://"):
		u, err := url.Parse(res)
		if err != nil || !strings.EqualFold(u.Host, f.iri.Host()) {
			return ""
		}
		return f.resolvePath(u.Path)
	case strings.Contains(lower, "@"):
		return f.resolveAcct(lower)
	}
	return ""
}

// resolveAcct resolves "user@host" or "@user@host", already lower case.
func (f *Federation) resolveAcct(s string) string {
	s = strings.TrimPrefix(s, "@")
	i := strings.LastIndexByte(s, '@')
	if i <= 0 {
		return ""
	}
	user, host := s[:i], s[i+1:]
	if host != strings.ToLower(f.iri.Host()) {
		return ""
	}
	if user == strings.ToLower(f.iri.Hostname()) {
		return instanceActor
	}
	if f.hasLang(user) {
		return user
	}
	return ""
}

// resolvePath resolves the path of one of our own URLs to an actor.
func (f *Federation) resolvePath(p string) string {
	switch p {
	case "", "/", "/actor":
		return instanceActor
	}
	for _, prefix := range []string{"/actors/", "/"} {
		if lang, ok := strings.CutPrefix(p, prefix); ok {
			lang = strings.TrimSuffix(strings.ToLower(lang), "/")
			if f.hasLang(lang) {
				return lang
			}
		}
	}
	return ""
}

// handleWebFinger answers WebFinger for every local actor
// (docs/federation.md#webfinger-lookup, #webfinger-round-trip). The self link's
// href is the actor id byte for byte, which Mastodon compares
// (docs/federation.md#webfinger-round-trip). Unknown resources get 404, after
// which Mastodon tries host-meta (docs/federation.md#webfinger-lookup).
func (f *Federation) handleWebFinger(w http.ResponseWriter, r *http.Request) {
	res := r.URL.Query().Get("resource")
	if res == "" {
		http.Error(w, "resource is required", http.StatusBadRequest)
		return
	}
	name := f.resolveResource(res)
	if name == "" {
		f.notFound(w, r)
		return
	}
	id, profile := f.iri.ActorOf(name), f.iri.Root()
	if name != instanceActor {
		profile = f.iri.Section(name)
	}
	j := jrd{
		Subject: "acct:" + f.acct(name),
		Aliases: []string{id, profile},
		Links: []jrdLink{
			{Rel: "self", Type: ContentType, Href: id},
			{Rel: "http://webfinger.net/rel/profile-page", Type: "text/html", Href: profile},
		},
	}
	if name != instanceActor {
		j.Links = append(j.Links, jrdLink{Rel: "http://webfinger.net/rel/avatar", Type: "image/png", Href: f.iri.Icon(name)})
	}
	f.writeJSON(w, r, "application/jrd+json; charset=utf-8", j)
}

// handleHostMeta serves the XRD that points at WebFinger, which Mastodon
// reads when WebFinger answers 404 (docs/federation.md#webfinger-lookup).
func (f *Federation) handleHostMeta(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/xrd+xml; charset=utf-8")
	if r.Method == http.MethodHead {
		return
	}
	template := f.iri.abs("/.well-known/webfinger") + "?resource={uri}"
	w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\n" + //nolint:errcheck // the client went away
		`<XRD xmlns="http://docs.oasis-open.org/ns/xri/xrd-1.0">` + "\n" +
		`  <Link rel="lrdd" type="application/jrd+json" template="` + xmlAttr(template) + `"/>` + "\n" +
		`</XRD>` + "\n"))
}

// xmlAttr escapes a value for a double-quoted XML attribute.
func xmlAttr(s string) string {
	return strings.NewReplacer(`&`, "&amp;", `<`, "&lt;", `>`, "&gt;", `"`, "&quot;").Replace(s)
}
