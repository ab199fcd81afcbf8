package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestStore_LogStaff(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	c := newClock()
	s = s.WithClock(c.now)
	ctx := t.Context()
	ed := newStaff(t, s, "ed@example.org", "Ed", content.RoleEditor)
	mo := newStaff(t, s, "mo@example.org", "Mo", content.RoleModerator)
	c.add(time.Second)
	start := c.now()

	if err := s.LogStaff(ctx, nil, ed.ID, store.ActionLogin, "", ""); err != nil {
		t.Fatal(err)
	}
	c.add(time.Second)
	err := pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
		return s.LogStaff(ctx, tx, ed.ID, store.ActionPublish, "story 7 en", "first publication")
	})
	if err != nil {
		t.Fatal(err)
	}
	c.add(time.Second)
	if _, err := s.Block(ctx, mo.ID, store.BlockInstance, "bad.example", "raid"); err != nil {
		t.Fatal(err)
	}

	t.Run("RolledBack", func(t *testing.T) {
		// A line written in a transaction that fails is not in the log.
		_ = pgx.BeginFunc(ctx, s.Pool(), func(tx pgx.Tx) error {
			if err := s.LogStaff(ctx, tx, ed.ID, store.ActionWithdraw, "story 7 en", ""); err != nil {
				t.Fatal(err)
			}
			return context.Canceled
		})
		got, err := s.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionWithdraw}})
		if err != nil || len(got) != 0 {
			t.Errorf("withdrawals = %v, %v; want none", got, err)
		}
	})
	t.Run("All", func(t *testing.T) {
		got, err := s.AuditLog(ctx, store.AuditFilter{Since: start})
		if err != nil {
			t.Fatal(err)
		}
		if acts := actions(got); !slices.Equal(acts, []string{"Mo block", "Ed publish", "Ed login"}) {
			t.Errorf("log = %q", acts)
		}
		if e := got[1]; e.Target != "story 7 en" || e.Reason != "first publication" || !e.CreatedAt.Equal(c.at(-time.Second)) {
			t.Errorf("publish = %+v", e)
		}
	})
	t.Run("ByStaff", func(t *testing.T) {
		got, err := s.AuditLog(ctx, store.AuditFilter{StaffID: ed.ID})
		if acts := actions(got); err != nil || !slices.Equal(acts, []string{"Ed publish", "Ed login"}) {
			t.Errorf("Ed's = %q, %v", acts, err)
		}
	})
	t.Run("Paged", func(t *testing.T) {
		got, err := s.AuditLog(ctx, store.AuditFilter{Since: start, Limit: 1, Offset: 1})
		if acts := actions(got); err != nil || !slices.Equal(acts, []string{"Ed publish"}) {
			t.Errorf("second page = %q, %v", acts, err)
		}
	})
	t.Run("ModerationLog", func(t *testing.T) {
		got, err := s.ModerationLog(ctx, 10, 0)
		if acts := actions(got); err != nil || !slices.Equal(acts, []string{"Mo block"}) {
			t.Errorf("moderation log = %q, %v", acts, err)
		}
	})
	t.Run("Actions", func(t *testing.T) {
		got, err := s.AuditActions(ctx)
		if err != nil || !slices.Equal(got, []string{"block", "login", "publish", "staff_create"}) {
			t.Errorf("actions = %q, %v", got, err)
		}
	})
}

// A deleted member's lines keep their name.
func TestStore_LogStaff_DeletedStaff(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ctx := t.Context()
	gone := newStaff(t, s, "gone@example.org", "Gone", content.RoleEditor)
	if err := s.LogStaff(ctx, nil, gone.ID, store.ActionLogin, "", ""); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Pool().Exec(ctx, `DELETE FROM staff WHERE id = $1`, gone.ID); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditLog(ctx, store.AuditFilter{Actions: []string{store.ActionLogin}})
	if err != nil || len(got) != 1 || got[0].StaffName != "Gone" || got[0].StaffID != 0 {
		t.Errorf("log = %+v, %v; want Gone's login", got, err)
	}
}

// actions returns "name action" for each entry.
func actions(entries []*content.LogEntry) []string {
	var out []string
	for _, e := range entries {
		out = append(out, e.StaffName+" "+e.Action)
	}
	return out
}

// The store's writes done under store.WithStaff are logged as that member's,
// in their transaction; without it, as the program's.
func TestStore_WithStaff(t *testing.T) {
	t.Parallel()
	s := storetest.New(t)
	ed := newStaff(t, s, "ed@example.org", "Ed", content.RoleEditor)
	ctx := store.WithStaff(t.Context(), ed.ID)
	st := &content.Story{BylineKind: content.BylinePublication}
	tr := &content.Translation{Lang: "en", Title: "Night train", Teaser: "A teaser.", BodyMarkdown: "Text."}
	if err := s.CreateStoryWithTranslation(ctx, st, tr); err != nil {
		t.Fatal(err)
	}
	st.CoverImage = "cover.webp"
	st.Pinned = true
	if err := s.UpdateStory(ctx, st); err != nil {
		t.Fatal(err)
	}
	tr.Title = "Night train to Lviv"
	if err := s.SaveTranslation(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := s.SetTranslationState(t.Context(), tr.ID, content.StatePublished, time.Time{}); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditLog(t.Context(), store.AuditFilter{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Samizdat publish", "Ed story_edit", "Ed pin", "Ed cover", "Ed story_create", " staff_create"}
	var lines []string
	for _, e := range got {
		name := e.StaffName
		if e.StaffID == 0 && e.Action != store.ActionStaffCreate {
			name = "Samizdat"
		}
		lines = append(lines, name+" "+e.Action)
	}
	if !slices.Equal(lines, want) {
		t.Errorf("log = %q, want %q", lines, want)
	}
}
