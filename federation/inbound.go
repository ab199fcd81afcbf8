package federation

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Every document from another server, an activity posted to an inbox or a
// document we fetched, is read here, once, into an *object: the properties
// the package acts on, as plain Go values. Nothing else in the package
// looks into decoded JSON. Each property may come as a string, an object
// with an id, or an array of either (docs/federation.md#tolerant-json);
// the helpers below take each form. Why our own struct and not go-fed's
// streams types: docs/architecture.md#reading-inbound-activities.

// object is an activity, a post, an actor, a key, a collection or a page
// from another server. Properties it does not have are zero.
type object struct {
	ID   string
	Type string // the first type, when several are given

	// Of an activity.
	Actor      string
	Object     ref      // the first object: Create's post, Undo's Follow…
	Objects    []string // the ids of every object, in order: a Flag names several
	Instrument ref      // QuoteRequest: the post that quotes
	Result     string   // Accept of a QuoteRequest: the authorization
	Content    string   // also a Flag's comment

	// Of a post.
	AttributedTo        string
	InReplyTo           string
	URL                 string
	Name                string
	Summary             string
	ContentMap          map[string]string // nil when absent; a value that is not a string is ""
	NameMap, SummaryMap map[string]string
	Language            string
	Sensitive           bool
	To, Cc              []string
	Published, Updated  time.Time
	Replies             string
	Quote               string // the post it quotes (FEP-044f quote, or the older quoteUrl forms)
	Tags                []tag
	Attachments         []attachment

	// Of an actor, or a key document.
	Inbox             string
	SharedInbox       string // endpoints.sharedInbox, else a top-level sharedInbox
	PreferredUsername string
	Followers         string
	Icon              string
	Keys              []publicKey
	Owner             string // of a key document
	PublicKeyPEM      string // of a key document

	// Of a collection or a page.
	First ref
	Next  ref
	Items []ref // orderedItems, then items

	// raw is the document as received, for what is kept whole (an actor).
	raw []byte
}

// ref is a property that names one object: by id, or embedded (Obj is
// then set, and ID is the embedded object's id).
type ref struct {
	ID  string
	Obj *object
}

// tag is a Mention, a Hashtag or an Emoji.
type tag struct {
	Type, Name, Href, Icon string
}

// attachment is a media attachment of a post.
type attachment struct {
	Type, MediaType, URL, Name, Summary string
}

// publicKey is a key an actor publishes.
type publicKey struct {
	ID, Owner, PEM string
}

// maxEmbedding bounds how deep embedded objects are read: an Undo of a
// Like of an Article is three.
const maxEmbedding = 4

// Why a document is refused. The messages are what the inbox answers with
// its 400, so a peer's admin can tell what was wrong.
var (
	errNotJSON       = errors.New("the body is not a JSON object")
	errNotUTF8       = errors.New("the body is not valid UTF-8")
	errNUL           = errors.New("the document contains a NUL character, which no text may hold")
	errNoTypeOrActor = errors.New("the activity has no type or no actor")
)

// readObject decodes a JSON document. It fails when body is not a JSON
// object, is not UTF-8 (RFC 8259 section 8.1), or holds a NUL character in
// a string: PostgreSQL stores neither, and a reply would fail on its way in
// instead of being refused here.
func readObject(body []byte) (*object, error) {
	if !utf8.Valid(body) {
		return nil, errNotUTF8
	}
	var m map[string]any
	if err := json.Unmarshal(body, &m); err != nil || m == nil {
		return nil, errNotJSON
	}
	if bytes.Contains(body, []byte(`\u0000`)) && hasNUL(m) {
		return nil, errNUL
	}
	o := objectFrom(m, 0)
	o.raw = body
	return o, nil
}

// hasNUL reports whether a decoded JSON value holds a NUL in any string or
// key.
func hasNUL(v any) bool {
	switch v := v.(type) {
	case string:
		return strings.IndexByte(v, 0) >= 0
	case []any:
		return slices.ContainsFunc(v, hasNUL)
	case map[string]any:
		for k, e := range v {
			if strings.IndexByte(k, 0) >= 0 || hasNUL(e) {
				return true
			}
		}
	}
	return false
}

// readActivity reads an activity posted to an inbox; it fails as
// readObject does, and when the activity has no type or no actor.
func readActivity(body []byte) (*object, error) {
	o, err := readObject(body)
	if err != nil {
		return nil, err
	}
	if o.Type == "" || o.Actor == "" {
		return nil, errNoTypeOrActor
	}
	return o, nil
}

