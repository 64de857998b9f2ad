// Package audio may import telephony/media, but not iax, not even through
// internal/.
package audio

import (
	"example.com/badmod/internal/bridge"
	"example.com/badmod/telephony/media"
)

// Play plays a frame.
func Play(f media.Frame) string { return bridge.Hello() }
