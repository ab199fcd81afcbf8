package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// ActionProfile is the audit log's action for a change to a language actor's
// profile.
const ActionProfile = "profile.save"

// ProfileTx is work done inside the transaction that saves a profile: the
// federation's Update of the actor, queued so that it is sent exactly when
// the change commits.
type ProfileTx func(ctx context.Context, tx pgx.Tx, p *content.ActorProfile) error

const profileColumns = `lang, display_name, bio, bio_html, avatar, header, fields, updated_at`

func scanProfile(row pgx.Row) (*content.ActorProfile, error) {
	p := &content.ActorProfile{}
	var fields []byte
	if err := row.Scan(&p.Lang, &p.DisplayName, &p.Bio, &p.BioHTML, &p.Avatar, &p.Header, &fields, &p.UpdatedAt); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(fields, &p.Fields); err != nil {
		return nil, fmt.Errorf("fields: %w", err)
	}
	return p, nil
}

// ActorProfile returns what editors set of lang's actor profile. A language
// nobody has set yet gets an empty profile (the built-in values), never
// ErrNotFound.
func (s *Store) ActorProfile(ctx context.Context, lang string) (*content.ActorProfile, error) {
	p, err := scanProfile(s.pool.QueryRow(ctx, `SELECT `+profileColumns+` FROM actor_profiles WHERE lang = $1`, lang))
	if errors.Is(err, pgx.ErrNoRows) {
		return &content.ActorProfile{Lang: lang}, nil
	}
	if err != nil {
		return nil, mapErr("actor profile "+lang, err)
	}
	return p, nil
}

// SaveActorProfile stores p, logs it as done by staffID, and runs then (if
// not nil) in the same transaction.
func (s *Store) SaveActorProfile(ctx context.Context, staffID int64, p *content.ActorProfile, then ProfileTx) error {
	fields := p.Fields
	if fields == nil {
		fields = []content.ProfileField{}
	}
	js, err := json.Marshal(fields)
	if err != nil {
		return fmt.Errorf("store: profile fields: %w", err)
	}
	p.UpdatedAt = s.now()
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `
			INSERT INTO actor_profiles (`+profileColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
			ON CONFLICT (lang) DO UPDATE SET display_name = EXCLUDED.display_name, bio = EXCLUDED.bio,
				bio_html = EXCLUDED.bio_html, avatar = EXCLUDED.avatar, header = EXCLUDED.header,
				fields = EXCLUDED.fields, updated_at = EXCLUDED.updated_at`,
			p.Lang, p.DisplayName, p.Bio, p.BioHTML, p.Avatar, p.Header, js, p.UpdatedAt)
		if err != nil {
			return err
		}
		if err := s.LogStaff(ctx, tx, staffID, ActionProfile, "actor "+p.Lang, ""); err != nil {
			return err
		}
		if then != nil {
			return then(ctx, tx, p)
		}
		return nil
	})
	return mapErr("save actor profile "+p.Lang, err)
}
