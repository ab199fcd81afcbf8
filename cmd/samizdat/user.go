package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/desk"
)

const userAddHelp = `Usage: samizdat user add --email EMAIL --name NAME --roles ROLES
       samizdat user passwd EMAIL

add adds a staff account. ROLES is a comma-separated list of admin, editor
and moderator. The password is read from standard input when it is a pipe or
a file (its first line); otherwise a strong one is generated and printed once.

passwd sets a new password for the account with EMAIL, typed twice at the
terminal (not shown), or the first line of standard input when it is a pipe
or a file. Every session of the account ends.

`

func cmdUser(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "passwd" {
		return cmdUserPasswd(ctx, args[1:], getenv, stdin, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "add" {
		fmt.Fprint(stderr, userAddHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errors.New("usage: samizdat user add --email EMAIL --name NAME --roles ROLES, or samizdat user passwd EMAIL")
	}
	fs := newFlags("user add", userAddHelp, stderr)
	email := fs.String("email", "", "the staff member's email address, used to log in")
	name := fs.String("name", "", "the name shown in the desk")
	roles := fs.String("roles", "editor", "comma-separated roles: admin, editor, moderator")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	m := &content.Staff{Email: *email, DisplayName: *name}
	for _, r := range strings.Split(*roles, ",") {
		if r = strings.TrimSpace(r); r != "" {
			m.Roles = append(m.Roles, content.Role(r))
		}
	}
	if err := m.Validate(); err != nil {
		return err
	}
	password, generated, err := readPassword(stdin)
	if err != nil {
		return err
	}
	if len(password) < 10 {
		return errors.New("the password must be at least 10 characters")
	}
	_, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	if m.PasswordHash, err = desk.HashPassword(password); err != nil {
		return err
	}
	if err := store.New(pool).CreateStaff(ctx, m); err != nil {
		if errors.Is(err, content.ErrConflict) {
			return fmt.Errorf("a staff account with email %s already exists", m.Email)
		}
		return err
	}
	fmt.Fprintf(stdout, "added %s <%s> with roles %s\n", m.DisplayName, m.Email, *roles)
	if generated {
		fmt.Fprintf(stdout, "password (shown once): %s\n", password)
	}
	return nil
}

// readPassword takes the first line of stdin when it is a pipe or a file,
// and otherwise generates a password.
func readPassword(stdin io.Reader) (string, bool, error) {
	if f, ok := stdin.(*os.File); ok {
		if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice != 0 {
			return desk.GeneratePassword(), true, nil
		}
	}
	line, err := bufio.NewReader(stdin).ReadString('\n')
	if err != nil && !errors.Is(err, io.EOF) {
		return "", false, fmt.Errorf("read password: %w", err)
	}
	line = strings.TrimRight(line, "\r\n")
	if line == "" {
		return desk.GeneratePassword(), true, nil
	}
	return line, false, nil
}
