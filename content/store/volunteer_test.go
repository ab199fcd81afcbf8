package store_test

import (
	"errors"
	"testing"
	"time"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
)

func TestStore_IntakeRetention(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	s := storetest.New(t).WithClock(func() time.Time { return now })
	ctx := t.Context()
	ed := &content.Staff{Email: "vera@example.org", DisplayName: "Vera", PasswordHash: "x", Roles: []content.Role{content.RoleEditor}}
	if err := s.CreateStaff(ctx, ed); err != nil {
		t.Fatal(err)
	}
	old := &content.Volunteer{Lang: "en", Roles: []string{"writer"}, Message: "I write short stories.", Contact: "old@example.org"}
	oldSub := &content.Submission{Lang: "en", Story: "An old story told in a few sentences."}
	if err := s.CreateVolunteer(ctx, old); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSubmission(ctx, oldSub); err != nil {
		t.Fatal(err)
	}
	now = now.AddDate(0, 0, 100)
	fresh := &content.Volunteer{Lang: "fr", Roles: []string{"translator"}, LangPairs: "ru → fr", Message: "Je traduis.", Contact: "new@example.org"}
	if err := s.CreateVolunteer(ctx, fresh); err != nil {
		t.Fatal(err)
	}
	if days, err := s.RetentionDays(ctx); err != nil || days != content.DefaultRetentionDays {
		t.Fatalf("RetentionDays = %d, %v; want the default", days, err)
	}
	if subs, vols, err := s.DeleteExpiredIntake(ctx); err != nil || subs+vols != 0 {
		t.Fatalf("deleted %d, %d, %v within 180 days", subs, vols, err)
	}
	if err := s.SetRetentionDays(ctx, ed.ID, 0); err == nil {
		t.Error("a retention of 0 days accepted")
	}
	if err := s.SetRetentionDays(ctx, ed.ID, 90); err != nil {
		t.Fatal(err)
	}
	subs, vols, err := s.DeleteExpiredIntake(ctx)
	if err != nil || subs != 1 || vols != 1 {
		t.Fatalf("deleted %d submissions, %d offers, %v; want 1, 1", subs, vols, err)
	}
	if _, err := s.Volunteer(ctx, fresh.ID); err != nil {
		t.Errorf("the fresh offer went too: %v", err)
	}

	// Archive, bring back and delete, each logged.
	if err := s.SetIntake(ctx, ed.ID, store.IntakeVolunteer, fresh.ID, "archive"); err != nil {
		t.Fatal(err)
	}
	if vs, _ := s.Volunteers(ctx, true, 10, 0); len(vs) != 1 || vs[0].Archived.IsZero() {
		t.Errorf("archived offers %v", vs)
	}
	if vs, _ := s.Volunteers(ctx, false, 10, 0); len(vs) != 0 {
		t.Errorf("the archived offer is still listed: %v", vs)
	}
	if err := s.SetIntake(ctx, ed.ID, store.IntakeVolunteer, fresh.ID, "delete"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetIntake(ctx, ed.ID, store.IntakeVolunteer, fresh.ID, "delete"); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("deleting again: %v, want ErrNotFound", err)
	}
	log, err := s.AuditLog(ctx, store.AuditFilter{StaffID: ed.ID})
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range log {
		actions = append(actions, e.Action)
	}
	if len(actions) != 3 || actions[0] != "volunteer.delete" || actions[1] != "volunteer.archive" || actions[2] != "settings.retention" {
		t.Errorf("logged %v", actions)
	}
}
