package content

import (
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// VolunteerRoles are the roles "Join the team" offers, in the form's order.
var VolunteerRoles = []string{"writer", "editor", "translator", "social", "fundraising", "other"}

// Volunteer is an offer to help sent through "Join the team". Like a
// submission it keeps only what the sender typed.
type Volunteer struct {
	ID        int64
	Lang      string   // the language of the page it was sent from
	Roles     []string // among VolunteerRoles
	LangPairs string   // for translators: "ru → en, uk → fr"
	Message   string
	Contact   string // required: without it nobody can answer
	ReadAt    time.Time
	Archived  time.Time
	CreatedAt time.Time
}

// DefaultRetentionDays is how long submissions and volunteer offers are
// kept when the desk has not set another period.
const DefaultRetentionDays = 180

// Validate checks an offer as the form sends it. Its messages are keys of
// the public interface's translations.
func (v *Volunteer) Validate() error {
	var e ValidationError
	v.Message = strings.TrimSpace(v.Message)
	v.Contact = strings.TrimSpace(v.Contact)
	v.LangPairs = strings.TrimSpace(v.LangPairs)
	var roles []string
	for _, r := range VolunteerRoles { // known roles only, in a fixed order, once each
		if slices.Contains(v.Roles, r) {
			roles = append(roles, r)
		}
	}
	v.Roles = roles
	if len(v.Roles) == 0 {
		e.Add("roles", "roles_required")
	}
	if slices.Contains(v.Roles, "translator") && v.LangPairs == "" {
		e.Add("lang_pairs", "lang_pairs_required")
	}
	if utf8.RuneCountInString(v.LangPairs) > 200 {
		e.Add("lang_pairs", "lang_pairs_too_long")
	}
	switch n := utf8.RuneCountInString(v.Message); {
	case n < 10:
		e.Add("message", "message_too_short")
	case n > 10_000:
		e.Add("message", "message_too_long")
	}
	switch n := utf8.RuneCountInString(v.Contact); {
	case n == 0:
		e.Add("contact", "contact_required")
	case n > 200:
		e.Add("contact", "contact_too_long")
	}
	return e.Err()
}
