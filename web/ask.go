package web

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/clientaddr"
)

// "Ask": readers' questions and the authors' answers
// (docs/architecture.md#readers-taking-part). The page lists the answered
// questions; a reader asks from the fediverse (a post with #ask that
// mentions the language actor) or here, after signing in at their own
// instance. Signing in sets the site's only reader cookie, for this
// section alone: the page says so before the reader chooses it.

const (
	askCookie     = "samizdat_ask"
	askSignInFor  = 15 * time.Minute // from the instance's sign-in page back to us
	askSessionFor = 12 * time.Hour
	askLimit      = 10 // sign-ins per client, and questions per reader, an hour
)

// askState is what the cookie holds: a sign-in under way (State set) or a
// signed-in reader (Actor set). It is authenticated, not secret.
type askState struct {
	State    string `json:"s,omitempty"`
	Instance string `json:"i,omitempty"`
	Actor    string `json:"a,omitempty"`
	Handle   string `json:"h,omitempty"`
	Expires  int64  `json:"e"`
}

// askPage is the data of ask.html.
type askPage struct {
	page
	Open      bool   // the site can sign readers in
	Handle    string // the language actor's "@lang@host", to mention
	Answered  []askItem
	SignedIn  string // the reader's handle when signed in
	Mine      []askItem
	Question  string
	Error     string
	FormError string
}

// askItem is a question as the page shows it.
type askItem struct {
	ID          int64
	AskerHandle string
	BodyHTML    template.HTML // sanitized on arrival or escaped (content.Question)
	AnswerHTML  template.HTML // rendered by our Markdown pipeline
	State       string
	Answered    string
}

func (s *Server) askKey(ctx context.Context) ([]byte, error) { return s.store.AskKey(ctx) }

// readAsk returns the cookie's state when it is authentic and current.
func (s *Server) readAsk(r *http.Request) *askState {
	c, err := r.Cookie(askCookie)
	if err != nil {
		return nil
	}
	payload, mac, ok := strings.Cut(c.Value, ".")
	if !ok {
		return nil
	}
	key, err := s.askKey(r.Context())
	if err != nil {
		return nil
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	want := base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	if !hmac.Equal([]byte(mac), []byte(want)) {
		return nil
	}
	b, err := base64.RawURLEncoding.DecodeString(payload)
	var st askState
	if err != nil || json.Unmarshal(b, &st) != nil || s.cfg.Now().Unix() > st.Expires {
		return nil
	}
	return &st
}

// writeAsk sets the cookie for the section in lang, or clears it (st nil).
func (s *Server) writeAsk(w http.ResponseWriter, r *http.Request, lang string, st *askState) error {
	c := &http.Cookie{Name: askCookie, Path: "/" + lang + "/ask", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: s.cfg.BaseURL.Scheme == "https"}
	if st == nil {
		c.MaxAge = -1
		http.SetCookie(w, c)
		return nil
	}
	b, _ := json.Marshal(st)
	payload := base64.RawURLEncoding.EncodeToString(b)
	key, err := s.askKey(r.Context())
	if err != nil {
		return err
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(payload))
	c.Value = payload + "." + base64.RawURLEncoding.EncodeToString(m.Sum(nil))
	c.Expires = time.Unix(st.Expires, 0)
	http.SetCookie(w, c)
	return nil
}

// handleAsk shows the section.
func (s *Server) handleAsk(w http.ResponseWriter, r *http.Request) {
	s.renderAsk(w, r, http.StatusOK, "", "", "")
}

func (s *Server) renderAsk(w http.ResponseWriter, r *http.Request, status int, question, errMsg, formErr string) {
	lang := chi.URLParam(r, "lang")
	p := askPage{page: s.newPage(r, lang), Open: s.cfg.AskClient != nil && s.cfg.Ask != nil && s.cfg.ResolveAccount != nil,
		Question: question, Error: errMsg, FormError: formErr}
	p.Title = T(lang, "ask.title")
	p.Description = T(lang, "ask.intro")
	p.Canonical = s.absURL("/" + lang + "/ask")
	p.switchTo(func(l string) string { return "/" + l + "/ask" })
	if s.cfg.ActorHandle != nil {
		p.Handle = s.cfg.ActorHandle(lang)
	}
	answered, err := s.store.Questions(r.Context(), store.QuestionFilter{Lang: lang, States: []content.QuestionState{content.QuestionAnswered}, Limit: 50})
	if err != nil {
		s.error(w, r, err)
		return
	}
	for _, q := range answered {
		p.Answered = append(p.Answered, s.askItem(lang, q))
	}
	if st := s.readAsk(r); st != nil && st.Actor != "" {
		p.SignedIn = st.Handle
		mine, err := s.store.Questions(r.Context(), store.QuestionFilter{Asker: st.Actor, Limit: 50})
		if err != nil {
			s.error(w, r, err)
			return
		}
		for _, q := range mine {
			if q.State != content.QuestionWithdrawn {
				p.Mine = append(p.Mine, s.askItem(lang, q))
			}
		}
	}
	// A signed-in page is the reader's own: never kept by a cache.
	w.Header().Set("Cache-Control", "private, no-store")
	s.render(w, r, status, "ask.html", p)
}

func (s *Server) askItem(lang string, q *content.Question) askItem {
	return askItem{ID: q.ID, AskerHandle: q.AskerHandle, BodyHTML: template.HTML(q.BodyHTML), AnswerHTML: template.HTML(q.AnswerHTML),
		State: T(lang, "ask.state."+string(q.State)), Answered: formatDate(lang, q.AnsweredAt)}
}

// handleAskSignIn starts signing in at the instance of the handle typed.
func (s *Server) handleAskSignIn(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if s.cfg.AskClient == nil {
		s.errorStatus(w, r, http.StatusNotFound)
		return
	}
	host, ok := parseHandle(r.PostFormValue("handle"))
	if !ok {
		s.renderAsk(w, r, http.StatusBadRequest, "", T(lang, "ask.err.handle"), "")
		return
	}
	if !s.readers.ask.Allow(clientaddr.Key(r)) {
		s.renderAsk(w, r, http.StatusTooManyRequests, "", T(lang, "tell.err.rate_limited"), "")
		return
	}
	app, err := s.askApp(r.Context(), host)
	if err != nil {
		s.logger.Info("ask: sign-in refused", "err", err)
		s.renderAsk(w, r, http.StatusBadGateway, "", T(lang, "ask.err.instance"), "")
		return
	}
	b := make([]byte, 18)
	rand.Read(b)
	state := base64.RawURLEncoding.EncodeToString(b)
	st := &askState{State: state, Instance: host, Expires: s.cfg.Now().Add(askSignInFor).Unix()}
	if err := s.writeAsk(w, r, lang, st); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, s.authorizeURL(app, lang, state), http.StatusSeeOther)
}

