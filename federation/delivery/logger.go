package delivery

import (
	"context"
	"log/slog"
)

// quieter passes on River's records from Warn up. At Info River reports its
// producers' job counts every few seconds, which buries the program's own
// lines in an operator's log; what goes wrong still shows.
type quieter struct{ slog.Handler }

func (q quieter) Enabled(ctx context.Context, l slog.Level) bool {
	return l >= slog.LevelWarn && q.Handler.Enabled(ctx, l)
}

func (q quieter) WithAttrs(attrs []slog.Attr) slog.Handler {
	return quieter{q.Handler.WithAttrs(attrs)}
}

func (q quieter) WithGroup(name string) slog.Handler { return quieter{q.Handler.WithGroup(name)} }
