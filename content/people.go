package content

import (
	"net/mail"
	"slices"
	"strings"
	"time"
	"unicode/utf8"
)

// Role is a staff permission. One person may hold several.
type Role string

// The staff roles: admins manage staff and settings, editors write and publish,
// moderators curate the dialogue and read submissions.
const (
	RoleAdmin     Role = "admin"
	RoleEditor    Role = "editor"
	RoleModerator Role = "moderator"
)

// Roles lists every role.
var Roles = []Role{RoleAdmin, RoleEditor, RoleModerator}

// Staff is a person who works on the publication.
type Staff struct {
	ID           int64
	Email        string
	DisplayName  string
	PasswordHash string
	Roles        []Role
	CreatedAt    time.Time
	DisabledAt   time.Time // zero while the account may sign in
	TOTPSecret   string    // base32; "" without a second factor
}

// Disabled reports whether the account may no longer sign in.
func (s *Staff) Disabled() bool { return !s.DisabledAt.IsZero() }

// HasTOTP reports whether the member signs in with a second factor.
func (s *Staff) HasTOTP() bool { return s.TOTPSecret != "" }

// Has reports whether the staff member holds role.
func (s *Staff) Has(role Role) bool { return slices.Contains(s.Roles, role) }

// Validate checks a staff member's fields.
func (s *Staff) Validate() error {
	var v ValidationError
	s.Email = strings.TrimSpace(s.Email)
	s.DisplayName = strings.TrimSpace(s.DisplayName)
	if a, err := mail.ParseAddress(s.Email); err != nil || a.Address != s.Email {
		v.Add("email", "Give a valid email address.")
	}
	if s.DisplayName == "" {
		v.Add("display_name", "Give a display name.")
	}
	if len(s.Roles) == 0 {
		v.Add("roles", "Give at least one role.")
	}
	for _, r := range s.Roles {
		if !slices.Contains(Roles, r) {
			v.Add("roles", "Unknown role "+string(r)+".")
		}
	}
	return v.Err()
}

// PageSlugs are the static pages the demo loads in every language; the
// editors add others and may rename these.
var PageSlugs = []string{"about", "team", "stance", "privacy"}

// Submission is a story sent through "Tell your story". It keeps only what the
// sender typed: no address, no browser, nothing else.
type Submission struct {
	ID        int64
	Lang      string
	Story     string
	Name      string // optional name or pseudonym
	Contact   string // optional way to reach the sender
	ReadAt    time.Time
	Archived  time.Time // when staff archived it; zero otherwise
	CreatedAt time.Time
}

// Validate checks a submission as the form sends it. Its messages are keys
// of the public interface's translations, since the sender reads them.
func (s *Submission) Validate() error {
	var v ValidationError
	s.Story = strings.TrimSpace(s.Story)
	s.Name = strings.TrimSpace(s.Name)
	s.Contact = strings.TrimSpace(s.Contact)
	switch n := utf8.RuneCountInString(s.Story); {
	case n < 20:
		v.Add("story", "story_too_short")
	case n > 50_000:
		v.Add("story", "story_too_long")
	}
	if utf8.RuneCountInString(s.Name) > 100 {
		v.Add("name", "name_too_long")
	}
	if utf8.RuneCountInString(s.Contact) > 200 {
		v.Add("contact", "contact_too_long")
	}
	return v.Err()
}
