package federation

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/federation/delivery"
)

// Quotes follow FEP-044f as Mastodon 4.5 does them
// (docs/federation.md#quotes). Our Articles say who may quote them without
// asking (interactionPolicy.canQuote.automaticApproval, from the
// publication's quote policy). A server whose user quotes one sends us a
// QuoteRequest naming the Article and the quoting post (instrument); we
// answer with an Accept whose result is the URL of a QuoteAuthorization we
// serve, which the quoting server and its peers fetch to check the quote,
// or with a Reject. A moderator revokes a quote by a Delete of its
// authorization, which then answers 404.

// interactionPolicy is an Article's policy: who may quote it. Nobody means
// the actor alone, as Mastodon writes it.
func (f *Federation) interactionPolicy(lang string, p content.QuotePolicy) doc {
	who := publicIRI
	switch p {
	case content.QuoteFollowers:
		who = f.iri.Followers(lang)
	case content.QuoteNobody:
		who = f.iri.Actor(lang)
	}
	return doc{"canQuote": doc{"automaticApproval": []string{who}}}
}

// receiveQuoteRequest answers a QuoteRequest for one of our published
// Articles. The request and the quoting post must be on the requester's
// server and the post by the requester; a post that names what it quotes
// must name this Article. The policy decides: anyone, the followers of
// the Article's actor, or nobody. A post refused once (its quote revoked)
// is refused again; a request repeated gets the same authorization.
func (f *Federation) receiveQuoteRequest(ctx context.Context, act *object) error {
	if act.ID == "" || !sameHost(act.ID, act.Actor) {
		return nil
	}
	t, _, err := f.localArticle(ctx, act.Object.ID)
	if err != nil || t == nil {
		return err
	}
	post := act.Instrument.ID
	if post == "" || !sameHost(post, act.Actor) {
		return nil
	}
	p := act.Instrument.Obj
	if p == nil || p.AttributedTo == "" {
		if p, err = f.fetchObject(withFetchDeadline(ctx, time.Now().Add(f.fetchTimeout)), post); err != nil {
			return f.fetchFailed(post, err)
		}
	}
	if p.AttributedTo != act.Actor {
		f.logger.Info("quote request for a post not by its sender; dropped", "activity_id", act.ID, "actor", act.Actor)
		return nil
	}
	if p.Quote != "" {
		if q, _, err := f.localArticle(ctx, p.Quote); err != nil || q == nil || q.ID != t.ID {
			f.logger.Info("quote request for a post that quotes something else; dropped", "activity_id", act.ID, "quote", p.Quote)
			return err
		}
	}
	ok, err := f.quoteAllowed(ctx, t.Lang, act.Actor)
	if err != nil {
		return err
	}
	if !ok {
		return f.answerQuote(ctx, t, act, post, nil)
	}
	q := &content.Quote{TranslationID: t.ID, Actor: act.Actor, Post: post, RequestID: act.ID}
	created, err := f.store.SaveQuote(ctx, q, func(ctx context.Context, tx pgx.Tx) error {
		return f.enqueueQuoteAnswer(ctx, tx, t, act, post, q)
	})
	switch {
	case err != nil:
		return err
	case created:
		f.logger.Info("quote authorized", "activity_id", act.ID, "actor", act.Actor, "post", post)
		return nil
	case q.Revoked:
		return f.answerQuote(ctx, t, act, post, nil)
	}
	return f.answerQuote(ctx, t, act, post, q) // asked again: the same answer
}

// quoteAllowed applies the quote policy to actor.
func (f *Federation) quoteAllowed(ctx context.Context, lang, actor string) (bool, error) {
	p, err := f.store.QuotePolicy(ctx)
	if err != nil {
		return false, err
	}
	switch p {
	case content.QuotePublic:
		return true, nil
	case content.QuoteFollowers:
		return f.store.IsFollower(ctx, lang, actor)
	}
	return false, nil
}

// rejectQuoteRequest answers a QuoteRequest from a blocked account or
// instance with a Reject, whatever the policy.
func (f *Federation) rejectQuoteRequest(ctx context.Context, act *object) error {
	t, _, err := f.localArticle(ctx, act.Object.ID)
	if err != nil || t == nil || act.ID == "" || act.Instrument.ID == "" {
		return err
	}
	return f.answerQuote(ctx, t, act, act.Instrument.ID, nil)
}

// answerQuote queues, in a transaction of its own, the Accept of q, or a
// Reject when q is nil.
func (f *Federation) answerQuote(ctx context.Context, t *content.Translation, act *object, post string, q *content.Quote) error {
	return pgx.BeginFunc(ctx, f.store.Pool(), func(tx pgx.Tx) error {
		return f.enqueueQuoteAnswer(ctx, tx, t, act, post, q)
	})
}

