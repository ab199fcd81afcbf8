package main

import (
	"bytes"
	"context"
	"fmt"
	"image"
	_ "image/jpeg" // covers are JPEG or PNG
	_ "image/png"
	"io"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/picture"
)

const mediaVariantsHelp = `Usage: samizdat media variants

Pages offer each cover in several widths, as WebP and JPEG, so that a phone
downloads what it shows. The desk and the demo make these variants when a
cover arrives; variants makes them once for covers kept before that, names
each such cover with its size, and leaves the cover under its old name too
(copies already sent to the fediverse link it). Running it again does
nothing more.

`

func cmdMediaVariants(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("media variants", mediaVariantsHelp, stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	_, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	done, err := coverVariants(ctx, store.New(pool), stdout)
	fmt.Fprintf(stdout, "%d covers given their variants.\n", done)
	return err
}

// coverVariants makes the variants of every story's cover kept under a
// name without its size, and points the story at the cover's new name.
func coverVariants(ctx context.Context, st *store.Store, out io.Writer) (int, error) {
	// Every story first: saving one changes the order Stories lists them in.
	var all []*content.Story
	for offset := 0; ; offset += 100 {
		page, err := st.Stories(ctx, store.StoryFilter{Limit: 100, Offset: offset})
		if err != nil {
			return 0, err
		}
		all = append(all, page...)
		if len(page) < 100 {
			break
		}
	}
	done := 0
	for _, s := range all {
		if s.CoverImage == "" {
			continue
		}
		if _, ok := picture.Parse(s.CoverImage); ok {
			continue
		}
		name, err := sizeCover(ctx, st, s.CoverImage)
		if err != nil {
			return done, fmt.Errorf("story %d: %w", s.ID, err)
		}
		s.CoverImage = name
		if err := st.UpdateStory(ctx, s); err != nil {
			return done, fmt.Errorf("story %d: %w", s.ID, err)
		}
		fmt.Fprintf(out, "story %d: cover %s\n", s.ID, name)
		done++
	}
	return done, nil
}

// sizeCover keeps the cover named old again under its hash and size, with
// its variants, and returns the new name.
func sizeCover(ctx context.Context, st *store.Store, old string) (string, error) {
	m, err := st.Media(ctx, old)
	if err != nil {
		return "", err
	}
	img, format, err := image.Decode(bytes.NewReader(m.Content))
	if err != nil {
		return "", fmt.Errorf("cover %s: %w", old, err)
	}
	ext := map[string]string{"jpeg": "jpg", "png": "png"}[format]
	if ext == "" {
		return "", fmt.Errorf("cover %s: a %s image; the desk keeps JPEG and PNG only", old, format)
	}
	b := img.Bounds()
	n := picture.NameOf(m.Content, b.Dx(), b.Dy(), ext)
	files, err := picture.Variants(img, n)
	if err != nil {
		return "", err
	}
	for _, f := range append(files, picture.File{Name: n.String(), ContentType: m.ContentType, Data: m.Content}) {
		if _, err := st.PutMedia(ctx, f.Name, f.ContentType, f.Data); err != nil {
			return "", err
		}
	}
	return n.String(), nil
}
