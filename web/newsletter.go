package web

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/clientaddr"
	"samizdat/web/internal/serve"
)

// The newsletter's public pages: the form, the confirmation and the
// unsubscribe pages (docs/architecture.md#readers-taking-part). Mail itself
// is package mail's; main hands the form its Subscribe.

// Limits on the form, besides the one confirmation mail an hour to one
// address that the store enforces.
const (
	newsletterHoneypot    = "website"
	newsletterClientBurst = 5
	newsletterAddrBurst   = 3
	newsletterPer         = time.Hour
)

// readerRates are the limits of the forms where readers take part, per
// client and, for the newsletter, per address.
type readerRates struct {
	newsletterClients, newsletterAddrs, join, ask *clientaddr.Limiter
}

func newReaderRates(now func() time.Time) readerRates {
	return readerRates{
		newsletterClients: clientaddr.NewLimiter(newsletterClientBurst, newsletterPer, now),
		newsletterAddrs:   clientaddr.NewLimiter(newsletterAddrBurst, newsletterPer, now),
		join:              clientaddr.NewLimiter(joinLimit, joinPer, now),
		ask:               clientaddr.NewLimiter(askLimit, time.Hour, now),
	}
}

// newsletterPage is the data of newsletter.html. Mode is "form", "sent",
// "confirm", "confirmed", "expired", "unsubscribe" or "unsubscribed".
type newsletterPage struct {
	page
	Mode      string
	Open      bool
	Address   string
	Langs     map[string]bool
	Errors    map[string]string
	FormError string
	Token     string // the confirmation token, posted back by the button
	Action    string // the unsubscribe form's action, with its query
}

func (s *Server) newNewsletterPage(r *http.Request, mode string) newsletterPage {
	lang := chi.URLParam(r, "lang")
	p := newsletterPage{page: s.newPage(r, lang), Mode: mode, Open: s.cfg.Subscribe != nil, Langs: map[string]bool{lang: true}}
	p.Title = T(lang, "newsletter."+mode+".title")
	p.Description = T(lang, "newsletter.intro")
	p.switchTo(func(l string) string { return "/" + l + "/newsletter" })
	if mode == "form" {
		p.Canonical = s.absURL("/" + lang + "/newsletter")
	} else {
		p.NoIndex = true
	}
	return p
}

// handleNewsletterForm shows the form, or "check your mail" after it was sent.
func (s *Server) handleNewsletterForm(w http.ResponseWriter, r *http.Request) {
	mode := "form"
	if r.URL.Query().Get("sent") == "1" {
		mode = "sent"
	}
	s.render(w, r, http.StatusOK, "newsletter.html", s.newNewsletterPage(r, mode))
}

// handleNewsletterSubscribe checks the form and has the confirmation
// mailed. Whether the address was new, confirmed already or mailed within
// the hour, the reader sees the same answer.
func (s *Server) handleNewsletterSubscribe(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 16<<10)
	if err := r.ParseForm(); err != nil {
		s.errorStatus(w, r, http.StatusBadRequest)
		return
	}
	p := s.newNewsletterPage(r, "form")
	lang := p.Lang
	sent := "/" + lang + "/newsletter?sent=1"
	if r.PostForm.Get(newsletterHoneypot) != "" {
		http.Redirect(w, r, sent, http.StatusSeeOther)
		return
	}
	if !p.Open {
		s.render(w, r, http.StatusServiceUnavailable, "newsletter.html", p)
		return
	}
	p.Address = r.PostForm.Get("address")
	p.Langs = map[string]bool{}
	var langs []string
	for _, l := range r.PostForm["langs"] {
		if s.hasLang(l) && !p.Langs[l] {
			p.Langs[l] = true
			langs = append(langs, l)
		}
	}
	p.Errors = map[string]string{}
	address, err := content.NormalizeAddress(p.Address)
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		p.Errors["address"] = T(lang, "newsletter.err."+ve.Fields["address"])
	}
	if len(langs) == 0 {
		p.Errors["langs"] = T(lang, "newsletter.err.langs_required")
	}
	if len(p.Errors) > 0 {
		p.FormError = T(lang, "newsletter.errors")
		s.render(w, r, http.StatusBadRequest, "newsletter.html", p)
		return
	}
	if !s.readers.newsletterClients.Allow(clientaddr.Key(r)) || !s.readers.newsletterAddrs.Allow(address) {
		p.FormError = T(lang, "newsletter.err.rate_limited")
		s.render(w, r, http.StatusTooManyRequests, "newsletter.html", p)
		return
	}
	err = s.cfg.Subscribe(r.Context(), address, langs, lang)
	switch {
	case errors.As(err, &ve):
		p.Errors["address"] = T(lang, "newsletter.err.address_invalid")
		p.FormError = T(lang, "newsletter.errors")
		s.render(w, r, http.StatusBadRequest, "newsletter.html", p)
		return
	case err != nil:
		s.logger.Warn("newsletter subscribe", "request_id", serve.RequestID(r), "err", err)
		p.FormError = T(lang, "newsletter.err.unavailable")
		s.render(w, r, http.StatusServiceUnavailable, "newsletter.html", p)
		return
	}
	http.Redirect(w, r, sent, http.StatusSeeOther)
}

