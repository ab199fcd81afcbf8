package store

import (
	"context"

	"github.com/jackc/pgx/v5"

	"samizdat/content"
)

// ChangeHook is told about a change in a translation's public life inside the
// transaction that makes it, so that work it enqueues (deliveries to the
// fediverse) commits or rolls back together with the change.
type ChangeHook func(ctx context.Context, tx pgx.Tx, kind content.ChangeKind, t *content.Translation) error

// OnChange registers a hook. Call it while wiring the program, before the
// store is used.
func (s *Store) OnChange(h ChangeHook) { s.hooks = append(s.hooks, h) }

func (s *Store) changed(ctx context.Context, tx pgx.Tx, kind content.ChangeKind, t *content.Translation) error {
	for _, h := range s.hooks {
		if err := h(ctx, tx, kind, t); err != nil {
			return err
		}
	}
	return nil
}
