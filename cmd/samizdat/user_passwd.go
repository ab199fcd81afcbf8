package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"unicode/utf8"

	"golang.org/x/term"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/web/desk"
)

// cmdUserPasswd sets a staff member's password: for an admin who lost
// theirs, or for a server operator setting one up. The password is never
// a flag, so that it stays out of the shell's history and the process list.
func cmdUserPasswd(ctx context.Context, args []string, getenv func(string) string, stdin io.Reader, stdout, stderr io.Writer) error {
	if len(args) != 1 || args[0] == "" || args[0][0] == '-' {
		fmt.Fprint(stderr, userAddHelp)
		return errors.New("usage: samizdat user passwd EMAIL")
	}
	email := args[0]
	password, err := readNewPassword(stdin, stderr)
	if err != nil {
		return err
	}
	if utf8.RuneCountInString(password) < 10 {
		return errors.New("the password must be at least 10 characters")
	}
	_, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)
	m, err := st.StaffByEmail(ctx, email)
	if errors.Is(err, content.ErrNotFound) {
		return fmt.Errorf("no staff account has the email %s", email)
	}
	if err != nil {
		return err
	}
	hash, err := desk.HashPassword(password)
	if err != nil {
		return err
	}
	// Logged as the member's own change: whoever runs this holds the server.
	if err := st.SetStaffPassword(store.WithStaff(ctx, m.ID), m.ID, hash, ""); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "the password of %s <%s> is changed; their sessions have ended\n", m.DisplayName, m.Email)
	return nil
}

// readNewPassword reads a new password typed twice at the terminal without
// echo, or the first line of stdin when it is not a terminal.
func readNewPassword(stdin io.Reader, stderr io.Writer) (string, error) {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		password, generated, err := readPassword(stdin)
		if err != nil {
			return "", err
		}
		if generated {
			return "", errors.New("give the new password on the first line of standard input, or run this at a terminal")
		}
		return password, nil
	}
	fmt.Fprint(stderr, "New password: ")
	first, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	fmt.Fprint(stderr, "Again: ")
	second, err := term.ReadPassword(int(f.Fd()))
	fmt.Fprintln(stderr)
	if err != nil {
		return "", fmt.Errorf("read password: %w", err)
	}
	if string(first) != string(second) {
		return "", errors.New("the two passwords are not the same")
	}
	return string(first), nil
}
