package mail

import (
	"bytes"
	"fmt"
	htmltemplate "html/template"
	"strings"
	texttemplate "text/template"
)

// What a mail says, in the reader's language; English where a table lacks a
// key. The wording stays plain: no images, no tracking, nothing remote.
var messages = map[string]map[string]string{
	"en": {
		"confirm.subject": "Confirm your subscription to %s",
		"confirm.text":    "Someone, probably you, asked to receive new stories from %s by e-mail. To confirm, open this link within 48 hours and press the button:",
		"confirm.ignore":  "If it was not you, ignore this mail: without confirmation nothing more will be sent, and the address is deleted after 48 hours.",
		"confirm.button":  "Confirm my subscription",
		"story.read":      "Read the story",
		"digest.read":     "Read",
		"unsubscribe":     "Unsubscribe (one click, your address is deleted)",
		"why":             "You receive this because you subscribed to the newsletter of %s.",
	},
	"ru": {
		"confirm.subject": "Подтвердите подписку на %s",
		"confirm.text":    "Кто-то, вероятно вы, попросил присылать новые истории %s по электронной почте. Чтобы подтвердить, откройте эту ссылку в течение 48 часов и нажмите кнопку:",
		"confirm.ignore":  "Если это были не вы, просто не обращайте внимания на это письмо: без подтверждения больше ничего не придёт, а адрес будет удалён через 48 часов.",
		"confirm.button":  "Подтвердить подписку",
		"story.read":      "Читать историю",
		"digest.read":     "Читать",
		"unsubscribe":     "Отписаться (в один клик, адрес будет удалён)",
		"why":             "Вы получили это письмо, потому что подписались на рассылку %s.",
	},
	"fr": {
		"confirm.subject": "Confirmez votre abonnement à %s",
		"confirm.text":    "Quelqu’un, sans doute vous, a demandé à recevoir par e-mail les nouvelles histoires de %s. Pour confirmer, ouvrez ce lien dans les 48 heures et appuyez sur le bouton :",
		"confirm.ignore":  "Si ce n’était pas vous, ignorez ce message : sans confirmation, rien d’autre ne sera envoyé et l’adresse sera effacée après 48 heures.",
		"confirm.button":  "Confirmer mon abonnement",
		"story.read":      "Lire l’histoire",
		"digest.read":     "Lire",
		"unsubscribe":     "Se désabonner (en un clic, votre adresse est effacée)",
		"why":             "Vous recevez ce message parce que vous êtes abonné·e à la lettre de %s.",
	},
}

// t translates key into lang.
func t(lang, key string, args ...any) string {
	msg, ok := messages[lang][key]
	if !ok {
		msg = messages["en"][key]
	}
	if len(args) > 0 {
		return fmt.Sprintf(msg, args...)
	}
	return msg
}

// item is one story in a mail.
type item struct {
	Title, Teaser, URL string
}

// body is what the templates of a mail get.
type body struct {
	Lang        string
	Publication string
	Intro       string // paragraphs separated by blank lines
	Link        string // the confirmation link
	Items       []item
	Unsubscribe string
}

func (b body) T(key string, args ...any) string { return t(b.Lang, key, args...) }

// Paragraphs splits Intro at blank lines.
func (b body) Paragraphs() []string {
	var out []string
	for _, p := range strings.Split(strings.ReplaceAll(b.Intro, "\r\n", "\n"), "\n\n") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

var textTmpl = texttemplate.Must(texttemplate.New("text").Parse(`{{if .Link}}{{.T "confirm.text" .Publication}}

{{.Link}}

{{.T "confirm.ignore"}}
{{else}}{{range .Paragraphs}}{{.}}

{{end}}{{range .Items}}{{.Title}}

{{.Teaser}}

{{if eq (len $.Items) 1}}{{$.T "story.read"}}{{else}}{{$.T "digest.read"}}{{end}}: {{.URL}}

{{end}}-- 
{{.T "why" .Publication}}
{{.T "unsubscribe"}}: {{.Unsubscribe}}
{{end}}`))

var htmlTmpl = htmltemplate.Must(htmltemplate.New("html").Parse(`<!doctype html>
<html lang="{{.Lang}}"><head><meta charset="utf-8"><title>{{.Publication}}</title></head>
<body style="font-family: Georgia, serif; max-width: 36em; margin: 1em auto; padding: 0 1em; line-height: 1.5">
{{if .Link}}<p>{{.T "confirm.text" .Publication}}</p>
<p><a href="{{.Link}}">{{.T "confirm.button"}}</a></p>
<p>{{.T "confirm.ignore"}}</p>
{{else}}{{range .Paragraphs}}<p>{{.}}</p>
{{end}}{{range .Items}}<h2 style="font-size: 1.3em"><a href="{{.URL}}">{{.Title}}</a></h2>
<p>{{.Teaser}}</p>
<p><a href="{{.URL}}">{{if eq (len $.Items) 1}}{{$.T "story.read"}}{{else}}{{$.T "digest.read"}}{{end}}</a></p>
{{end}}<hr>
<p style="font-size: 0.9em">{{.T "why" .Publication}}<br><a href="{{.Unsubscribe}}">{{.T "unsubscribe"}}</a></p>
{{end}}</body></html>
`))

// render fills m's parts from b.
func render(m *Message, b body) error {
	var text, html bytes.Buffer
	if err := textTmpl.Execute(&text, b); err != nil {
		return fmt.Errorf("mail: text part: %w", err)
	}
	if err := htmlTmpl.Execute(&html, b); err != nil {
		return fmt.Errorf("mail: html part: %w", err)
	}
	m.Text, m.HTML = text.String(), html.String()
	return nil
}
