package delivery

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
)

func TestQuieter(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(quieter{slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug})}).With("component", "river")
	log.Info("producer: Producer job counts")
	log.Debug("fetched")
	log.Warn("job rescued")
	got := buf.String()
	if strings.Contains(got, "Producer job counts") || strings.Contains(got, "fetched") {
		t.Errorf("records below Warn passed:\n%s", got)
	}
	if !strings.Contains(got, "job rescued") || !strings.Contains(got, "component=river") {
		t.Errorf("the warning or its attributes are missing:\n%s", got)
	}
}
