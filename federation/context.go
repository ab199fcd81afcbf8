package federation

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"time"

	"github.com/go-fed/activity/streams"
	"github.com/go-fed/activity/streams/vocab"
)

// ldContext is the @context of everything Samizdat serves or sends
// (docs/federation.md#json-ld-context): the ActivityStreams and security
// contexts by URL, because every processor preloads them, and every other term
// inline, because a context URL that is not a JSON-LD document
// (http://joinmastodon.org/ns, which go-fed emits) breaks Fedify, Friendica and
// Bonfire. The mapping copies Mastodon's, schema.org's deliberately "wrong"
// http://schema.org# included, plus the
// FEP-2c59 webfinger term Mastodon also defines.
var ldContext = []any{
	"https://www.w3.org/ns/activitystreams",
	"https://w3id.org/security/v1",
	map[string]any{
		"toot":                      "http://joinmastodon.org/ns#",
		"discoverable":              "toot:discoverable",
		"indexable":                 "toot:indexable",
		"featured":                  map[string]any{"@id": "toot:featured", "@type": "@id"},
		"attributionDomains":        map[string]any{"@id": "toot:attributionDomains", "@container": "@set"},
		"manuallyApprovesFollowers": "as:manuallyApprovesFollowers",
		"sensitive":                 "as:sensitive",
		"Hashtag":                   "as:Hashtag",
		"schema":                    "http://schema.org#",
		"PropertyValue":             "schema:PropertyValue",
		"value":                     "schema:value",
		"ostatus":                   "http://ostatus.org#",
		"conversation":              "ostatus:conversation",
		"wf":                        "https://purl.archive.org/socialweb/webfinger#",
		"webfinger":                 map[string]any{"@id": "wf:webfinger", "@type": "xsd:string"},
		// Quotes, declared as Mastodon 4.5 declares them: FEP-044f's
		// types, and GoToSocial's interaction-policy vocabulary
		// (docs/federation.md#quotes).
		"gts":                "https://gotosocial.org/ns#",
		"interactionPolicy":  map[string]any{"@id": "gts:interactionPolicy", "@type": "@id"},
		"canQuote":           map[string]any{"@id": "gts:canQuote", "@type": "@id"},
		"automaticApproval":  map[string]any{"@id": "gts:automaticApproval", "@type": "@id"},
		"manualApproval":     map[string]any{"@id": "gts:manualApproval", "@type": "@id"},
		"interactingObject":  map[string]any{"@id": "gts:interactingObject"},
		"interactionTarget":  map[string]any{"@id": "gts:interactionTarget"},
		"QuoteRequest":       "https://w3id.org/fep/044f#QuoteRequest",
		"QuoteAuthorization": "https://w3id.org/fep/044f#QuoteAuthorization",
		"quote":              map[string]any{"@id": "https://w3id.org/fep/044f#quote", "@type": "@id"},
		"quoteAuthorization": map[string]any{"@id": "https://w3id.org/fep/044f#quoteAuthorization", "@type": "@id"},
	},
}

// doc is a serialized ActivityStreams document, open to the properties
// go-fed's v1.0.0 vocabulary lacks (docs/federation.md#go-fed-streams-gaps).
type doc map[string]any

// toDoc serializes a go-fed value without any @context: nested documents get
// theirs from the top-level one.
func toDoc(t vocab.Type) (doc, error) {
	m, err := t.Serialize()
	if err != nil {
		return nil, fmt.Errorf("federation: serialize %s: %w", t.GetTypeName(), err)
	}
	listify(m)
	return doc(m), nil
}

// listProps are the properties we always write as arrays. go-fed writes a
// property holding one value as that bare value; that is valid
// ActivityStreams, but the shapes peers are tested against (Mastodon's own
// output) use arrays, and not every reader of
// orderedItems or attachment takes a bare value.
var listProps = map[string]bool{
	"to": true, "cc": true, "bto": true, "bcc": true, "attachment": true,
	"tag": true, "items": true, "orderedItems": true,
}

// listify wraps the bare values of listProps in arrays, in m and in every
// object nested in it.
func listify(m map[string]any) {
	for k, v := range m {
		switch t := v.(type) {
		case []any:
			for _, e := range t {
				if em, ok := e.(map[string]any); ok {
					listify(em)
				}
			}
			continue
		case map[string]any:
			listify(t)
		}
		if listProps[k] {
			m[k] = []any{v}
		}
	}
}

// withContext returns d as a top-level document: go-fed's generated @context
// replaced by the fixed one (docs/federation.md#json-ld-context).
func withContext(d doc) doc {
	d["@context"] = ldContext
	return d
}

// encode writes a document as JSON. Keys come out sorted (encoding/json sorts
// map keys), so the same document always gives the same bytes, which golden
// tests and Digest headers rely on. HTML is left unescaped for readability;
// the result is the same JSON.
func encode(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("federation: encode: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// mustURL parses an IRI we built ourselves.
func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(fmt.Sprintf("federation: bad local IRI %q: %v", s, err))
	}
	return u
}

// stamp is the form of every time we emit: UTC, whole seconds.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Second) }

// The property builders below keep the go-fed calls readable.

func idProp(iri string) vocab.JSONLDIdProperty {
	p := streams.NewJSONLDIdProperty()
	p.Set(mustURL(iri))
	return p
}

func toProp(iris ...string) vocab.ActivityStreamsToProperty {
	p := streams.NewActivityStreamsToProperty()
	for _, i := range iris {
		p.AppendIRI(mustURL(i))
	}
	return p
}

func ccProp(iris ...string) vocab.ActivityStreamsCcProperty {
	p := streams.NewActivityStreamsCcProperty()
	for _, i := range iris {
		p.AppendIRI(mustURL(i))
	}
	return p
}

func actorProp(iri string) vocab.ActivityStreamsActorProperty {
	p := streams.NewActivityStreamsActorProperty()
	p.AppendIRI(mustURL(iri))
	return p
}

func publishedProp(t time.Time) vocab.ActivityStreamsPublishedProperty {
	p := streams.NewActivityStreamsPublishedProperty()
	p.Set(stamp(t))
	return p
}

func nameProp(s string) vocab.ActivityStreamsNameProperty {
	p := streams.NewActivityStreamsNameProperty()
	p.AppendXMLSchemaString(s)
	return p
}

func summaryProp(s string) vocab.ActivityStreamsSummaryProperty {
	p := streams.NewActivityStreamsSummaryProperty()
	p.AppendXMLSchemaString(s)
	return p
}

func urlProp(s string) vocab.ActivityStreamsUrlProperty {
	p := streams.NewActivityStreamsUrlProperty()
	p.AppendIRI(mustURL(s))
	return p
}

func totalItemsProp(n int) vocab.ActivityStreamsTotalItemsProperty {
	p := streams.NewActivityStreamsTotalItemsProperty()
	p.Set(n)
	return p
}

func partOfProp(iri string) vocab.ActivityStreamsPartOfProperty {
	p := streams.NewActivityStreamsPartOfProperty()
	p.SetIRI(mustURL(iri))
	return p
}
