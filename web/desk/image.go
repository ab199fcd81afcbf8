package desk

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"unicode/utf8"

	"samizdat/content/store"
	"samizdat/web/internal/serve"
)

// Images inside a story's text: uploaded from the translation's editor
// with the same limits and the same re-encoding as covers (cover.go), so
// that nothing but pixels is kept, stored with the other media and served
// by Samizdat; the text gets a Markdown image with the description the
// editor must give. With the editor's script the line goes into the text
// where the cursor is; without it, the page that follows says the line to
// paste.

// imageMarkdown is the Markdown of an image with its description: the
// characters that would end the description early are left out.
func imageMarkdown(alt, path string) string {
	alt = strings.Join(strings.Fields(strings.NewReplacer("[", "(", "]", ")", "\\", "/").Replace(alt)), " ")
	return "![" + alt + "](" + path + ")"
}

// handleTextImage stores an uploaded image for the text of a translation.
// A request from the script (X-Requested-With: editor.js) gets the
// Markdown line as plain text, or the problem with status 422; a plain
// form post goes back to the editor with the line in the message.
func (s *Server) handleTextImage(w http.ResponseWriter, r *http.Request) {
	st, lang, _, ok := s.deskTranslation(w, r)
	if !ok {
		return
	}
	script := r.Header.Get("X-Requested-With") == "editor.js"
	back := fmt.Sprintf("/desk/stories/%d/%s", st.ID, lang)
	fail := func(status int, msg string) {
		if script {
			http.Error(w, msg, status)
			return
		}
		s.flash(r, "The image was not added: "+msg)
		seeOther(w, r, back+"#text-image")
	}
	if err := parseDeskBody(w, r); err != nil && !errors.Is(err, http.ErrNotMultipart) {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			fail(http.StatusRequestEntityTooLarge, "the image is larger than 10 MB. Export it smaller, or as JPEG, and try again.")
			return
		}
		fail(http.StatusBadRequest, "the upload could not be read. Try again.")
		return
	}
	alt := strings.TrimSpace(r.PostFormValue("alt"))
	switch {
	case alt == "":
		fail(http.StatusUnprocessableEntity, "describe the image for readers who cannot see it (the description is required).")
		return
	case !utf8.ValidString(alt) || utf8.RuneCountInString(alt) > 1000:
		fail(http.StatusUnprocessableEntity, "keep the description to 1000 characters of plain text.")
		return
	}
	data, status, msg := readImageFile(r, "image")
	if msg != "" {
		if status == 0 {
			status = http.StatusUnprocessableEntity
		}
		fail(status, strings.ToLower(msg[:1])+msg[1:])
		return
	}
	out, ext, err := reencodeImage(data)
	if err != nil {
		if errs := fieldErrors(err); errs != nil {
			m := errs["cover"]
			fail(http.StatusUnprocessableEntity, strings.ToLower(m[:1])+m[1:])
			return
		}
		s.deskFail(w, r, err)
		return
	}
	name, err := s.saveMedia(r.Context(), out, ext)
	if err != nil {
		s.deskFail(w, r, err)
		return
	}
	target := fmt.Sprintf("story %d (%s)", st.ID, lang)
	if err := s.store.LogStaff(r.Context(), nil, staffFrom(r.Context()).ID, store.ActionTextImage, target, name); err != nil {
		s.deskFail(w, r, err)
		return
	}
	line := imageMarkdown(alt, serve.MediaPath(name))
	if script {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Write([]byte(line))
		return
	}
	s.flash(r, "The image is stored, without its metadata. Put this line in the text where it belongs, then save: "+line)
	seeOther(w, r, back)
}
