package content

import (
	"net/url"
	"strings"
	"unicode/utf8"
)

// TeamMember is one person of the team page. An anonymous member is shown
// by their role alone: no name, no photo, no link.
type TeamMember struct {
	ID        int64
	Position  int
	Name      string // a name or a pseudonym; may stay empty when anonymous
	Anonymous bool
	Roles     map[string]string // the role in each language
	Photo     string            // file name in the media directory, re-encoded; "" for none
	Link      string            // optional https:// address
}

// Validate reports what is wrong with a member, field by field.
func (m *TeamMember) Validate() error {
	var v ValidationError
	fields := map[string]string{"name": m.Name, "link": m.Link}
	for lang, role := range m.Roles {
		fields["role_"+lang] = role
	}
	checkText(&v, fields)
	m.Name = strings.TrimSpace(m.Name)
	switch n := utf8.RuneCountInString(m.Name); {
	case n == 0 && !m.Anonymous:
		v.Add("name", "Give a name or a pseudonym, or mark the member anonymous.")
	case n > 100:
		v.Add("name", "Keep the name under 100 characters.")
	}
	if m.Link != "" {
		u, err := url.Parse(m.Link)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(m.Link) > 2000 {
			v.Add("link", "Give a full address starting with https://, or leave it empty.")
		}
	}
	any := false
	for lang, role := range m.Roles {
		if utf8.RuneCountInString(role) > 100 {
			v.Add("role_"+lang, "Keep the role under 100 characters.")
		}
		any = any || strings.TrimSpace(role) != ""
	}
	if !any {
		v.Add("roles", "Give the member's role in at least one language.")
	}
	return v.Err()
}
