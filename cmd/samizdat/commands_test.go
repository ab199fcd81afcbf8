package main

import (
	"bytes"
	"errors"
	"flag"
	"strings"
	"testing"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/content/store/storetest"
	"samizdat/web/desk"
)

func TestRun_UsageAndHelp(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	if err := run(t.Context(), nil, env(nil), nil, &out, &errOut); err == nil || !strings.Contains(errOut.String(), "samizdat serve") {
		t.Errorf("no command: err=%v, stderr=%q; want an error and the usage", err, errOut.String())
	}
	if err := run(t.Context(), []string{"frobnicate"}, env(nil), nil, &out, &errOut); err == nil || !strings.Contains(err.Error(), "frobnicate") {
		t.Errorf("unknown command: err=%v", err)
	}
	for _, args := range [][]string{{"serve", "--help"}, {"migrate", "--help"}, {"demo", "--help"}, {"user", "add", "--help"}} {
		errOut.Reset()
		err := run(t.Context(), args, env(nil), nil, &out, &errOut)
		if !errors.Is(err, flag.ErrHelp) || !strings.Contains(errOut.String(), "Usage: samizdat") {
			t.Errorf("%v: err=%v, stderr=%q; want flag.ErrHelp and a usage text", args, err, errOut.String())
		}
	}
}

func TestRun_ConfigErrorsBeforeTouchingTheDatabase(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	err := run(t.Context(), []string{"migrate"}, env(map[string]string{"LANGUAGES": "en_US"}), nil, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "DATABASE_URL") || !strings.Contains(err.Error(), "en_us") {
		t.Errorf("got %v; want both problems reported", err)
	}
}

func TestRun_UserAdd(t *testing.T) {
	t.Parallel()
	getenv := env(map[string]string{"DATABASE_URL": storetest.NewURL(t)})
	var out, errOut bytes.Buffer

	t.Run("PasswordFromStdin", func(t *testing.T) {
		err := run(t.Context(), []string{"user", "add", "--email", "Olga@Example.org", "--name", "Olga", "--roles", "editor,moderator"},
			getenv, strings.NewReader("a long enough password\n"), &out, &errOut)
		if err != nil {
			t.Fatalf("user add: %v (%s)", err, errOut.String())
		}
		if strings.Contains(out.String(), "shown once") {
			t.Errorf("printed a generated password although one was given: %q", out.String())
		}
	})

	t.Run("Stored", func(t *testing.T) {
		st := openStore(t, getenv("DATABASE_URL"))
		m, err := st.StaffByEmail(t.Context(), "olga@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if !m.Has(content.RoleEditor) || !m.Has(content.RoleModerator) || m.Has(content.RoleAdmin) {
			t.Errorf("roles = %v", m.Roles)
		}
		if ok, err := desk.CheckPassword(m.PasswordHash, "a long enough password"); err != nil || !ok {
			t.Errorf("stored hash does not match the password: %v %v", ok, err)
		}
	})

	t.Run("GeneratedPassword", func(t *testing.T) {
		out.Reset()
		err := run(t.Context(), []string{"user", "add", "--email", "ivan@example.org", "--name", "Ivan", "--roles", "admin"},
			getenv, strings.NewReader(""), &out, &errOut)
		if err != nil {
			t.Fatalf("user add: %v", err)
		}
		_, pw, ok := strings.Cut(out.String(), "password (shown once): ")
		pw = strings.TrimSpace(pw)
		if !ok || len(pw) < 16 {
			t.Fatalf("no generated password in %q", out.String())
		}
		m, err := openStore(t, getenv("DATABASE_URL")).StaffByEmail(t.Context(), "ivan@example.org")
		if err != nil {
			t.Fatal(err)
		}
		if ok, _ := desk.CheckPassword(m.PasswordHash, pw); !ok {
			t.Error("the printed password does not log in")
		}
	})

	t.Run("ErrDuplicate", func(t *testing.T) {
		err := run(t.Context(), []string{"user", "add", "--email", "OLGA@example.org", "--name", "Other", "--roles", "editor"},
			getenv, strings.NewReader("another long password\n"), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "already exists") {
			t.Errorf("got %v, want an 'already exists' error", err)
		}
	})

	t.Run("ErrBadInput", func(t *testing.T) {
		err := run(t.Context(), []string{"user", "add", "--email", "not-an-address", "--name", "", "--roles", "owner"},
			getenv, strings.NewReader("long enough password\n"), &out, &errOut)
		var ve *content.ValidationError
		if !errors.As(err, &ve) || ve.Fields["email"] == "" || ve.Fields["display_name"] == "" || ve.Fields["roles"] == "" {
			t.Errorf("got %v, want email, display_name and roles problems", err)
		}
		err = run(t.Context(), []string{"user", "add", "--email", "x@example.org", "--name", "X", "--roles", "editor"},
			getenv, strings.NewReader("short\n"), &out, &errOut)
		if err == nil || !strings.Contains(err.Error(), "at least 10") {
			t.Errorf("got %v, want a password-length error", err)
		}
	})
}

func openStore(t *testing.T, url string) *store.Store {
	t.Helper()
	pool, err := openPool(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return store.New(pool)
}

func TestRun_UserPasswd(t *testing.T) {
	t.Parallel()
	getenv := env(map[string]string{"DATABASE_URL": storetest.NewURL(t)})
	var out, errOut bytes.Buffer
	if err := run(t.Context(), []string{"user", "add", "--email", "olga@example.org", "--name", "Olga", "--roles", "admin"},
		getenv, strings.NewReader("the first password\n"), &out, &errOut); err != nil {
		t.Fatalf("user add: %v (%s)", err, errOut.String())
	}
	passwd := func(email, input string) error {
		out.Reset()
		return run(t.Context(), []string{"user", "passwd", email}, getenv, strings.NewReader(input), &out, &errOut)
	}
	if err := passwd("Olga@example.org", "the second password\n"); err != nil {
		t.Fatalf("user passwd: %v", err)
	}
	st := openStore(t, getenv("DATABASE_URL"))
	m, err := st.StaffByEmail(t.Context(), "olga@example.org")
	if err != nil {
		t.Fatal(err)
	}
	if ok, _ := desk.CheckPassword(m.PasswordHash, "the second password"); !ok {
		t.Error("the new password does not match")
	}
	log, err := st.AuditLog(t.Context(), store.AuditFilter{Actions: []string{store.ActionPasswordChange}})
	if err != nil || len(log) != 1 || log[0].StaffName != "Olga" {
		t.Errorf("audit log = %v, %v; want Olga's password change", log, err)
	}
	for input, want := range map[string]string{"short\n": "at least 10", "": "standard input"} {
		if err := passwd("olga@example.org", input); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("input %q: got %v, want an error saying %q", input, err, want)
		}
	}
	if err := passwd("nobody@example.org", "a long enough one\n"); err == nil || !strings.Contains(err.Error(), "no staff account") {
		t.Errorf("unknown email: got %v", err)
	}
}
