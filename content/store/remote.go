package store

import (
	"context"
	"fmt"
	"time"
)

// RemoteActor is an actor on another server, as last fetched.
type RemoteActor struct {
	ID           string // the actor's ActivityPub id
	Host         string
	Inbox        string
	SharedInbox  string // "" when the actor declares none we trust
	KeyID        string
	PublicKeyPEM string
	Username     string
	Name         string
	URL          string
	IconURL      string
	Followers    string // the followers collection it declares, "" for none
	// Document is the actor document as fetched, JSON. It is saved as the
	// record of the fetch and never read back: what Samizdat needs of it
	// has columns of its own (migration 008).
	Document  []byte
	FetchedAt time.Time
}

const remoteActorColumns = `id, host, inbox, shared_inbox, key_id, public_key_pem, username, name, url, icon_url, followers, fetched_at`

// scanRemoteActor reads remoteActorColumns into a. Columns selected before
// them are scanned into before.
func scanRemoteActor(row interface{ Scan(...any) error }, a *RemoteActor, before ...any) error {
	return row.Scan(append(before, remoteActorDest(a)...)...)
}

// remoteActorDest are the scan destinations of remoteActorColumns.
func remoteActorDest(a *RemoteActor) []any {
	return []any{&a.ID, &a.Host, &a.Inbox, &a.SharedInbox, &a.KeyID, &a.PublicKeyPEM, &a.Username, &a.Name, &a.URL, &a.IconURL, &a.Followers, &a.FetchedAt}
}

const remoteActorQuery = `SELECT ` + remoteActorColumns + ` FROM remote_actors WHERE id = $1`

// RemoteActor returns a known remote actor by its id.
func (s *Store) RemoteActor(ctx context.Context, id string) (*RemoteActor, error) {
	a := &RemoteActor{}
	err := scanRemoteActor(s.pool.QueryRow(ctx, remoteActorQuery, id), a)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("remote actor %s", id), err)
	}
	return a, nil
}

// RemoteActorByKeyID returns the remote actor whose public key has the given
// id. An actor holds one key, so at most one row matches; if a key id ever
// moved between actors the most recently fetched wins.
func (s *Store) RemoteActorByKeyID(ctx context.Context, keyID string) (*RemoteActor, error) {
	a := &RemoteActor{}
	err := scanRemoteActor(s.pool.QueryRow(ctx, `
		SELECT `+remoteActorColumns+` FROM remote_actors WHERE key_id = $1
		ORDER BY fetched_at DESC LIMIT 1`, keyID), a)
	if err != nil {
		return nil, mapErr(fmt.Sprintf("remote actor by key %s", keyID), err)
	}
	return a, nil
}

// RemoteActorKnown reports whether a remote actor is in the cache.
func (s *Store) RemoteActorKnown(ctx context.Context, id string) (bool, error) {
	var ok bool
	err := s.pool.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM remote_actors WHERE id = $1)`, id).Scan(&ok)
	return ok, mapErr(fmt.Sprintf("remote actor %s known", id), err)
}

// SaveRemoteActor inserts or refreshes a remote actor, stamping the fetch time.
func (s *Store) SaveRemoteActor(ctx context.Context, a *RemoteActor) error {
	var doc *string
	if len(a.Document) > 0 {
		d := string(a.Document)
		doc = &d
	}
	err := s.pool.QueryRow(ctx, `
		INSERT INTO remote_actors (id, host, inbox, shared_inbox, key_id, public_key_pem, username, name, url, icon_url, followers, document, fetched_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13)
		ON CONFLICT (id) DO UPDATE SET host = EXCLUDED.host, inbox = EXCLUDED.inbox,
			shared_inbox = EXCLUDED.shared_inbox, key_id = EXCLUDED.key_id,
			public_key_pem = EXCLUDED.public_key_pem, username = EXCLUDED.username,
			name = EXCLUDED.name, url = EXCLUDED.url, icon_url = EXCLUDED.icon_url,
			followers = EXCLUDED.followers, document = EXCLUDED.document, fetched_at = EXCLUDED.fetched_at
		RETURNING fetched_at`,
		a.ID, a.Host, a.Inbox, a.SharedInbox, a.KeyID, a.PublicKeyPEM, a.Username, a.Name, a.URL, a.IconURL, a.Followers, doc, s.now(),
	).Scan(&a.FetchedAt)
	return mapErr(fmt.Sprintf("save remote actor %s", a.ID), err)
}
