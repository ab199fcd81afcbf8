package main

import (
	"context"
	"crypto/rsa"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"samizdat/content"
	"samizdat/content/store"
	"samizdat/federation"
	"samizdat/federation/delivery"
)

// Seeding writes straight into the run's database: followers and the
// actors behind them as if their Follows and key fetches had happened,
// stories as if an editor had written them. Bulk rows go in with COPY,
// because seeding ten thousand followers one statement at a time would take
// longer than the benchmark.

// seedActor is a remote actor to put in remote_actors.
type seedActor struct {
	id, host, name, keyPEM string
}

// seedActors inserts actors with their inboxes on their hosts, the shared
// inbox at /inbox, their document and, when keyPEM is set, their key
// (id#main-key), as a completed key fetch would have left them.
func seedActors(ctx context.Context, db *database, actors []seedActor) error {
	now := time.Now()
	rows := make([][]any, len(actors))
	for i, a := range actors {
		keyID := ""
		if a.keyPEM != "" {
			keyID = a.id + "#main-key"
		}
		doc, err := actorDocument(a, keyID)
		if err != nil {
			return err
		}
		rows[i] = []any{a.id, a.host, a.id + "/inbox", "http://" + a.host + "/inbox", keyID, a.keyPEM,
			a.name, "Bench " + a.name, "http://" + a.host + "/@" + a.name, a.id + "/followers", doc, now}
	}
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"remote_actors"},
		[]string{"id", "host", "inbox", "shared_inbox", "key_id", "public_key_pem", "username", "name", "url", "followers", "document", "fetched_at"},
		pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("seed %d remote actors: %w", len(actors), err)
	}
	return nil
}

// actorDocument is the actor document a fetch of a would have kept: the
// shape and size (about 3 KB) of a Mastodon account's, with a profile text,
// profile fields, an avatar, a header and its endpoints.
func actorDocument(a seedActor, keyID string) (string, error) {
	id := a.id
	d := map[string]any{
		"@context": []any{"https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
			map[string]any{"manuallyApprovesFollowers": "as:manuallyApprovesFollowers", "toot": "http://joinmastodon.org/ns#",
				"featured": map[string]any{"@id": "toot:featured", "@type": "@id"}, "discoverable": "toot:discoverable",
				"PropertyValue": "schema:PropertyValue", "value": "schema:value", "schema": "http://schema.org#"}},
		"id": id, "type": "Person", "preferredUsername": a.name, "name": "Bench " + a.name,
		"summary": "<p>Reader from the other side of the border. I write about my town, its library and the river, in three languages.</p>",
		"url":     "http://" + a.host + "/@" + a.name,
		"inbox":   id + "/inbox", "outbox": id + "/outbox",
		"followers": id + "/followers", "following": id + "/following",
		"featured": id + "/collections/featured", "featuredTags": id + "/collections/tags",
		"manuallyApprovesFollowers": false, "discoverable": true, "indexable": true,
		"published": "2023-02-14T00:00:00Z", "memorial": false,
		"endpoints": map[string]any{"sharedInbox": "http://" + a.host + "/inbox"},
		"icon":      map[string]any{"type": "Image", "mediaType": "image/png", "url": "http://" + a.host + "/system/accounts/avatars/" + a.name + ".png"},
		"image":     map[string]any{"type": "Image", "mediaType": "image/jpeg", "url": "http://" + a.host + "/system/accounts/headers/" + a.name + ".jpg"},
		"attachment": []any{
			map[string]any{"type": "PropertyValue", "name": "Languages", "value": "English, Русский, Français"},
			map[string]any{"type": "PropertyValue", "name": "Blog", "value": `<a href="http://` + a.host + `/blog" rel="me nofollow noopener noreferrer" target="_blank">` + a.host + `/blog</a>`},
		},
		"tag": []any{},
	}
	if keyID != "" {
		d["publicKey"] = map[string]any{"id": keyID, "owner": id, "publicKeyPem": a.keyPEM}
	}
	b, err := json.Marshal(d)
	return string(b), err
}

// seedFollowers makes every actor id in ids a follower of lang.
func seedFollowers(ctx context.Context, db *database, lang string, ids []string) error {
	now := time.Now()
	rows := make([][]any, len(ids))
	for i, id := range ids {
		rows[i] = []any{lang, id, id + "/follows/1", now}
	}
	_, err := db.Pool.CopyFrom(ctx, pgx.Identifier{"followers"},
		[]string{"actor", "follower", "follow_id", "created_at"}, pgx.CopyFromRows(rows))
	if err != nil {
		return fmt.Errorf("seed %d followers: %w", len(ids), err)
	}
	return nil
}