// objectFrom reads a decoded JSON object.
func objectFrom(m map[string]any, depth int) *object {
	o := &object{
		ID:           str(m["id"]),
		Type:         typeOf(m),
		Actor:        idOf(m["actor"]),
		Object:       refFrom(m["object"], depth),
		Objects:      iriList(m["object"]),
		Instrument:   refFrom(m["instrument"], depth),
		Result:       idOf(m["result"]),
		Content:      str(m["content"]),
		AttributedTo: attributedTo(m["attributedTo"]),
		InReplyTo:    idOf(m["inReplyTo"]),
		URL:          urlOf(m["url"]),
		Name:         str(m["name"]),
		Summary:      str(m["summary"]),
		ContentMap:   langMap(m["contentMap"]),
		NameMap:      langMap(m["nameMap"]),
		SummaryMap:   langMap(m["summaryMap"]),
		Language:     str(m["language"]),
		Sensitive:    m["sensitive"] == true,
		To:           iriList(m["to"]),
		Cc:           iriList(m["cc"]),
		Published:    parseTime(m["published"]),
		Updated:      parseTime(m["updated"]),
		Replies:      idOf(m["replies"]),
		Quote:        firstNonEmpty(idOf(m["quote"]), idOf(m["quoteUri"]), idOf(m["quoteUrl"]), idOf(m["_misskey_quote"])),

		Inbox:             idOf(m["inbox"]),
		SharedInbox:       str(m["sharedInbox"]),
		PreferredUsername: str(m["preferredUsername"]),
		Followers:         idOf(m["followers"]),
		Icon:              urlOf(m["icon"]),
		Owner:             idOf(m["owner"]),
		PublicKeyPEM:      str(m["publicKeyPem"]),

		First: refFrom(m["first"], depth),
		Next:  refFrom(m["next"], depth),
	}
	if ep, ok := m["endpoints"].(map[string]any); ok && str(ep["sharedInbox"]) != "" {
		o.SharedInbox = str(ep["sharedInbox"])
	}
	for _, t := range objects(m["tag"]) {
		o.Tags = append(o.Tags, tag{Type: typeOf(t), Name: str(t["name"]), Href: str(t["href"]), Icon: urlOf(t["icon"])})
	}
	for _, a := range objects(m["attachment"]) {
		u := urlOf(a["url"])
		if u == "" {
			u = str(a["href"])
		}
		o.Attachments = append(o.Attachments, attachment{Type: typeOf(a), MediaType: str(a["mediaType"]), URL: u, Name: str(a["name"]), Summary: str(a["summary"])})
	}
	for _, k := range objects(m["publicKey"]) {
		o.Keys = append(o.Keys, publicKey{ID: str(k["id"]), Owner: idOf(k["owner"]), PEM: str(k["publicKeyPem"])})
	}
	for _, prop := range []string{"orderedItems", "items"} {
		for _, it := range list(m[prop]) {
			if r := refFrom(it, depth); strings.TrimSpace(r.ID) != "" {
				o.Items = append(o.Items, r)
			}
		}
	}
	return o
}

// refFrom reads a property naming one object; of a list, the first.
func refFrom(v any, depth int) ref {
	switch t := v.(type) {
	case string:
		return ref{ID: t}
	case map[string]any:
		r := ref{ID: str(t["id"])}
		if depth < maxEmbedding {
			r.Obj = objectFrom(t, depth+1)
		}
		return r
	case []any:
		if len(t) > 0 {
			return refFrom(t[0], depth)
		}
	}
	return ref{}
}

// list returns a property's values: the array, or the one value.
func list(v any) []any {
	switch t := v.(type) {
	case nil:
		return nil
	case []any:
		return t
	}
	return []any{v}
}

// langMap reads a language map (contentMap and the like).
func langMap(v any) map[string]string {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	out := make(map[string]string, len(m))
	for k, s := range m {
		out[k] = str(s)
	}
	return out
}

// str returns a property's value if it is a string.
func str(v any) string {
	s, _ := v.(string)
	return s
}

// idOf returns the id of a property that is an IRI or an object.
func idOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		return str(t["id"])
	case []any:
		if len(t) > 0 {
			return idOf(t[0])
		}
	}
	return ""
}

// objects returns a property's values that are objects.
func objects(v any) []map[string]any {
	var out []map[string]any
	for _, e := range list(v) {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// typeOf returns an object's type, the first one if it has several.
func typeOf(v any) string {
	m, ok := v.(map[string]any)
	if !ok {
		return ""
	}
	switch t := m["type"].(type) {
	case string:
		return t
	case []any:
		if len(t) > 0 {
			return str(t[0])
		}
	}
	return ""
}

// urlOf returns the address of a url or icon property: a string, a Link's
// href, or an Image's url.
func urlOf(v any) string {
	switch t := v.(type) {
	case string:
		return t
	case map[string]any:
		if h := str(t["href"]); h != "" {
			return h
		}
		return urlOf(t["url"])
	case []any:
		if len(t) > 0 {
			return urlOf(t[0])
		}
	}
	return ""
}

// attributedTo returns the first actor a post is attributed to: Mastodon
// accepts a list and takes the first Person in it.
func attributedTo(v any) string {
	if l, ok := v.([]any); ok {
		for _, e := range l {
			if m, ok := e.(map[string]any); ok && !actorTypes[typeOf(m)] {
				continue
			}
			if id := idOf(e); id != "" {
				return id
			}
		}
		return ""
	}
	return idOf(v)
}

// iriList returns the ids a property names, whether it is one IRI (as
// GoToSocial writes to and cc), an object, or an array.
func iriList(v any) []string {
	switch t := v.(type) {
	case string:
		return []string{t}
	case map[string]any:
		if id := str(t["id"]); id != "" {
			return []string{id}
		}
	case []any:
		var out []string
		for _, e := range t {
			if id := idOf(e); id != "" {
				out = append(out, id)
			}
		}
		return out
	}
	return nil
}

// parseTime reads an xsd:dateTime; the zero time when absent or invalid.
func parseTime(v any) time.Time {
	t, err := time.Parse(time.RFC3339, str(v))
	if err != nil {
		return time.Time{}
	}
	return t
}
