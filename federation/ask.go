package federation

import (
	"context"
	"fmt"
	"html"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"
	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation/delivery"
)

// "Ask": a post that mentions a language actor and carries #ask becomes a
// question for the desk; the answer goes out as a public reply to it from
// the language actor, mentioning the asker, so that it reaches their
// notifications and threads under their post
// (docs/federation.md#ask-questions). A question asked on the site is sent
// to the asker as a direct mention from the language actor, so that they
// hold a copy and the answer threads under it too.

// askTag is the hashtag that makes a mention a question.
const askTag = "ask"

// askedLang returns the language whose actor obj mentions when obj carries
// #ask and answers none of our Articles, or "".
func (f *Federation) askedLang(obj *object) string {
	if obj.InReplyTo != "" && f.articleKey(obj.InReplyTo) != "" {
		return "" // a reply to a story is a reply, whatever its tags
	}
	tagged, lang := false, ""
	for _, t := range obj.Tags {
		switch t.Type {
		case "Hashtag":
			if strings.EqualFold(strings.TrimPrefix(t.Name, "#"), askTag) {
				tagged = true
			}
		case "Mention":
			if l := f.localLang(t.Href); l != "" && lang == "" {
				lang = l
			}
		}
	}
	if !tagged {
		return ""
	}
	return lang
}

// receiveQuestion stores obj, sent by actor, as a question in lang: from
// its author's own server, public or direct (not followers-only), from
// nobody blocked. A keyword rule's match is noted for the editors.
func (f *Federation) receiveQuestion(ctx context.Context, obj *object, actor, lang string) error {
	n := parseNote(obj)
	log := f.logger.With("activity_id", n.ID, "actor", actor)
	if _, err := f.remoteURL(n.ID); err != nil || !sameHost(n.ID, actor) || n.AttributedTo != actor {
		log.Info("question refused: its id or attribution is not its author's")
		return nil
	}
	if blocked, err := f.store.IsBlocked(ctx, actor); err != nil || blocked {
		return err
	}
	if blocked, err := f.store.IsInstanceBlocked(ctx, hostOf(actor)); err != nil || blocked {
		return err
	}
	author, err := f.fetchActor(ctx, actor, "")
	if err != nil {
		return f.fetchFailed(actor, err)
	}
	if vis := n.visibility(author.Followers); vis == content.VisibilityFollowers {
		return nil
	}
	q := &content.Question{
		Lang: lang, Source: content.QuestionFromFediverse, APID: n.ID, Asker: actor,
		AskerHandle: "@" + author.Username + "@" + author.Host, AskerInbox: firstNonEmpty(author.SharedInbox, author.Inbox),
		BodyHTML: content.SanitizeHTML(n.Content),
	}
	if match, err := f.keywordMatch(ctx, q.BodyHTML, n.Summary); err != nil {
		return err
	} else if match {
		q.HeldFor = "keyword"
	}
	created, err := f.store.CreateQuestion(ctx, q, nil)
	if created {
		log.Info("question stored", "lang", lang, "held_for", q.HeldFor)
	}
	return err
}

// AskFromSite records a question a signed-in reader typed on the site and
// queues, in the same transaction, a direct mention of the asker from the
// language actor that carries it. It is web.Config.Ask.
func (f *Federation) AskFromSite(ctx context.Context, lang, actor, text string) (*content.Question, error) {
	author, err := f.fetchActor(ctx, actor, "")
	if err != nil {
		return nil, fmt.Errorf("federation: ask: %w", err)
	}
	q := &content.Question{
		Lang: lang, Source: content.QuestionFromSite, Asker: actor,
		AskerHandle: "@" + author.Username + "@" + author.Host, AskerInbox: author.Inbox,
		BodyHTML: paragraphs(text),
	}
	_, err = f.store.CreateQuestion(ctx, q, func(ctx context.Context, tx pgx.Tx, q *content.Question) (string, error) {
		id := f.iri.abs("/ap/questions/" + strconv.FormatInt(q.ID, 10))
		note := doc{
			"id": id, "type": "Note", "attributedTo": f.iri.Actor(lang), "to": []string{actor},
			"content": mentionHTML(author) + q.BodyHTML, "contentMap": map[string]string{lang: mentionHTML(author) + q.BodyHTML},
			"published": q.CreatedAt.UTC().Format(time.RFC3339),
			"tag":       []doc{{"type": "Mention", "href": actor, "name": q.AskerHandle}},
		}
		if err := f.deliverNote(ctx, tx, lang, note, []string{author.Inbox}); err != nil {
			return "", err
		}
		return id, nil
	})
	if err != nil {
		return nil, err
	}
	return q, nil
}

// AnswerQuestion records the answer (Markdown) to a question, on behalf of
// the staff member staffID, and queues it in the same transaction: a
// public reply to the question's post from the language actor, mentioning
// the asker, to the asker and the actor's followers. It is
// desk.Config.AnswerQuestion.
func (f *Federation) AnswerQuestion(ctx context.Context, staffID, id int64, markdown string) error {
	q, err := f.store.Question(ctx, id)
	if err != nil {
		return err
	}
	body := content.RenderMarkdown(q.Lang, markdown)
	_, err = f.store.AnswerQuestion(ctx, staffID, id, markdown, body, func(ctx context.Context, tx pgx.Tx, q *content.Question) error {
		inboxes, err := f.store.FollowerInboxes(ctx, tx, q.Lang)
		if err != nil {
			return err
		}
		if q.AskerInbox != "" {
			inboxes = append([]string{q.AskerInbox}, inboxes...)
		}
		return f.deliverNote(ctx, tx, q.Lang, f.answerNote(q), inboxes)
	})
	return err
}