// storyBody is a story of about the length the publication prints: some
// 1,200 words of Markdown in a dozen paragraphs.
func storyBody(n int) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Part one of story %d\n\n", n)
	para := "We crossed the bridge at dawn, when the guards change and nobody looks twice at a woman with a bag of apples. " +
		"My brother had written that the border would close on Friday; it closed on Wednesday. "
	for i := 0; i < 12; i++ {
		if i == 6 {
			b.WriteString("## Part two\n\n> Nobody asked us what we thought. We said it anyway.\n\n")
		}
		for j := 0; j < 4; j++ {
			b.WriteString(para)
		}
		b.WriteString("\n\n")
	}
	return b.String()
}

// createDraft writes a draft story in lang, credited to a pseudonym.
func createDraft(ctx context.Context, db *database, lang string, n int) (*content.Story, *content.Translation, error) {
	st := &content.Story{BylineKind: content.BylinePseudonym, BylineName: "Anna K."}
	body := storyBody(n)
	t := &content.Translation{
		Lang:         lang,
		Title:        fmt.Sprintf("The bridge at dawn, part %d", n),
		Teaser:       "Two sisters, one border and the morning it closed two days early: a first-hand account of leaving, and of what stayed behind.",
		BodyMarkdown: body,
		BodyHTML:     content.RenderMarkdown(lang, body),
		Slug:         fmt.Sprintf("bridge-at-dawn-%d", n),
		Tags:         []string{"border", "family", "testimony"},
	}
	if err := db.Store.CreateStoryWithTranslation(ctx, st, t); err != nil {
		return nil, nil, fmt.Errorf("create story %d: %w", n, err)
	}
	return st, t, nil
}

// publisher publishes translations through Samizdat's own change hook, the
// one `samizdat serve` registers: federation.New on a store of the run's
// database. The Create it builds and the deliveries it queues are exactly
// the server's, committed in the publishing transaction; the server's
// River workers, told by PostgreSQL's NOTIFY, pick the jobs up and send
// them. Publishing from here rather than from the desk keeps a desk login
// (an argon2id check: its time and its 19 MiB) out of the fan-out's
// figures; the pages run does log in, for its freshness check.
//
// It has a connection of its own, not named as the tool's (toolAppName):
// the publishing transaction is the web process's work in a publication,
// so what PostgreSQL spends on it (the activity, a job and a delivery row
// per inbox) counts with the server's backends.
type publisher struct {
	pool  *pgxpool.Pool
	store *store.Store
}

// publisherAppName is the application_name of the publisher's connection.
const publisherAppName = "samizdat-bench-publisher"

// newPublisher registers the hook on a store of db of its own. baseURL must
// be the server's BASE_URL, so that the ids in the Create are the server's.
// close releases its connection.
func newPublisher(ctx context.Context, db *database, baseURL string) (*publisher, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(db.URL)
	if err != nil {
		return nil, err
	}
	pcfg.MaxConns = 4
	pcfg.ConnConfig.RuntimeParams["application_name"] = publisherAppName
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, err
	}
	p := &publisher{pool: pool, store: store.New(pool)}
	cfg := federation.Config{BaseURL: u, Languages: strings.Split(languages, ","), PublicationName: "Samizdat", AllowPrivate: true}
	keys, err := federation.LoadKeys(ctx, cfg, p.store)
	if err != nil {
		pool.Close()
		return nil, err
	}
	logger := slog.New(slog.DiscardHandler)
	queue, err := delivery.New(pool, p.store, delivery.Config{Keys: keys.KeySource, Client: http.DefaultClient, Logger: logger})
	if err != nil {
		pool.Close()
		return nil, err
	}
	if _, err := federation.New(cfg, p.store, keys, queue, logger); err != nil {
		pool.Close()
		return nil, err
	}
	return p, nil
}

func (p *publisher) close() { p.pool.Close() }

// publish publishes translation id; its Create is queued for the followers
// of its language in the same transaction.
func (p *publisher) publish(ctx context.Context, id int64) (*content.Translation, error) {
	t, err := p.store.SetTranslationState(ctx, id, content.StatePublished, time.Time{})
	if err != nil {
		return nil, fmt.Errorf("publish translation %d: %w", id, err)
	}
	return t, nil
}

// fetchJSON GETs an ActivityPub document from the server.
func fetchJSON(ctx context.Context, u string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/activity+json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", u, resp.Status)
	}
	return json.Unmarshal(body, v)
}

// actorKey fetches a language actor of the server and returns its keyId
// and public key, as a receiving instance would before verifying.
func actorKey(ctx context.Context, baseURL, lang string) (string, *rsa.PublicKey, error) {
	var actor struct {
		PublicKey struct {
			ID           string `json:"id"`
			PublicKeyPem string `json:"publicKeyPem"`
		} `json:"publicKey"`
	}
	if err := fetchJSON(ctx, baseURL+"/actors/"+lang, &actor); err != nil {
		return "", nil, err
	}
	pub, err := federation.ParsePublicKey(actor.PublicKey.PublicKeyPem)
	if err != nil {
		return "", nil, fmt.Errorf("actor %s: %w", lang, err)
	}
	return actor.PublicKey.ID, pub, nil
}
