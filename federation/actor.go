package federation

import (
	"context"
	"html"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"

	"samizdat/content"
)

// endonyms names the languages a publication is likely to run, in themselves,
// for actor names; other codes show as the code.
var endonyms = map[string]string{
	"ar": "العربية", "be": "Беларуская", "cs": "Čeština", "de": "Deutsch", "en": "English",
	"es": "Español", "fa": "فارسی", "fr": "Français", "he": "עברית", "hy": "Հայերեն",
	"it": "Italiano", "ka": "ქართული", "kk": "Қазақша", "lt": "Lietuvių", "lv": "Latviešu",
	"pl": "Polski", "pt": "Português", "ro": "Română", "ru": "Русский", "sr": "Српски",
	"tr": "Türkçe", "uk": "Українська", "zh": "中文",
}

func endonym(lang string) string {
	if n, ok := endonyms[lang]; ok {
		return n
	}
	return lang
}

// languageActor is the document of a language actor
// (the Actors sections of docs/federation.md), with what editors set of its
// profile in p (which may be nil: the built-in values). An Organization
// shows as an ordinary account on Mastodon, with no bot badge.
func (f *Federation) languageActor(lang string, p *content.ActorProfile) (doc, error) {
	if p == nil {
		p = &content.ActorProfile{Lang: lang}
	}
	o := streams.NewActivityStreamsOrganization()
	o.SetJSONLDId(idProp(f.iri.Actor(lang)))
	username := streams.NewActivityStreamsPreferredUsernameProperty()
	username.SetXMLSchemaString(lang)
	o.SetActivityStreamsPreferredUsername(username)
	name := f.cfg.PublicationName + " (" + endonym(lang) + ")"
	if p.DisplayName != "" {
		name = p.DisplayName
	}
	o.SetActivityStreamsName(nameProp(name))
	summary := "<p>" + html.EscapeString(f.cfg.PublicationName) + " · " + html.EscapeString(endonym(lang)) + "</p>"
	if p.BioHTML != "" {
		summary = f.absolutePaths(p.BioHTML)
	}
	o.SetActivityStreamsSummary(summaryProp(summary))
	o.SetActivityStreamsUrl(urlProp(f.iri.Section(lang)))
	o.SetActivityStreamsInbox(inboxProp(f.iri.Inbox(lang)))
	o.SetActivityStreamsOutbox(outboxProp(f.iri.Outbox(lang)))
	followers := streams.NewActivityStreamsFollowersProperty()
	followers.SetIRI(mustURL(f.iri.Followers(lang)))
	o.SetActivityStreamsFollowers(followers)
	following := streams.NewActivityStreamsFollowingProperty()
	following.SetIRI(mustURL(f.iri.Following(lang)))
	o.SetActivityStreamsFollowing(following)
	featured := streams.NewTootFeaturedProperty()
	featured.SetIRI(mustURL(f.iri.Featured(lang)))
	o.SetTootFeatured(featured)
	// discoverable lets Mastodon trend our stories; indexable (below) lets its
	// users find them in full-text search
	// (docs/federation.md#actor-discoverable-indexable).
	disc := streams.NewTootDiscoverableProperty()
	disc.Set(true)
	o.SetTootDiscoverable(disc)
	o.SetActivityStreamsPublished(publishedProp(f.keys.get(lang).created))
	icon := streams.NewActivityStreamsIconProperty()
	icon.AppendActivityStreamsImage(f.profileImage(p.Avatar, f.iri.Icon(lang), name))
	o.SetActivityStreamsIcon(icon)
	header := streams.NewActivityStreamsImageProperty()
	header.AppendActivityStreamsImage(f.profileImage(p.Header, f.iri.Header(lang), ""))
	o.SetActivityStreamsImage(header)
	o.SetW3IDSecurityV1PublicKey(f.publicKeyProp(lang))

	d, err := toDoc(o)
	if err != nil {
		return nil, err
	}
	d["webfinger"] = f.acct(lang)
	d["endpoints"] = doc{"sharedInbox": f.iri.SharedInbox()}
	d["manuallyApprovesFollowers"] = false
	d["indexable"] = true
	// Mastodon verifies a story's fediverse:creator only if the page's
	// domain is in attributionDomains (docs/federation.md#fediverse-creator).
	// It compares the page's host without its port; the host with the port
	// is listed too, for peers that keep it (docs/federation.md#base-url-port).
	domains := []string{f.iri.Hostname()}
	if f.iri.Host() != f.iri.Hostname() {
		domains = append(domains, f.iri.Host())
	}
	d["attributionDomains"] = domains
	d["attachment"] = f.profileFields(lang, p.Fields)
	return d, nil
}

// instanceActorDoc is the instance actor: an Application, fetchable without a
// signature, that signs our outgoing GETs (docs/federation.md#instance-actor,
// FEP-2677). Its user name is the host without a port, a valid Mastodon user
// name (docs/federation.md#mastodon-username-rule); its handle keeps the port,
// and passes the WebFinger round trip
// (docs/federation.md#webfinger-round-trip).
func (f *Federation) instanceActorDoc() (doc, error) {
	a := streams.NewActivityStreamsApplication()
	a.SetJSONLDId(idProp(f.iri.InstanceActor()))
	username := streams.NewActivityStreamsPreferredUsernameProperty()
	username.SetXMLSchemaString(f.iri.Hostname())
	a.SetActivityStreamsPreferredUsername(username)
	a.SetActivityStreamsName(nameProp(f.cfg.PublicationName))
	a.SetActivityStreamsSummary(summaryProp("<p>" + html.EscapeString(f.cfg.PublicationName) + ": the instance actor, which signs requests to other servers.</p>"))
	a.SetActivityStreamsUrl(urlProp(f.iri.Root()))
	a.SetActivityStreamsInbox(inboxProp(f.iri.InstanceInbox()))
	a.SetActivityStreamsPublished(publishedProp(f.keys.get(instanceActor).created))
	a.SetW3IDSecurityV1PublicKey(f.publicKeyProp(instanceActor))
	d, err := toDoc(a)
	if err != nil {
		return nil, err
	}
	d["webfinger"] = f.iri.Hostname() + "@" + f.iri.Host()
	d["endpoints"] = doc{"sharedInbox": f.iri.SharedInbox()}
	d["manuallyApprovesFollowers"] = true
	d["discoverable"] = false
	d["indexable"] = false
	return d, nil
}