// handleNewsletterConfirmPage shows the button that confirms: a GET never
// confirms, so that a mail scanner following links subscribes nobody.
func (s *Server) handleNewsletterConfirmPage(w http.ResponseWriter, r *http.Request) {
	token := r.URL.Query().Get("t")
	p := s.newNewsletterPage(r, "confirm")
	p.Token = token
	if _, err := s.store.PendingSubscriber(r.Context(), content.HashToken(token)); err != nil {
		if !errors.Is(err, content.ErrNotFound) {
			s.error(w, r, err)
			return
		}
		p = s.newNewsletterPage(r, "expired")
		s.render(w, r, http.StatusNotFound, "newsletter.html", p)
		return
	}
	s.render(w, r, http.StatusOK, "newsletter.html", p)
}

// handleNewsletterConfirm confirms the subscription.
func (s *Server) handleNewsletterConfirm(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		s.errorStatus(w, r, http.StatusBadRequest)
		return
	}
	_, err := s.store.ConfirmSubscriber(r.Context(), content.HashToken(r.PostForm.Get("t")))
	switch {
	case errors.Is(err, content.ErrNotFound):
		s.render(w, r, http.StatusNotFound, "newsletter.html", s.newNewsletterPage(r, "expired"))
	case err != nil:
		s.error(w, r, err)
	default:
		s.render(w, r, http.StatusOK, "newsletter.html", s.newNewsletterPage(r, "confirmed"))
	}
}

// checkUnsubscribe finds the subscriber an unsubscribe link names; a link
// of an address already gone answers ErrNotFound, a forged one ErrForbidden.
func (s *Server) checkUnsubscribe(ctx context.Context, q url.Values) (int64, error) {
	id, err := strconv.ParseInt(q.Get("s"), 10, 64)
	if err != nil {
		return 0, content.ErrForbidden
	}
	sub, err := s.store.Subscriber(ctx, id)
	if err != nil {
		return 0, err
	}
	key, err := s.store.NewsletterKey(ctx)
	if err != nil {
		return 0, err
	}
	if !content.CheckUnsubscribeMAC(key, sub.ID, sub.Address, q.Get("t")) {
		return 0, content.ErrForbidden
	}
	return id, nil
}

// handleNewsletterUnsubscribePage shows the unsubscribe button.
func (s *Server) handleNewsletterUnsubscribePage(w http.ResponseWriter, r *http.Request) {
	_, err := s.checkUnsubscribe(r.Context(), r.URL.Query())
	switch {
	case errors.Is(err, content.ErrNotFound):
		s.render(w, r, http.StatusOK, "newsletter.html", s.newNewsletterPage(r, "unsubscribed"))
		return
	case err != nil:
		s.error(w, r, err)
		return
	}
	p := s.newNewsletterPage(r, "unsubscribe")
	p.Action = r.URL.Path + "?" + url.Values{"s": {r.URL.Query().Get("s")}, "t": {r.URL.Query().Get("t")}}.Encode()
	s.render(w, r, http.StatusOK, "newsletter.html", p)
}

// handleNewsletterUnsubscribe deletes the address. It answers both the
// page's button and a mail client's one-click POST (RFC 8058, body
// "List-Unsubscribe=One-Click"), which carries no cookie and needs none.
func (s *Server) handleNewsletterUnsubscribe(w http.ResponseWriter, r *http.Request) {
	id, err := s.checkUnsubscribe(r.Context(), r.URL.Query())
	if err == nil {
		err = s.store.DeleteSubscriber(r.Context(), id)
	}
	if err != nil && !errors.Is(err, content.ErrNotFound) {
		s.error(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "newsletter.html", s.newNewsletterPage(r, "unsubscribed"))
}
