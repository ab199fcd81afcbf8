package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"strings"

	"samizdat/content"
	"samizdat/content/store"
)

const mediaHelp = `Usage: samizdat media import | variants

Images live in the database (the media table): every server process serves
every image, and one pg_dump holds them all. import copies the images an
older Samizdat kept under MEDIA_DIR (uploaded covers, and copies of remote
avatars and emoji in its remote/ folder) into the database, checks that
each one's size there is the file's, and leaves the files in place. Run it
once after upgrading; running it again copies nothing twice. Remove
MEDIA_DIR yourself once a pg_dump holds the images. Then run variants
(samizdat media variants -h) to give the covers their smaller copies.

`

// mediaFile is what a file under MEDIA_DIR may be called to be imported:
// the names the desk, the demo and the media proxy gave their files.
var mediaFile = regexp.MustCompile(`^(remote/)?[A-Za-z0-9_-][A-Za-z0-9._-]{0,199}$`)

// importTypes are the content types of importable files, by extension.
var importTypes = map[string]string{
	".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".png": "image/png",
	".webp": "image/webp", ".gif": "image/gif", ".avif": "image/avif",
}

func cmdMedia(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	if len(args) > 0 && args[0] == "variants" {
		return cmdMediaVariants(ctx, args[1:], getenv, stdout, stderr)
	}
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, mediaHelp)
		if len(args) > 0 && (args[0] == "-h" || args[0] == "--help" || args[0] == "help") {
			return nil
		}
		return errors.New("usage: samizdat media import")
	}
	fs := newFlags("media import", mediaHelp, stderr)
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	cfg, _, pool, err := setup(ctx, getenv, stderr)
	if err != nil {
		return err
	}
	defer pool.Close()
	res, err := importMedia(ctx, store.New(pool), cfg.MediaDir)
	for _, s := range res.Skipped {
		fmt.Fprintf(stdout, "skipped %s: not an image Samizdat wrote\n", s)
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d images copied into the database, %d there already, %d files skipped; %d bytes checked.\n",
		res.Copied, res.Present, len(res.Skipped), res.Bytes)
	fmt.Fprintf(stdout, "The files under %s are left in place: remove them once a pg_dump holds the images.\n", cfg.MediaDir)
	return nil
}

// importResult counts what importMedia did.
type importResult struct {
	Copied, Present int
	Bytes           int64
	Skipped         []string // files that are not images Samizdat wrote
}

// importMedia copies the images under dir into the media table, each under
// its path relative to dir, and checks each size in the table against its
// file. Images there already are checked and left as they are: names are
// hashes of the content. A missing dir is nothing to import.
func importMedia(ctx context.Context, st *store.Store, dir string) (importResult, error) {
	var res importResult
	if _, err := os.Stat(dir); errors.Is(err, fs.ErrNotExist) {
		return res, nil
	}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, p)
		if err != nil {
			return err
		}
		name := filepath.ToSlash(rel)
		if d.IsDir() {
			if name != "." && name != "remote" {
				res.Skipped = append(res.Skipped, name+"/")
				return filepath.SkipDir
			}
			return nil
		}
		ct := importTypes[strings.ToLower(path.Ext(name))]
		// Temporary files of an interrupted upload start with a dot, and
		// are refused with anything else that is not a kept image.
		if !d.Type().IsRegular() || !mediaFile.MatchString(name) || ct == "" {
			res.Skipped = append(res.Skipped, name)
			return nil
		}
		data, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		created, err := st.PutMedia(ctx, name, ct, data)
		if err != nil {
			return fmt.Errorf("media import %s: %w", name, err)
		}
		size, err := st.MediaSize(ctx, name)
		if errors.Is(err, content.ErrNotFound) || (err == nil && size != len(data)) {
			return fmt.Errorf("media import %s: %d bytes in the database, %d in the file; nothing was removed", name, size, len(data))
		}
		if err != nil {
			return fmt.Errorf("media import %s: %w", name, err)
		}
		if created {
			res.Copied++
		} else {
			res.Present++
		}
		res.Bytes += int64(len(data))
		return nil
	})
	return res, err
}