// publicKeyProp embeds an actor's key. owner equals the actor id exactly and
// the key id is a fragment of it, so Mastodon needs no second fetch
// (docs/federation.md#actor-key-embedded).
func (f *Federation) publicKeyProp(name string) vocab.W3IDSecurityV1PublicKeyProperty {
	k := streams.NewW3IDSecurityV1PublicKey()
	k.SetJSONLDId(idProp(f.iri.Key(name)))
	owner := streams.NewW3IDSecurityV1OwnerProperty()
	owner.SetIRI(mustURL(f.iri.ActorOf(name)))
	k.SetW3IDSecurityV1Owner(owner)
	pemProp := streams.NewW3IDSecurityV1PublicKeyPemProperty()
	pemProp.Set(f.keys.get(name).publicPEM)
	k.SetW3IDSecurityV1PublicKeyPem(pemProp)
	p := streams.NewW3IDSecurityV1PublicKeyProperty()
	p.AppendW3IDSecurityV1PublicKey(k)
	return p
}

// imageObject is an Image object: Mastodon fetches a bare-string icon as if it
// were ActivityPub (docs/federation.md#actor-images). name is the alt text
// Mastodon 4.6+ reads.
func imageObject(u, name string) vocab.ActivityStreamsImage {
	return typedImageObject(u, "image/png", name)
}

// typedImageObject is imageObject for an image of media type mediaType.
func typedImageObject(u, mediaType, name string) vocab.ActivityStreamsImage {
	img := streams.NewActivityStreamsImage()
	mt := streams.NewActivityStreamsMediaTypeProperty()
	mt.Set(mediaType)
	img.SetActivityStreamsMediaType(mt)
	img.SetActivityStreamsUrl(urlProp(u))
	if name != "" {
		img.SetActivityStreamsName(nameProp(name))
	}
	return img
}

func inboxProp(iri string) vocab.ActivityStreamsInboxProperty {
	p := streams.NewActivityStreamsInboxProperty()
	p.SetIRI(mustURL(iri))
	return p
}

func outboxProp(iri string) vocab.ActivityStreamsOutboxProperty {
	p := streams.NewActivityStreamsOutboxProperty()
	p.SetIRI(mustURL(iri))
	return p
}

// handleActor serves a language actor. A browser is sent to the language's
// section; so is Mastodon's rel="me" check, which follows the first rel="me"
// link's redirect and compares it with the actor's url
// (docs/federation.md#profile-link-verification). An actor that exists never
// answers 410 (docs/federation.md#actor-never-410).
func (f *Federation) handleActor(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if !f.hasLang(lang) {
		f.notFound(w, r)
		return
	}
	if !WantsActivityPub(r.Header.Get("Accept")) {
		f.redirect(w, r, f.iri.Section(lang))
		return
	}
	f.serveLanguageActor(w, r, lang)
}

// serveLanguageActor writes a language actor. With authorized fetch on, a
// request that is unsigned or signed by a blocked account or instance gets
// the stub of actorStub, which is all a peer needs to check our signatures
// (docs/federation.md#authorized-fetch).
func (f *Federation) serveLanguageActor(w http.ResponseWriter, r *http.Request, lang string) {
	a, r, err := f.fetchAccess(r)
	if err != nil {
		f.error(w, r, err)
		return
	}
	if f.cfg.AuthorizedFetch {
		r = r.WithContext(context.WithValue(r.Context(), gatedKey{}, true))
	}
	profile, err := f.store.ActorProfile(r.Context(), lang)
	if err != nil {
		f.error(w, r, err)
		return
	}
	d, err := f.languageActor(lang, profile)
	if err != nil {
		f.error(w, r, err)
		return
	}
	if a != accessFull {
		d = actorStub(d)
	}
	f.writeAP(w, r, withContext(d))
}

// stubFields are what an actor's stub keeps: what Mastodon keeps of its own
// actors for unsigned requests in secure mode, and the handle.
var stubFields = []string{"id", "type", "preferredUsername", "inbox", "endpoints", "publicKey", "webfinger"}

// actorStub is the part of actor d that authorized fetch leaves public.
func actorStub(d doc) doc {
	stub := doc{}
	for _, k := range stubFields {
		if v, ok := d[k]; ok {
			stub[k] = v
		}
	}
	return stub
}

// handleInstanceActor serves the instance actor to anyone, signed or not.
func (f *Federation) handleInstanceActor(w http.ResponseWriter, r *http.Request) {
	if !WantsActivityPub(r.Header.Get("Accept")) {
		f.redirect(w, r, f.iri.Root())
		return
	}
	d, err := f.instanceActorDoc()
	if err != nil {
		f.error(w, r, err)
		return
	}
	f.writeAP(w, r, withContext(d))
}
