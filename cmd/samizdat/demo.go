package main

import (
	"context"
	"fmt"
	"io"
)

func cmdDemo(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlags("demo", "Usage: samizdat demo\n\nLoads the demo publication: stories, pages and a demo editor. Running it again changes nothing.\n", stderr)
	if err := fs.Parse(args); err != nil {
		return err
	}
	return fmt.Errorf("demo content is not written yet")
}