// answerNote is the Note of a question's answer.
func (f *Federation) answerNote(q *content.Question) doc {
	mention := `<p><span class="h-card"><a href="` + html.EscapeString(q.Asker) + `" class="u-url mention">` + html.EscapeString(q.AskerHandle) + `</a></span></p>`
	return doc{
		"id": f.iri.abs("/ap/answers/" + strconv.FormatInt(q.ID, 10)), "type": "Note",
		"attributedTo": f.iri.Actor(q.Lang), "inReplyTo": q.APID,
		"to": []string{publicIRI}, "cc": []string{q.Asker, f.iri.Followers(q.Lang)},
		"content": mention + q.AnswerHTML, "contentMap": map[string]string{q.Lang: mention + q.AnswerHTML},
		"url":       f.iri.abs("/" + q.Lang + "/ask#q" + strconv.FormatInt(q.ID, 10)),
		"published": q.AnsweredAt.UTC().Format(time.RFC3339),
		"tag":       []doc{{"type": "Mention", "href": q.Asker, "name": q.AskerHandle}},
	}
}

// deliverNote queues a Create of note from lang's actor to inboxes, in tx.
func (f *Federation) deliverNote(ctx context.Context, tx pgx.Tx, lang string, note doc, inboxes []string) error {
	id := note["id"].(string)
	act := withContext(doc{
		"id": id + "#create", "type": "Create", "actor": f.iri.Actor(lang),
		"to": note["to"], "cc": note["cc"], "published": note["published"], "object": note,
	})
	if act["cc"] == nil {
		delete(act, "cc")
	}
	body, err := encode(act)
	if err != nil {
		return err
	}
	return f.queue.Enqueue(ctx, tx, delivery.Activity{ID: id + "#create", Actor: lang, Type: "Create", Body: body}, inboxes)
}

// WithdrawQuestion withdraws a signed-in reader's question (asker is
// their actor) and, in the same transaction, queues the Deletes of what
// we sent about it. It is web.Config.Withdraw.
func (f *Federation) WithdrawQuestion(ctx context.Context, asker string, id int64) error {
	_, err := f.store.WithdrawQuestion(ctx, asker, id, "", f.retractQuestion)
	return err
}

// retractQuestion queues, in tx, a Delete of the direct mention that
// carried a site question to its asker, and of the answer if there was
// one, to the asker and the actor's followers, who were sent it.
func (f *Federation) retractQuestion(ctx context.Context, tx pgx.Tx, q *content.Question) error {
	del := func(objectID string, to, cc []string, inboxes []string) error {
		d := doc{"id": objectID + "#delete", "type": "Delete", "actor": f.iri.Actor(q.Lang), "to": to,
			"object": doc{"id": objectID, "type": "Tombstone"}}
		if cc != nil {
			d["cc"] = cc
		}
		body, err := encode(withContext(d))
		if err != nil {
			return err
		}
		return f.queue.Enqueue(ctx, tx, delivery.Activity{ID: objectID + "#delete", Actor: q.Lang, Type: "Delete", Body: body}, inboxes)
	}
	if q.Source == content.QuestionFromSite && q.APID != "" && q.AskerInbox != "" {
		if err := del(q.APID, []string{q.Asker}, nil, []string{q.AskerInbox}); err != nil {
			return err
		}
	}
	if q.State != content.QuestionAnswered {
		return nil
	}
	inboxes, err := f.store.FollowerInboxes(ctx, tx, q.Lang)
	if err != nil {
		return err
	}
	if q.AskerInbox != "" {
		inboxes = append([]string{q.AskerInbox}, inboxes...)
	}
	answer := f.iri.abs("/ap/answers/" + strconv.FormatInt(q.ID, 10))
	return del(answer, []string{publicIRI}, []string{q.Asker, f.iri.Followers(q.Lang)}, inboxes)
}

// handleAnswer serves an answer's Note while it is published.
func (f *Federation) handleAnswer(w http.ResponseWriter, r *http.Request) {
	id, err := strconv.ParseInt(chi.URLParam(r, "id"), 10, 64)
	if err != nil {
		f.notFound(w, r)
		return
	}
	q, err := f.store.Question(r.Context(), id)
	if err != nil || q.State != content.QuestionAnswered {
		f.notFound(w, r)
		return
	}
	f.writeAP(w, r, withContext(f.answerNote(q)))
}

// mentionHTML links to a remote actor as Mastodon writes a mention.
func mentionHTML(a *store.RemoteActor) string {
	href := firstNonEmpty(a.URL, a.ID)
	return `<p><span class="h-card"><a href="` + html.EscapeString(href) + `" class="u-url mention">@` + html.EscapeString(a.Username) + `</a></span></p>`
}

// paragraphs turns plain text into escaped HTML paragraphs.
func paragraphs(text string) string {
	var b strings.Builder
	for _, p := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			b.WriteString("<p>" + strings.ReplaceAll(html.EscapeString(p), "\n", "<br>") + "</p>")
		}
	}
	return b.String()
}

// ResolveAccount finds the actor id of a fediverse account "user@host"
// through its server's WebFinger, for a reader who signed in to ask. It is
// web.Config.ResolveAccount, with a client as careful as Interact's.
func ResolveAccount(ctx context.Context, client *http.Client, acct string) (string, error) {
	user, host, err := parseAddress(acct)
	if err != nil || user == "" {
		return "", fmt.Errorf("federation: resolve %q: not an account address", acct)
	}
	scheme := schemeFor(host)
	links, err := webfinger(ctx, client, scheme, host, "acct:"+user+"@"+host)
	if err != nil {
		return "", err
	}
	for _, l := range links {
		if l.Rel == "self" && content.HTTPURL(l.Href) {
			return l.Href, nil
		}
	}
	return "", fmt.Errorf("federation: resolve %s: no actor in WebFinger's answer", acct)
}
