package content

import (
	"slices"
	"strings"
	"testing"
)

func TestStaff_Validate(t *testing.T) {
	t.Parallel()
	ok := func() Staff {
		return Staff{Email: "editor@demo.samizdat.test", DisplayName: "Demo Editor", Roles: []Role{RoleEditor}}
	}
	tests := []struct {
		name   string
		change func(*Staff)
		want   []string
	}{
		{"OK", func(*Staff) {}, nil},
		{"OK every role", func(s *Staff) { s.Roles = []Role{RoleAdmin, RoleEditor, RoleModerator} }, nil},
		{"OK trims", func(s *Staff) { s.Email, s.DisplayName = " editor@demo.samizdat.test ", " Demo " }, nil},
		{"OK localhost domain", func(s *Staff) { s.Email = "editor@samizdat.localhost" }, nil},
		{"ErrEmailMissing", func(s *Staff) { s.Email = "" }, []string{"email"}},
		{"ErrEmailNoAt", func(s *Staff) { s.Email = "editor" }, []string{"email"}},
		{"ErrEmailWithName", func(s *Staff) { s.Email = "Demo <editor@demo.samizdat.test>" }, []string{"email"}},
		{"ErrEmailTwo", func(s *Staff) { s.Email = "a@example.org, b@example.org" }, []string{"email"}},
		{"ErrNameMissing", func(s *Staff) { s.DisplayName = "  " }, []string{"display_name"}},
		{"ErrRolesMissing", func(s *Staff) { s.Roles = nil }, []string{"roles"}},
		{"ErrRoleUnknown", func(s *Staff) { s.Roles = []Role{RoleEditor, "owner"} }, []string{"roles"}},
		{"ErrEverything", func(s *Staff) { *s = Staff{} }, []string{"display_name", "email", "roles"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := ok()
			tt.change(&s)
			if got := fields(t, s.Validate()); !slices.Equal(got, tt.want) {
				t.Errorf("invalid fields = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestStaff_Has(t *testing.T) {
	t.Parallel()
	s := &Staff{Roles: []Role{RoleEditor, RoleModerator}}
	if !s.Has(RoleEditor) || !s.Has(RoleModerator) || s.Has(RoleAdmin) {
		t.Errorf("Has is wrong for roles %v", s.Roles)
	}
}

func TestSubmission_Validate(t *testing.T) {
	t.Parallel()
	story := "My grandmother kept every letter my uncle sent from the front."
	tests := []struct {
		name string
		sub  Submission
		want map[string]string
	}{
		{"OK", Submission{Lang: "en", Story: story}, nil},
		{"OK with name and contact", Submission{Lang: "ru", Story: story, Name: "Лиса", Contact: "@lisa@example.social"}, nil},
		{"OK limits", Submission{Story: strings.Repeat("ж", 50_000), Name: strings.Repeat("ж", 100), Contact: strings.Repeat("ж", 200)}, nil},
		{"ErrStoryMissing", Submission{}, map[string]string{"story": "story_too_short"}},
		{"ErrStoryShortAfterTrim", Submission{Story: "   too short      "}, map[string]string{"story": "story_too_short"}},
		{"ErrStoryTooLong", Submission{Story: strings.Repeat("ж", 50_001)}, map[string]string{"story": "story_too_long"}},
		{"ErrNameTooLong", Submission{Story: story, Name: strings.Repeat("ж", 101)}, map[string]string{"name": "name_too_long"}},
		{"ErrContactTooLong", Submission{Story: story, Contact: strings.Repeat("ж", 201)}, map[string]string{"contact": "contact_too_long"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.sub.Validate()
			var got map[string]string
			if err != nil {
				got = err.(*ValidationError).Fields
			}
			if len(got) != len(tt.want) {
				t.Fatalf("Validate() = %v, want fields %v", err, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("field %s = %q, want %q (the interface translates the key)", k, got[k], v)
				}
			}
		})
	}
}

func TestSubmission_ValidateTrims(t *testing.T) {
	t.Parallel()
	s := Submission{Story: "  A story long enough to keep.  ", Name: " Lisa ", Contact: " lisa@example.org "}
	if err := s.Validate(); err != nil {
		t.Fatal(err)
	}
	if s.Story != "A story long enough to keep." || s.Name != "Lisa" || s.Contact != "lisa@example.org" {
		t.Errorf("not trimmed: %+v", s)
	}
}

func TestValidationError(t *testing.T) {
	t.Parallel()
	var nilErr *ValidationError
	if nilErr.Err() != nil {
		t.Error("nil ValidationError.Err() != nil")
	}
	var v ValidationError
	if v.Err() != nil {
		t.Error("empty ValidationError.Err() != nil")
	}
	v.Add("title", "first")
	v.Add("title", "second")
	v.Add("slug", "bad")
	if v.Fields["title"] != "first" {
		t.Errorf("the first message should win, got %q", v.Fields["title"])
	}
	if got, want := v.Err().Error(), "content: invalid: slug: bad; title: first"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
}
