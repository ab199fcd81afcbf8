package main

import (
	"context"
	"errors"
	"fmt"
	"io"

	"samizdat/content"
	"samizdat/content/demo"
	"samizdat/content/store"
	"samizdat/web/desk"
)

const demoHelp = `Usage: samizdat demo

Loads the demo publication: fictional stories in the configured languages,
the about, team, stance and privacy pages, cover images (kept in
the database), a dialogue of replies, likes and boosts under three stories
from fictional accounts on .example hosts (never contacted), and a demo
editor account. Running it again changes nothing.
A database that already holds other stories is left alone.

The demo editor's password is public: load the demo only to try Samizdat,
never on a site others can reach.

`

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", demoHelp, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	cfg, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	st := store.New(pool)

	opts := demo.Options{Languages: cfg.Languages, EditorEmail: demo.EditorEmail, BaseURL: cfg.BaseURL.String()}
	editor, err := st.StaffByEmail(ctx, demo.EditorEmail)
	switch {
	case errors.Is(err, content.ErrNotFound):
		// argon2id takes a noticeable moment: hash only when the account
		// is about to be created.
		if opts.EditorPasswordHash, err = desk.HashPassword(demo.EditorPassword); err != nil {
			return err
		}
	case err != nil:
		return err
	}
	res, err := demo.Load(ctx, st, opts)
	if err != nil {
		return err
	}
	if res.Loaded {
		fmt.Fprintf(stdout, "demo: loaded %d stories (%d translations), %d pages, %d replies, %d likes and boosts, and the demo editor\n",
			res.Stories, res.Translations, res.Pages, res.Replies, res.Reactions)
		if editor, err = st.StaffByEmail(ctx, demo.EditorEmail); err != nil {
			return err
		}
	} else if res.Replies+res.Reactions > 0 {
		fmt.Fprintf(stdout, "demo: %s; added its dialogue: %d replies, %d likes and boosts\n", res.Reason, res.Replies, res.Reactions)
	} else {
		fmt.Fprintf(stdout, "demo: nothing to do: %s\n", res.Reason)
	}
	return printDemoLogin(stdout, cfg, editor)
}

// printDemoLogin tells how to log in to the desk as the demo editor, or why
// that account is not there. `make run` shows this to whoever starts it.
func printDemoLogin(w io.Writer, cfg config, editor *content.Staff) error {
	if editor == nil {
		fmt.Fprintln(w, "demo: there is no demo editor in this database; add a staff account with `samizdat user add`")
		return nil
	}
	password := demo.EditorPassword + "   (a well-known demo password: for trying Samizdat locally only)"
	if ok, err := desk.CheckPassword(editor.PasswordHash, demo.EditorPassword); err != nil || !ok {
		password = "(changed since the demo was loaded)"
	}
	fmt.Fprintf(w, "\nDemo editor (admin, editor, moderator):\n  desk:     %s/desk/\n  email:    %s\n  password: %s\n\n",
		cfg.BaseURL, editor.Email, password)
	return nil
}
