package store_test

import (
	"errors"
	"slices"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func newStaff(t *testing.T, s *store.Store, email, name string, roles ...content.Role) *content.Staff {
	t.Helper()
	m := &content.Staff{Email: email, DisplayName: name, PasswordHash: "$argon2id$v=19$m=65536,t=3,p=2$c2FsdA$a2V5", Roles: roles}
	if err := s.CreateStaff(t.Context(), m); err != nil {
		t.Fatalf("CreateStaff %s: %v", email, err)
	}
	return m
}

func TestStore_CreateStaff(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	m := newStaff(t, s, "Olga@Example.org", "Olga", content.RoleEditor, content.RoleModerator)

	t.Run("OK", func(t *testing.T) {
		if m.ID == 0 || m.CreatedAt.IsZero() {
			t.Fatalf("not filled in: %+v", m)
		}
		got, err := s.StaffMember(t.Context(), m.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.Email != "Olga@Example.org" || got.DisplayName != "Olga" || got.PasswordHash != m.PasswordHash ||
			!slices.Equal(got.Roles, []content.Role{content.RoleEditor, content.RoleModerator}) {
			t.Errorf("got %+v", got)
		}
	})
	t.Run("ErrConflict same email in another case", func(t *testing.T) {
		dup := &content.Staff{Email: "olga@example.ORG", DisplayName: "Other Olga", PasswordHash: "x", Roles: []content.Role{content.RoleAdmin}}
		if err := s.CreateStaff(t.Context(), dup); !errors.Is(err, content.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		bad := &content.Staff{Email: "not an address", PasswordHash: "x", Roles: []content.Role{"owner"}}
		f := invalidFields(t, s.CreateStaff(t.Context(), bad))
		if f["email"] == "" || f["display_name"] == "" || f["roles"] == "" {
			t.Errorf("fields = %v", f)
		}
	})
	t.Run("ErrNoPassword", func(t *testing.T) {
		bad := &content.Staff{Email: "nopass@example.org", DisplayName: "No password", Roles: []content.Role{content.RoleEditor}}
		if f := invalidFields(t, s.CreateStaff(t.Context(), bad)); f["password"] == "" {
			t.Errorf("fields = %v, want password", f)
		}
	})
}

func TestStore_StaffLookups(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	zoe := newStaff(t, s, "zoe@example.org", "Zoé", content.RoleAdmin)
	anna := newStaff(t, s, "anna@example.org", "Anna", content.RoleModerator)

	t.Run("By email ignores case", func(t *testing.T) {
		got, err := s.StaffByEmail(t.Context(), "ZOE@example.org")
		if err != nil || got.ID != zoe.ID {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("By id", func(t *testing.T) {
		got, err := s.StaffMember(t.Context(), anna.ID)
		if err != nil || got.Email != "anna@example.org" {
			t.Errorf("got %v, %v", got, err)
		}
	})
	t.Run("List by name", func(t *testing.T) {
		list, err := s.StaffList(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		if len(list) != 2 || list[0].ID != anna.ID || list[1].ID != zoe.ID {
			t.Errorf("got %v", list)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if _, err := s.StaffByEmail(t.Context(), "nobody@example.org"); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("StaffByEmail: got %v", err)
		}
		if _, err := s.StaffMember(t.Context(), 999999); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("StaffMember: got %v", err)
		}
	})
}

func TestStore_UpdateStaff(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	m := newStaff(t, s, "olga@example.org", "Olga", content.RoleEditor)
	other := newStaff(t, s, "anna@example.org", "Anna", content.RoleEditor)

	t.Run("OK", func(t *testing.T) {
		m.Email, m.DisplayName, m.PasswordHash = "olga.p@example.org", "Olga P.", "new-hash"
		m.Roles = []content.Role{content.RoleAdmin, content.RoleEditor}
		if err := s.UpdateStaff(t.Context(), m); err != nil {
			t.Fatal(err)
		}
		got, err := s.StaffByEmail(t.Context(), "olga.p@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != m.ID || got.DisplayName != "Olga P." || got.PasswordHash != "new-hash" || !got.Has(content.RoleAdmin) {
			t.Errorf("got %+v", got)
		}
		if !got.CreatedAt.Equal(m.CreatedAt) {
			t.Errorf("CreatedAt changed")
		}
	})
	t.Run("ErrConflict", func(t *testing.T) {
		dup := *m
		dup.Email = "ANNA@example.org"
		if err := s.UpdateStaff(t.Context(), &dup); !errors.Is(err, content.ErrConflict) {
			t.Errorf("got %v, want ErrConflict", err)
		}
		if got, _ := s.StaffMember(t.Context(), other.ID); got.Email != "anna@example.org" {
			t.Errorf("other changed: %+v", got)
		}
	})
	t.Run("ErrValidation", func(t *testing.T) {
		bad := *m
		bad.Roles = nil
		if f := invalidFields(t, s.UpdateStaff(t.Context(), &bad)); f["roles"] == "" {
			t.Errorf("fields = %v", f)
		}
		bad = *m
		bad.PasswordHash = ""
		if f := invalidFields(t, s.UpdateStaff(t.Context(), &bad)); f["password"] == "" {
			t.Errorf("fields = %v, want password", f)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		gone := &content.Staff{ID: 999999, Email: "gone@example.org", DisplayName: "Gone", PasswordHash: "x", Roles: []content.Role{content.RoleEditor}}
		if err := s.UpdateStaff(t.Context(), gone); !errors.Is(err, content.ErrNotFound) {
			t.Errorf("got %v, want ErrNotFound", err)
		}
	})
}
