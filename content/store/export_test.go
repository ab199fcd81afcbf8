package store

import (
	"context"

	"github.com/jackc/pgx/v5"
)

// Hooks into the inbox's read coalescer, for coalesce_test.go.

func (s *Store) CoalesceReads(ctx context.Context, queue func(b *pgx.Batch)) error {
	return s.reads.do(ctx, queue)
}

// CoalesceState is how many callers wait to be sent and how many batches
// were sent so far.
func (s *Store) CoalesceState() (pending, batches int) {
	s.reads.mu.Lock()
	defer s.reads.mu.Unlock()
	return len(s.reads.pending), s.reads.batches
}
