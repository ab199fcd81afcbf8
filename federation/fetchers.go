package federation

import (
	"net/http"

	"samizdat/content"
	"samizdat/federation/delivery"
)

// Servers that fetched an Article hold a copy of it, whether or not they
// follow us: one whose user searched for the story's URL, or resolved it
// from a reply's thread. Such a fetch is signed by the server (Mastodon and
// GoToSocial sign every fetch), so the Article's edits and withdrawal can
// be sent to it too (docs/federation.md#withdrawals-reach-every-copy). Only
// the signer's instance is kept, and only for signed ActivityPub fetches:
// nothing about the readers of the web pages.

// noteSignedFetch records the instance whose signed request fetched the
// Article of t. An unsigned fetch, or one whose signature does not verify,
// is served all the same and recorded nowhere. A failure to record is
// logged: the reader of the Article must not be failed for it.
func (f *Federation) noteSignedFetch(r *http.Request, t *content.Translation) {
	signer := f.fetchSigner(r) // verified once, whether or not authorized fetch is on
	if signer == "" {
		return
	}
	host, err := delivery.Host(signer)
	if err != nil {
		return
	}
	if err := f.store.RecordArticleFetch(r.Context(), t.ID, host, signer); err != nil {
		f.logger.Error("record an article fetch", "err", err, "host", host)
	}
}
