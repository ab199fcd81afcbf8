package desk

import (
	"errors"
	"net/http"
	"strconv"

	"github.com/go-chi/chi/v5"

	"samizdat/content"
	"samizdat/web/internal/serve"
)

// The fediverse profile of each language actor: its display name, bio,
// avatar, header and fields, for editors and admins. Saving one sends an
// Update of the actor to its followers (Config.SaveProfile).

// profileRoutes registers /desk/profiles/….
func (s *Server) profileRoutes(r chi.Router) {
	r.Use(s.requireRoleMW(roleEditorOrAdmin))
	r.Get("/", s.handleProfileList)
	r.Get("/{lang}", s.handleProfileEdit)
	r.Post("/{lang}", s.handleProfileSave)
}

// profilesPage is the data of templates/profiles.html.
type profilesPage struct {
	deskPage
	Profiles []profileSummary
}

type profileSummary struct {
	Lang     string
	LangName string
	Name     string // the display name, or the built-in one
	Avatar   string // the avatar's URL
	Custom   bool   // editors have set something
}

// profilePage is the data of templates/profile.html.
type profilePage struct {
	deskPage
	Lang        string
	LangName    string
	Handle      string
	DefaultName string
	Form        profileForm
	AvatarURL   string // the avatar readers see now
	HeaderURL   string
	Errors      formErrors
}

// profileForm is the profile as typed.
type profileForm struct {
	DisplayName  string
	Bio          string
	Fields       []content.ProfileField // always MaxProfileFields rows
	HasAvatar    bool
	HasHeader    bool
	RemoveAvatar bool
	RemoveHeader bool
}

func (s *Server) handleProfileList(w http.ResponseWriter, r *http.Request) {
	p := profilesPage{deskPage: s.deskPage(r, "Fediverse profiles", "profiles")}
	for _, lang := range s.cfg.Languages {
		pr, err := s.store.ActorProfile(r.Context(), lang)
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		sum := profileSummary{Lang: lang, LangName: serve.LangName(lang), Name: pr.DisplayName, Avatar: s.avatarURL(pr)}
		sum.Custom = pr.DisplayName != "" || pr.Bio != "" || pr.Avatar != "" || pr.Header != "" || len(pr.Fields) > 0
		if sum.Name == "" {
			sum.Name = s.defaultActorName(lang)
		}
		p.Profiles = append(p.Profiles, sum)
	}
	s.render(w, r, http.StatusOK, "profiles.html", p)
}

