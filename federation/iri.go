package federation

import (
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// instanceActor is the name of the instance actor in actor_keys and in
// delivery.Activity.Actor; language actors go by their language code.
const instanceActor = "instance"

// publicIRI is the ActivityStreams public collection.
const publicIRI = "https://www.w3.org/ns/activitystreams#Public"

// iris builds every local IRI from the base URL, and only here [GoToSocial
// uris, without its global config].
type iris struct {
	scheme string
	host   string // with the port, when BASE_URL has a non-default one
}

// newIRIs takes the scheme and host of base. A default port written out
// (https://example.org:443) is dropped, so that handles and ids agree with
// what peers derive from them.
func newIRIs(base *url.URL) iris {
	host := strings.ToLower(base.Host)
	if h, p, err := net.SplitHostPort(host); err == nil {
		if (base.Scheme == "https" && p == "443") || (base.Scheme == "http" && p == "80") {
			host = h
			if strings.Contains(h, ":") {
				host = "[" + h + "]"
			}
		}
	}
	return iris{scheme: base.Scheme, host: host}
}

// abs returns the absolute URL of a path on this site.
func (i iris) abs(path string) string { return i.scheme + "://" + i.host + path }

// Host is the host of BASE_URL with its port: the domain part of handles.
func (i iris) Host() string { return i.host }

// Hostname is the host without a port: the instance actor's user name, because
// a peer cannot look up a user name holding a colon
// (docs/federation.md#mastodon-username-rule).
func (i iris) Hostname() string {
	if h, _, err := net.SplitHostPort(i.host); err == nil {
		return strings.Trim(h, "[]")
	}
	return i.host
}

// Root is the site's home page.
func (i iris) Root() string { return i.abs("/") }

// Actor is the id of a language actor.
func (i iris) Actor(lang string) string { return i.abs("/actors/" + lang) }

// InstanceActor is the id of the instance actor
// (docs/federation.md#instance-actor).
func (i iris) InstanceActor() string { return i.abs("/actor") }

// ActorOf returns the id of a local actor by name: a language or "instance".
func (i iris) ActorOf(name string) string {
	if name == instanceActor {
		return i.InstanceActor()
	}
	return i.Actor(name)
}

// Key is the id of a local actor's public key: a fragment of the actor
// document, so that Mastodon uses the embedded key without a second fetch
// (docs/federation.md#actor-key-embedded).
func (i iris) Key(name string) string { return i.ActorOf(name) + "#main-key" }

// Inbox is a language actor's personal inbox.
func (i iris) Inbox(lang string) string { return i.Actor(lang) + "/inbox" }

// InstanceInbox is the instance actor's inbox.
func (i iris) InstanceInbox() string { return i.InstanceActor() + "/inbox" }

// SharedInbox is the inbox every actor shares
// (docs/federation.md#shared-inbox-same-host).
func (i iris) SharedInbox() string { return i.abs("/inbox") }

// Outbox, Followers, Following and Featured are a language actor's collections.
func (i iris) Outbox(lang string) string    { return i.Actor(lang) + "/outbox" }
func (i iris) Followers(lang string) string { return i.Actor(lang) + "/followers" }
func (i iris) Following(lang string) string { return i.Actor(lang) + "/following" }
func (i iris) Featured(lang string) string  { return i.Actor(lang) + "/featured" }

// Icon and Header are a language actor's generated avatar and header images.
func (i iris) Icon(lang string) string   { return i.Actor(lang) + "/icon.png" }
func (i iris) Header(lang string) string { return i.Actor(lang) + "/header.png" }

// Section is a language's section of the website: the actor's profile page.
func (i iris) Section(lang string) string { return i.abs("/" + lang + "/") }

// StoryURL is a translation's page on the website.
func (i iris) StoryURL(lang, slug string) string {
	return i.abs("/" + lang + "/stories/" + url.PathEscape(slug))
}

// Tag is a tag's page in a language section.
func (i iris) Tag(lang, tag string) string {
	return i.abs("/" + lang + "/tags/" + url.PathEscape(tag))
}

// Media is the address of a file in the media directory, as the website
// serves it.
func (i iris) Media(file string) string { return i.abs("/media/" + url.PathEscape(file)) }

// Article is the id of the Article for an object key. Keys are UUIDs that never
// change with the slug and are never reused after a withdrawal
// (docs/federation.md#object-id-served-exactly, #withdrawn-articles).
func (i iris) Article(key string) string { return i.abs("/ap/articles/" + key) }

// Replies, Likes, Shares and Context are an Article's collections
// (docs/federation.md#mastodon-replies-backfill, #likes-shares-counts,
// #conversation-context).
func (i iris) Replies(key string) string { return i.Article(key) + "/replies" }
func (i iris) Likes(key string) string   { return i.Article(key) + "/likes" }
func (i iris) Shares(key string) string  { return i.Article(key) + "/shares" }
func (i iris) Context(key string) string { return i.Article(key) + "/context" }

// CreateID, UpdateID and DeleteID are the ids of the activities about an
// Article. They differ from the object's id, because a peer drops a Create
// whose id equals its object's; each edit gets its own Update id.
func (i iris) CreateID(key string) string { return i.Article(key) + "#create" }
func (i iris) UpdateID(key string, edited time.Time) string {
	return i.Article(key) + "#update-" + strconv.FormatInt(edited.UnixNano(), 10)
}
func (i iris) DeleteID(key string) string { return i.Article(key) + "#delete" }

// AcceptID is the id of an Accept sent by a language actor.
func (i iris) AcceptID(lang, uuid string) string { return i.Actor(lang) + "#accepts/" + uuid }

// QuoteAuthorization is the URL of the authorization we give one quote of
// an Article (docs/federation.md#quotes); QuoteRevokeID is the id of the
// Delete that withdraws it.
func (i iris) QuoteAuthorization(key string) string { return i.abs("/ap/quotes/" + key) }
func (i iris) QuoteRevokeID(key string) string      { return i.QuoteAuthorization(key) + "#delete" }

// QuoteAnswerID is the id of a language actor's Accept or Reject ("accepts"
// or "rejects") of a QuoteRequest.
func (i iris) QuoteAnswerID(lang, kind, uuid string) string {
	return i.Actor(lang) + "#" + kind + "/quote_requests/" + uuid
}

// FlagID is the id of a report our instance actor sends
// (docs/federation.md#reports-outbound).
func (i iris) FlagID(uuid string) string { return i.InstanceActor() + "#flags/" + uuid }

// Handle is a language actor's fediverse handle, "@en@host".
func (i iris) Handle(lang string) string { return "@" + lang + "@" + i.host }

// page appends a page number to a collection's id.
func page(collection string, n int) string { return collection + "?page=" + strconv.Itoa(n) }
