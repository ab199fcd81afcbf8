package demo

import (
	"bytes"
	"crypto/sha256"
	"image"
	"image/color"
	"image/png"
)

// avatarSize is the side of a demo account's avatar, in pixels: about what
// Mastodon serves as a small avatar.
const avatarSize = 120

// drawAvatar draws a demo account's avatar: a five-by-five pattern,
// mirrored left to right, in the account's colour on a pale ground, picked
// by a hash of seed so each account keeps its own. The same seed always
// gives the same PNG bytes.
func drawAvatar(seed string, fg color.RGBA) ([]byte, error) {
	sum := sha256.Sum256([]byte(seed))
	bg := mix(fg, color.RGBA{0xff, 0xff, 0xff, 0xff}, 0.85)
	img := image.NewRGBA(image.Rect(0, 0, avatarSize, avatarSize))
	const margin, cell = 10, (avatarSize - 2*10) / 5
	for y := range avatarSize {
		for x := range avatarSize {
			img.SetRGBA(x, y, bg)
		}
	}
	for row := range 5 {
		for col := range 3 {
			if sum[row*3+col]&1 == 0 {
				continue
			}
			for _, c := range []int{col, 4 - col} {
				for y := margin + row*cell; y < margin+(row+1)*cell; y++ {
					for x := margin + c*cell; x < margin+(c+1)*cell; x++ {
						img.SetRGBA(x, y, fg)
					}
				}
			}
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