func (s *Server) handleProfileEdit(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if !s.hasLang(lang) {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	pr, err := s.store.ActorProfile(r.Context(), lang)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	form := profileForm{DisplayName: pr.DisplayName, Bio: pr.Bio, Fields: pr.Fields, HasAvatar: pr.Avatar != "", HasHeader: pr.Header != ""}
	s.renderProfile(w, r, http.StatusOK, pr, form, nil)
}

func (s *Server) renderProfile(w http.ResponseWriter, r *http.Request, status int, pr *content.ActorProfile, form profileForm, errs formErrors) {
	for len(form.Fields) < content.MaxProfileFields {
		form.Fields = append(form.Fields, content.ProfileField{})
	}
	p := profilePage{
		deskPage:    s.deskPage(r, "Fediverse profile · "+serve.LangName(pr.Lang), "profiles"),
		Lang:        pr.Lang,
		LangName:    serve.LangName(pr.Lang),
		Handle:      "@" + pr.Lang + "@" + s.cfg.BaseURL.Host,
		DefaultName: s.defaultActorName(pr.Lang),
		Form:        form,
		AvatarURL:   s.avatarURL(pr),
		HeaderURL:   s.headerURL(pr),
		Errors:      errs,
	}
	s.render(w, r, status, "profile.html", p)
}

// handleProfileSave checks everything sent before anything is kept: a bad
// field or image shows the form again with what was typed, and changes
// nothing.
func (s *Server) handleProfileSave(w http.ResponseWriter, r *http.Request) {
	lang := chi.URLParam(r, "lang")
	if !s.hasLang(lang) {
		s.deskError(w, r, http.StatusNotFound, "")
		return
	}
	if err := parseDeskBody(w, r); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		s.deskError(w, r, http.StatusBadRequest, "")
		return
	}
	old, err := s.store.ActorProfile(r.Context(), lang)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	form := readProfileForm(r, old)
	p := &content.ActorProfile{Lang: lang, DisplayName: form.DisplayName, Bio: form.Bio, Avatar: old.Avatar, Header: old.Header,
		Fields: append([]content.ProfileField(nil), form.Fields...)}
	errs := formErrors{}
	if err := p.Validate(); err != nil {
		errs = fieldErrors(err)
	}
	if bad := badText(r); len(bad) > 0 {
		// What was typed comes back repaired (� for what is not text), so
		// that the person sees where, fixes it and saves again.
		form = readProfileForm(r, old)
		for _, f := range bad {
			errs[f] = "This field held characters that are not text (invalid UTF-8 or a zero byte), perhaps from a copy and paste. They are shown as � or were taken out: check the text and save again."
		}
	}
	status := http.StatusUnprocessableEntity
	type upload struct {
		field, ext string
		data       []byte
	}
	var uploads []upload
	for _, field := range []string{"avatar", "header"} {
		if r.MultipartForm == nil {
			break
		}
		if _, _, err := r.FormFile(field); errors.Is(err, http.ErrMissingFile) {
			continue
		}
		data, st, msg := readImageFile(r, field)
		if msg == "" {
			var ext string
			data, ext, err = reencodeImage(data)
			if err != nil {
				if fe := fieldErrors(err); fe != nil {
					msg = fe["cover"]
				} else {
					s.deskFail(w, r, err)
					return
				}
			} else {
				uploads = append(uploads, upload{field, ext, data})
			}
		}
		if msg != "" {
			errs[field] = msg
			if st == http.StatusRequestEntityTooLarge {
				status = st
			}
		}
	}
	if len(errs) > 0 {
		s.renderProfile(w, r, status, old, form, errs)
		return
	}

	if form.RemoveAvatar {
		p.Avatar = ""
	}
	if form.RemoveHeader {
		p.Header = ""
	}
	for _, u := range uploads {
		name, err := s.saveMedia(r.Context(), u.data, u.ext)
		if err != nil {
			s.deskFail(w, r, err)
			return
		}
		if u.field == "avatar" {
			p.Avatar = name
		} else {
			p.Header = name
		}
	}
	p.BioHTML = ""
	if p.Bio != "" {
		p.BioHTML = content.RenderMarkdown(lang, p.Bio)
	}
	staff := staffFrom(r.Context())
	if s.cfg.SaveProfile != nil {
		err = s.cfg.SaveProfile(r.Context(), staff.ID, p)
	} else {
		err = s.store.SaveActorProfile(r.Context(), staff.ID, p, nil)
	}
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	s.flash(r, "The "+serve.LangName(lang)+" profile is saved. Followers' servers are sent the change.")
	seeOther(w, r, "/desk/profiles/"+lang)
}

// readProfileForm reads the profile form as typed.
func readProfileForm(r *http.Request, old *content.ActorProfile) profileForm {
	form := profileForm{
		DisplayName:  r.PostFormValue("display_name"),
		Bio:          r.PostFormValue("bio"),
		HasAvatar:    old.Avatar != "",
		HasHeader:    old.Header != "",
		RemoveAvatar: r.PostFormValue("avatar_remove") != "",
		RemoveHeader: r.PostFormValue("header_remove") != "",
	}
	for i := 1; i <= content.MaxProfileFields; i++ {
		n := strconv.Itoa(i)
		form.Fields = append(form.Fields, content.ProfileField{Label: r.PostFormValue("field_label_" + n), Value: r.PostFormValue("field_value_" + n)})
	}
	return form
}

// badText repairs the request's form if it held text that is not text, and
// returns the names of those fields.
func badText(r *http.Request) []string {
	c, ok := formCheckFrom(r)
	if !ok || len(c.BadText) == 0 {
		return nil
	}
	serve.RepairForm(r)
	return c.BadText
}

// defaultActorName is the display name an actor has when editors set none
// (federation's languageActor).
func (s *Server) defaultActorName(lang string) string {
	return s.cfg.PublicationName + " (" + serve.LangName(lang) + ")"
}

// avatarURL is where the actor's avatar is served: the uploaded one, or the
// one generated for the language.
func (s *Server) avatarURL(p *content.ActorProfile) string {
	if p.Avatar != "" {
		return serve.MediaPath(p.Avatar)
	}
	return "/actors/" + p.Lang + "/icon.png"
}

func (s *Server) headerURL(p *content.ActorProfile) string {
	if p.Header != "" {
		return serve.MediaPath(p.Header)
	}
	return "/actors/" + p.Lang + "/header.png"
}
