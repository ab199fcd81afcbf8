package web

import (
	"bytes"
	"fmt"
	"testing"

	"samizdat/content/store"
)

// The image cache stays within its bytes, drops the least recently used
// first, and keeps no image larger than an eighth of it.
func TestMediaCache_Bounded(t *testing.T) {
	t.Parallel()
	c := newMediaCache(800)
	img := func(i, n int) *store.Media {
		return &store.Media{Name: fmt.Sprintf("%d.png", i), Content: bytes.Repeat([]byte{byte(i)}, n)}
	}
	for i := range 8 {
		c.put(img(i, 100))
	}
	if c.size != 800 || c.get("0.png") == nil {
		t.Fatalf("8 images of 100 bytes in 800: size %d, first kept %v", c.size, c.get("0.png") != nil)
	}
	// 0 was just used; 1 is now the least recently used and goes first.
	c.put(img(8, 100))
	if c.get("1.png") != nil || c.get("0.png") == nil || c.get("8.png") == nil {
		t.Errorf("after one more: 1 kept %v, 0 kept %v, 8 kept %v; want 1 dropped", c.get("1.png") != nil, c.get("0.png") != nil, c.get("8.png") != nil)
	}
	if c.size > 800 {
		t.Errorf("size %d over the bound 800", c.size)
	}
	c.put(img(9, 101))
	if c.get("9.png") != nil {
		t.Error("an image larger than an eighth of the cache was kept")
	}
	if got := c.get("8.png"); got == nil || !bytes.Equal(got.Content, img(8, 100).Content) {
		t.Error("the cache returned another image")
	}
}