// enqueueQuoteAnswer queues in tx the answer to a QuoteRequest, from the
// Article's actor to the requester's own inbox, as Mastodon sends it: an
// Accept whose result is q's authorization, or a Reject when q is nil. The
// request is embedded as it was made.
func (f *Federation) enqueueQuoteAnswer(ctx context.Context, tx pgx.Tx, t *content.Translation, act *object, post string, q *content.Quote) error {
	requester, err := f.store.RemoteActor(ctx, act.Actor)
	if err != nil {
		return err
	}
	kind, typ := "rejects", "Reject"
	if q != nil {
		kind, typ = "accepts", "Accept"
	}
	id := f.iri.QuoteAnswerID(t.Lang, kind, uuid.NewString())
	d := doc{
		"id":    id,
		"type":  typ,
		"actor": f.iri.Actor(t.Lang),
		"to":    []string{act.Actor},
		"object": doc{
			"id": act.ID, "type": "QuoteRequest", "actor": act.Actor,
			"object": f.iri.Article(t.ObjectKey), "instrument": post,
		},
	}
	if q != nil {
		d["result"] = f.iri.QuoteAuthorization(q.AuthKey)
	}
	body, err := encode(withContext(d))
	if err != nil {
		return err
	}
	out := delivery.Activity{ID: id, Actor: t.Lang, Type: typ, Body: body}
	if err := f.queue.Enqueue(ctx, tx, out, []string{requester.Inbox}); err != nil {
		return fmt.Errorf("federation: answer quote request %s: %w", act.ID, err)
	}
	return nil
}

// quoteAuthorization is the document served at a quote's authorization URL.
func (f *Federation) quoteAuthorization(t *content.Translation, q *content.Quote) doc {
	return doc{
		"id":                f.iri.QuoteAuthorization(q.AuthKey),
		"type":              "QuoteAuthorization",
		"attributedTo":      f.iri.Actor(t.Lang),
		"interactingObject": q.Post,
		"interactionTarget": f.iri.Article(t.ObjectKey),
	}
}

// handleQuoteAuthorization serves a quote's authorization while the quote
// stands and its Article is published; otherwise 404, which is how the
// quoting server learns, on its next check, that the quote is no longer
// authorized.
func (f *Federation) handleQuoteAuthorization(w http.ResponseWriter, r *http.Request) {
	q, err := f.store.QuoteByKey(r.Context(), chi.URLParam(r, "key"))
	if err == nil && q.Revoked {
		err = fmt.Errorf("federation: quote %d revoked: %w", q.ID, content.ErrNotFound)
	}
	if err != nil {
		f.error(w, r, err)
		return
	}
	t, err := f.store.Translation(r.Context(), q.TranslationID)
	if err == nil && (t.State != content.StatePublished || !f.hasLang(t.Lang)) {
		err = fmt.Errorf("federation: quote %d of a withdrawn article: %w", q.ID, content.ErrNotFound)
	}
	if err != nil {
		f.error(w, r, err)
		return
	}
	f.writeAP(w, r, withContext(f.quoteAuthorization(t, q)))
}

// RevokeQuote withdraws our authorization of the quote quoteID on behalf of
// the staff member staffID: the quote is marked revoked and logged, and a
// Delete of its authorization is queued, in one transaction, to the quoting
// account's inbox and to the followers of the Article's actor, whose
// servers may show the quote. Revoking a revoked quote does nothing. It is
// desk.Config.RevokeQuote.
func (f *Federation) RevokeQuote(ctx context.Context, staffID, quoteID int64) error {
	q, err := f.store.Quote(ctx, quoteID)
	if err != nil {
		return err
	}
	t, err := f.store.Translation(ctx, q.TranslationID)
	if err != nil {
		return err
	}
	quoter, err := f.store.RemoteActor(ctx, q.Actor)
	if err != nil {
		return err
	}
	_, err = f.store.RevokeQuote(ctx, staffID, quoteID, func(ctx context.Context, tx pgx.Tx, q *content.Quote) error {
		id := f.iri.QuoteRevokeID(q.AuthKey)
		body, err := encode(withContext(doc{
			"id": id, "type": "Delete", "actor": f.iri.Actor(t.Lang),
			"to": []string{publicIRI}, "cc": []string{q.Actor, f.iri.Followers(t.Lang)},
			"object": f.iri.QuoteAuthorization(q.AuthKey),
		}))
		if err != nil {
			return err
		}
		inboxes, err := f.store.FollowerInboxes(ctx, tx, t.Lang)
		if err != nil {
			return err
		}
		inboxes = append([]string{firstNonEmpty(quoter.SharedInbox, quoter.Inbox)}, inboxes...)
		return f.queue.Enqueue(ctx, tx, delivery.Activity{ID: id, Actor: t.Lang, Type: "Delete", Body: body}, inboxes)
	})
	return err
}
