package federation

import (
	"mime"
	"strconv"
	"strings"
)

// ContentType is what every ActivityPub document is served as. Mastodon
// discards a body served as application/json or with an unquoted profile;
// this form every server accepts (docs/federation.md#activitypub-content-type).
const ContentType = "application/activity+json"

// WantsActivityPub reports whether an Accept header asks for ActivityStreams
// JSON rather than a page: application/activity+json or application/ld+json,
// with or without a profile (docs/federation.md#activitypub-accept-headers),
// ranked at least as high as text/html. "*/*" alone and browsers' headers get
// the page. The strings Mastodon sends are in the tests.
func WantsActivityPub(accept string) bool {
	var ap, page float64 = -1, -1
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		q := 1.0
		if v, ok := params["q"]; ok {
			if f, err := strconv.ParseFloat(v, 64); err == nil {
				q = f
			}
		}
		switch mt {
		case "application/activity+json", "application/ld+json":
			ap = max(ap, q)
		case "text/html", "application/xhtml+xml":
			page = max(page, q)
		}
	}
	return ap > 0 && ap >= page
}

// isActivityPubBody reports whether a POST's Content-Type may carry an
// activity. Besides the two AP types, plain application/json is let through:
// refusing it would only lose activities from lax senders, and the body is
// checked as JSON anyway.
func isActivityPubBody(contentType string) bool {
	mt, _, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	switch mt {
	case "application/activity+json", "application/ld+json", "application/json":
		return true
	}
	return false
}
