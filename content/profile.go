package content

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits of a language actor's profile. Mastodon shows four fields and
// keeps 255 characters of each name and value; a bio is Markdown, of which
// Mastodon shows the HTML as the account's note.
const (
	MaxProfileFields      = 4
	maxProfileNameRunes   = 100
	maxProfileBioRunes    = 5000
	maxProfileFieldRunes  = 255
	maxProfileFieldLabels = 255
)

// ActorProfile is what editors set of a language actor's fediverse profile.
// An empty string or an empty list keeps the built-in value.
type ActorProfile struct {
	Lang        string
	DisplayName string
	Bio         string // Markdown
	BioHTML     string // what RenderMarkdown made of Bio: the actor's summary
	Avatar      string // a file of the media store, or ""
	Header      string // a file of the media store, or ""
	Fields      []ProfileField
	UpdatedAt   time.Time
}

// ProfileField is one of a profile's label and value pairs.
type ProfileField struct {
	Label string `json:"label"`
	Value string `json:"value"`
}

// Link returns the value as an absolute http or https address when it is
// one, or "".
func (f ProfileField) Link() string {
	v := strings.TrimSpace(f.Value)
	u, err := url.Parse(v)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || strings.ContainsAny(v, " \t\n") {
		return ""
	}
	return u.String()
}

// Validate checks the profile's text. Fields left wholly empty are dropped;
// a field needs both a label and a value.
func (p *ActorProfile) Validate() error {
	var errs ValidationError
	p.DisplayName = strings.TrimSpace(p.DisplayName)
	switch {
	case utf8.RuneCountInString(p.DisplayName) > maxProfileNameRunes:
		errs.Add("display_name", "Keep the display name under "+strconv.Itoa(maxProfileNameRunes)+" characters.")
	case strings.ContainsAny(p.DisplayName, "\r\n"):
		errs.Add("display_name", "The display name must be a single line.")
	}
	if utf8.RuneCountInString(p.Bio) > maxProfileBioRunes {
		errs.Add("bio", "Keep the bio under "+strconv.Itoa(maxProfileBioRunes)+" characters; it has "+strconv.Itoa(utf8.RuneCountInString(p.Bio))+".")
	}
	if len(p.Fields) > MaxProfileFields {
		errs.Add("fields", "A profile has at most "+strconv.Itoa(MaxProfileFields)+" fields.")
	}
	var kept []ProfileField
	for i, f := range p.Fields {
		f.Label, f.Value = strings.TrimSpace(f.Label), strings.TrimSpace(f.Value)
		n := strconv.Itoa(i + 1)
		switch {
		case f.Label == "" && f.Value == "":
			continue
		case f.Label == "":
			errs.Add("field_label_"+n, "Give field "+n+" a label.")
		case f.Value == "":
			errs.Add("field_value_"+n, "Give field "+n+" a value, or empty its label.")
		}
		if utf8.RuneCountInString(f.Label) > maxProfileFieldLabels || strings.ContainsAny(f.Label, "\r\n") {
			errs.Add("field_label_"+n, "The label of field "+n+" must be one line of at most "+strconv.Itoa(maxProfileFieldLabels)+" characters.")
		}
		if utf8.RuneCountInString(f.Value) > maxProfileFieldRunes || strings.ContainsAny(f.Value, "\r\n") {
			errs.Add("field_value_"+n, "The value of field "+n+" must be one line of at most "+strconv.Itoa(maxProfileFieldRunes)+" characters.")
		}
		kept = append(kept, f)
	}
	if err := errs.Err(); err != nil {
		return err
	}
	p.Fields = kept
	return nil
}