// handleAskCallback finishes signing in: the state must be the one this
// browser was given, and the code is exchanged once for the account.
func (s *Server) handleAskCallback(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	q := r.URL.Query()
	st := s.readAsk(r)
	app := (*store.AskApp)(nil)
	var err error
	if st != nil && st.State != "" {
		app, err = s.store.AskApp(r.Context(), st.Instance)
	}
	got, code := q.Get("state"), q.Get("code")
	if app != nil && app.Kind == "misskey" {
		got, code = q.Get("session"), q.Get("session")
	}
	if st == nil || st.State == "" || err != nil || app == nil || code == "" || !hmac.Equal([]byte(got), []byte(st.State)) {
		s.writeAsk(w, r, lang, nil) //nolint:errcheck // clearing needs no key
		s.renderAsk(w, r, http.StatusBadRequest, "", T(lang, "ask.err.signin"), "")
		return
	}
	acct, err := s.exchange(r.Context(), app, lang, code)
	if err == nil {
		var actor string
		if actor, err = s.cfg.ResolveAccount(r.Context(), acct.Acct); err == nil {
			st = &askState{Actor: actor, Handle: "@" + acct.Acct, Expires: s.cfg.Now().Add(askSessionFor).Unix()}
			err = s.writeAsk(w, r, lang, st)
		}
	}
	if err != nil {
		s.logger.Info("ask: sign-in failed", "err", err)
		s.writeAsk(w, r, lang, nil) //nolint:errcheck // clearing needs no key
		s.renderAsk(w, r, http.StatusBadRequest, "", T(lang, "ask.err.signin"), "")
		return
	}
	http.Redirect(w, r, "/"+lang+"/ask", http.StatusSeeOther)
}

// handleAskSubmit takes a signed-in reader's question.
func (s *Server) handleAskSubmit(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	st := s.readAsk(r)
	if st == nil || st.Actor == "" || s.cfg.Ask == nil {
		http.Redirect(w, r, "/"+lang+"/ask", http.StatusSeeOther)
		return
	}
	text, err := content.ValidateQuestionText(r.PostFormValue("question"))
	var ve *content.ValidationError
	if errors.As(err, &ve) {
		s.renderAsk(w, r, http.StatusBadRequest, r.PostFormValue("question"), "", T(lang, "ask.err."+ve.Fields["question"]))
		return
	}
	if !s.readers.ask.Allow(st.Actor) {
		s.renderAsk(w, r, http.StatusTooManyRequests, text, "", T(lang, "tell.err.rate_limited"))
		return
	}
	if _, err := s.cfg.Ask(r.Context(), lang, st.Actor, text); err != nil {
		s.logger.Warn("ask: question not taken", "err", err)
		s.renderAsk(w, r, http.StatusBadGateway, text, "", T(lang, "ask.err.unavailable"))
		return
	}
	http.Redirect(w, r, "/"+lang+"/ask?asked=1", http.StatusSeeOther)
}

// handleAskWithdraw withdraws one of the signed-in reader's questions.
func (s *Server) handleAskWithdraw(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	st := s.readAsk(r)
	id, _ := strconv.ParseInt(r.PostFormValue("id"), 10, 64)
	if st == nil || st.Actor == "" || id == 0 {
		http.Redirect(w, r, "/"+lang+"/ask", http.StatusSeeOther)
		return
	}
	withdraw := s.cfg.Withdraw
	if withdraw == nil {
		withdraw = func(ctx context.Context, asker string, id int64) error {
			_, err := s.store.WithdrawQuestion(ctx, asker, id, "", nil)
			return err
		}
	}
	if err := withdraw(r.Context(), st.Actor, id); err != nil {
		s.error(w, r, err)
		return
	}
	http.Redirect(w, r, "/"+lang+"/ask", http.StatusSeeOther)
}

// handleAskSignOut clears the cookie.
func (s *Server) handleAskSignOut(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	s.writeAsk(w, r, lang, nil) //nolint:errcheck // clearing needs no key
	http.Redirect(w, r, "/"+lang+"/ask", http.StatusSeeOther)
}
