package federation

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"image"
	_ "image/gif" // decoders for the formats we keep
	_ "image/jpeg"
	_ "image/png"
	"mime"
	"net/http"

	_ "golang.org/x/image/webp"

	"samizdat/content/store"
	"samizdat/federation/transport"
)

// Readers' browsers never contact another instance (DESIGN: privacy):
// avatars, custom emoji and images attached to replies are copied into the
// media table as remote/<name> and served from there by the website, by
// every process of the publication. A copy is named
// by the SHA-256 of its bytes, so the same image sent under many addresses
// is kept once, and a name can never be chosen by a peer.

// Limits on what we copy. Emoji and avatars are small by nature; attached
// images may be photographs.
const (
	maxAvatarBytes = 2 << 20
	maxEmojiBytes  = 2 << 20
	maxImageBytes  = 8 << 20
	maxImageSide   = 8192       // pixels, either side
	maxImagePixels = 20_000_000 // pixels in all: a decoded image stays under ~80 MB
	maxAttachments = 4          // images kept per reply
	maxEmojis      = 20         // custom emoji kept per reply
)

// mediaFormats maps the image formats we keep, as the decoder names them, to
// their content type and file extension.
var mediaFormats = map[string]struct{ contentType, ext string }{
	"png":  {"image/png", "png"},
	"jpeg": {"image/jpeg", "jpg"},
	"gif":  {"image/gif", "gif"},
	"webp": {"image/webp", "webp"},
}

// declaredImage are the content types under which we take an image; what
// it really is, the decoder decides. Object stores often say only
// octet-stream.
var declaredImage = map[string]bool{
	"image/png": true, "image/jpeg": true, "image/gif": true, "image/webp": true,
	"application/octet-stream": true, "binary/octet-stream": true, "": true,
}

// errNoMedia is returned when the publication keeps no copies of remote
// media (Config.CopyMedia).
var errNoMedia = errors.New("federation: no copies of remote media")

// copyMedia returns the name of our copy of the remote image at remote,
// fetching it first if we have none: at most limit bytes, announced as
// and decoding as PNG, JPEG, GIF or WebP. The fetch goes through the
// transport client, which refuses private addresses, and is signed by the
// instance actor, because some instances refuse unsigned fetches of media
// too.
func (f *Federation) copyMedia(ctx context.Context, remote string, limit int64) (file, contentType string, err error) {
	if !f.cfg.CopyMedia {
		return "", "", errNoMedia
	}
	file, contentType, err = f.store.MediaFile(ctx, remote)
	if err == nil {
		// A copy made before media moved into the database is fetched
		// again unless `samizdat media import` brought it in.
		if _, sizeErr := f.store.MediaSize(ctx, "remote/"+file); sizeErr == nil {
			return file, contentType, nil
		} else if !isNotFound(sizeErr) {
			return "", "", sizeErr
		}
	} else if !isNotFound(err) {
		return "", "", err
	}
	u, err := f.remoteURL(remote)
	if err != nil {
		return "", "", err
	}
	if err := takeBudget(ctx, u.Host); err != nil {
		return "", "", err
	}
	fctx, cancel := fetchContext(ctx)
	defer cancel()
	req, err := http.NewRequestWithContext(fctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %v", errFetch, remote, err)
	}
	req.Header.Set("Accept", "image/png, image/jpeg, image/gif, image/webp")
	if err := f.signGet(req); err != nil {
		return "", "", err
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %w", errFetch, remote, err)
	}
	body, err := transport.ReadBody(resp, limit)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %w", errFetch, remote, err)
	}
	if resp.StatusCode != http.StatusOK {
		return "", "", fmt.Errorf("%w: %s: %w", errFetch, remote, &statusError{resp.StatusCode})
	}
	declared, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	format, err := checkImage(body)
	if err != nil {
		return "", "", fmt.Errorf("%w: %s: %w", errFetch, remote, err)
	}
	if !declaredImage[declared] {
		return "", "", fmt.Errorf("%w: %s: announced as %q", errFetch, remote, declared)
	}
	kind := mediaFormats[format]
	sum := sha256.Sum256(body)
	file = hex.EncodeToString(sum[:]) + "." + kind.ext
	if _, err := f.store.PutMedia(ctx, "remote/"+file, kind.contentType, body); err != nil {
		return "", "", err
	}
	if err := f.store.SaveMediaFile(ctx, remote, file, kind.contentType); err != nil {
		return "", "", err
	}
	return file, kind.contentType, nil
}

// imageSize is the size in pixels of our copy of a remote image, for
// pages to reserve its place; 0, 0 when it cannot be read, which only
// leaves the size out.
func (f *Federation) imageSize(ctx context.Context, file string) (width, height int) {
	m, err := f.store.Media(ctx, "remote/"+file)
	if err != nil {
		return 0, 0
	}
	cfg, _, err := image.DecodeConfig(bytes.NewReader(m.Content))
	if err != nil {
		return 0, 0
	}
	return cfg.Width, cfg.Height
}

// checkImage decodes b completely, after checking from its header that its
// size is reasonable, and returns its format: a file that only looks like
// an image is refused.
func checkImage(b []byte) (string, error) {
	cfg, format, err := image.DecodeConfig(bytes.NewReader(b))
	if err != nil {
		return "", fmt.Errorf("not an image: %w", err)
	}
	if _, ok := mediaFormats[format]; !ok {
		return "", fmt.Errorf("image format %s is not kept", format)
	}
	if cfg.Width <= 0 || cfg.Height <= 0 || cfg.Width > maxImageSide || cfg.Height > maxImageSide ||
		cfg.Width*cfg.Height > maxImagePixels {
		return "", fmt.Errorf("image of %d×%d pixels is too large", cfg.Width, cfg.Height)
	}
	if _, _, err := image.Decode(bytes.NewReader(b)); err != nil {
		return "", fmt.Errorf("broken %s image: %w", format, err)
	}
	return format, nil
}

// copyAvatar copies a remote actor's avatar, if it has one, and records
// the copy on the actor. A failure only leaves the avatar out.
func (f *Federation) copyAvatar(ctx context.Context, actorID string) {
	a, err := f.store.RemoteActor(ctx, actorID)
	if err != nil {
		return
	}
	f.copyAvatarOf(ctx, a)
}

// copyAvatarOf is copyAvatar for an actor already read from the store.
func (f *Federation) copyAvatarOf(ctx context.Context, a *store.RemoteActor) {
	if a.IconURL == "" {
		return
	}
	file, _, err := f.copyMedia(ctx, a.IconURL, maxAvatarBytes)
	if err != nil {
		f.logMediaFailure(a.IconURL, err)
		return
	}
	if err := f.store.SetRemoteActorIcon(ctx, a.ID, file); err != nil {
		f.logger.Warn("recording an avatar", "actor", a.ID, "err", err)
	}
}

// logMediaFailure notes an image we could not copy. It is never an error
// of the activity that named it: the reply is kept without the image.
func (f *Federation) logMediaFailure(remote string, err error) {
	if errors.Is(err, errNoMedia) {
		return
	}
	f.logger.Info("remote image not copied", "url", remote, "err", err)
}
