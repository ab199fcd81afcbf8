package federation

import (
	"errors"
	"io"
	"log/slog"
	"net/http"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"

	"samizdat/federation/delivery"
	"samizdat/federation/signature"
	"samizdat/federation/transport"
)

// maxInboxBody is the largest activity we read, Mastodon's limit
// (docs/federation.md#inbox-answers, #httpsig-gaps).
const maxInboxBody = transport.MaxBody

// handleInbox receives activities on a language actor's inbox, the shared inbox
// and the instance actor's inbox
// (docs/federation.md#personal-and-shared-inboxes: Follow, Undo and Block come
// to the personal inbox, Create and the rest to the shared one; both take
// everything).
//
// The order of the checks follows what peers make of each answer: 413 for a
// body over 1 MB before anything else is read
// (docs/federation.md#inbox-answers); a Delete or Update from an actor we never
// knew is 202 at once, without fetching a key, or every account deletion on the
// network would make us fetch (docs/federation.md#account-deletion-floods);
// then the signature, with 401 only for authentication failures, because
// Mastodon 4.7 answers a 400 or 401 by sending again with RFC 9421
// (docs/federation.md#rfc9421-signatures); and a signer that is not the
// activity's actor is refused (docs/federation.md#signer-is-actor), except for
// a Create, whose object is then fetched again from its own server (a forwarded
// reply). Only then, the signature known good, are blocked accounts and
// instances answered 202 and their activity dropped, so that a blocked sender
// learns nothing. Activity types we do not handle get 202 and
// are dropped, never 400 (docs/federation.md#inbox-answers). An activity we
// could not take for a reason that may pass (a parent's server did not answer)
// gets 503, which the sender retries.
func (f *Federation) handleInbox(w http.ResponseWriter, r *http.Request) {
	if lang := chi.URLParam(r, "lang"); lang != "" && !f.hasLang(lang) {
		f.notFound(w, r)
		return
	}
	if !isActivityPubBody(r.Header.Get("Content-Type")) {
		http.Error(w, http.StatusText(http.StatusUnsupportedMediaType), http.StatusUnsupportedMediaType)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxInboxBody))
	var tooLarge *http.MaxBytesError
	if errors.As(err, &tooLarge) {
		http.Error(w, "The activity is larger than 1 MB.", http.StatusRequestEntityTooLarge)
		return
	}
	if err != nil {
		http.Error(w, "The request body could not be read.", http.StatusBadRequest)
		return
	}
	if _, err := signature.KeyID(r); err != nil {
		f.unauthorized(w, r, err)
		return
	}
	act, err := readActivity(body)
	if err != nil {
		http.Error(w, "Bad activity: "+err.Error()+".", http.StatusBadRequest)
		return
	}
	if act.Type == "Delete" || act.Type == "Update" {
		known, err := f.store.RemoteActorKnown(r.Context(), act.Actor)
		if err != nil {
			f.error(w, r, err)
			return
		}
		if !known {
			w.WriteHeader(http.StatusAccepted)
			return
		}
	}
	_, signer, err := signature.Verify(r, body, f.now(), f.lookupKey)
	if f.databaseDown(err) {
		f.unavailable(w) // the key could not be read: not the sender's fault
		return
	}
	if err != nil {
		f.unauthorized(w, r, err)
		return
	}
	if signer != act.Actor && act.Type != "Create" {
		// Someone else's activity, relayed or forged: the signature is good but
		// proves nothing about the actor, so it is dropped. It is answered 202
		// as Mastodon does (docs/federation.md#signer-is-actor): a 401 would
		// tell the sender its signature failed, and have it retry, with another
		// signature scheme and then for days.
		f.logger.Info("inbox: signer is not the actor; dropped", "actor", act.Actor, "signer", signer, "activity_id", act.ID)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	// Any valid signed POST revives a host we had given up on
	// (docs/federation.md#unavailable-instances); the blocks are read in the
	// same round trip.
	host, _ := delivery.Host(signer)
	blocked, err := f.store.InboxSender(r.Context(), signer, act.Actor, host)
	if err != nil {
		f.error(w, r, err)
		return
	}
	if blocked {
		if act.Type == "QuoteRequest" && signer == act.Actor {
			// A quote is refused out loud, or the quoting server
			// would show it as pending for ever
			// (docs/federation.md#quotes).
			if err := f.rejectQuoteRequest(r.Context(), act); err != nil {
				f.error(w, r, err)
				return
			}
		}
		f.logger.Debug("inbox: blocked sender; dropped", "actor", act.Actor, "activity_id", act.ID)
		w.WriteHeader(http.StatusAccepted)
		return
	}
	if f.logger.Enabled(r.Context(), slog.LevelDebug) { // spares copying the body into a string for nothing
		f.logger.Debug("inbox: activity", "activity_id", act.ID, "actor", act.Actor, "type", act.Type, "body", string(body))
	}
	if signer != act.Actor {
		err = f.receiveForwarded(r.Context(), act)
	} else {
		err = f.receive(r, act)
	}
	if errors.Is(err, errRetryLater) {
		f.logger.Info("inbox: activity deferred", "activity_id", act.ID, "actor", act.Actor, "err", err)
		w.Header().Set("Retry-After", "300")
		http.Error(w, http.StatusText(http.StatusServiceUnavailable), http.StatusServiceUnavailable)
		return
	}
	if err != nil {
		f.error(w, r, err)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

// unauthorized answers 401 to a request whose signature did not verify. The
// reason goes to the log only.
func (f *Federation) unauthorized(w http.ResponseWriter, r *http.Request, err error) {
	f.logger.Info("inbox: signature refused", "err", err, slog.Group("request", "method", r.Method, "path", r.URL.Path))
	http.Error(w, http.StatusText(http.StatusUnauthorized), http.StatusUnauthorized)
}

// receive acts on an authenticated activity, whichever inbox it reached
// (docs/federation.md#personal-and-shared-inboxes). Types not listed are
// accepted and dropped (docs/federation.md#inbox-answers).
func (f *Federation) receive(r *http.Request, act *object) error {
	ctx := r.Context()
	switch act.Type {
	case "Follow":
		return f.receiveFollow(ctx, act)
	case "Undo":
		return f.receiveUndo(ctx, act)
	case "Block":
		return f.receiveBlock(ctx, act)
	case "Create":
		return f.receiveCreate(ctx, act)
	case "Update":
		return f.receiveUpdate(ctx, act)
	case "Delete":
		return f.receiveDelete(ctx, act)
	case "Like", "EmojiReact", "Announce":
		return f.receiveReaction(ctx, act)
	case "Flag":
		return f.receiveFlag(ctx, act)
	case "QuoteRequest":
		return f.receiveQuoteRequest(ctx, act)
	}
	return nil
}

// localLang returns the language of the local language actor with id iri,
// or "".
func (f *Federation) localLang(iri string) string {
	for _, l := range f.cfg.Languages {
		if iri == f.iri.Actor(l) {
			return l
		}
	}
	return ""
}

// countInbox runs handleInbox and tells Config.InboxResult how it ended,
// by the status it answered.
func (f *Federation) countInbox(w http.ResponseWriter, r *http.Request) {
	if f.cfg.InboxResult == nil {
		f.handleInbox(w, r)
		return
	}
	ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
	f.handleInbox(ww, r)
	f.cfg.InboxResult(inboxOutcome(ww.Status()))
}

// inboxOutcome names what an inbox's answer means. An accepted activity
// may have been dropped (an unknown type, a blocked sender): to the
// sender, and here, that is the same.
func inboxOutcome(status int) string {
	switch status {
	case http.StatusAccepted, http.StatusOK:
		return "accepted"
	case http.StatusBadRequest:
		return "bad_request"
	case http.StatusUnauthorized:
		return "unauthorized"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	case http.StatusServiceUnavailable:
		return "unavailable"
	}
	if status >= 500 {
		return "error"
	}
	return "other"
}
