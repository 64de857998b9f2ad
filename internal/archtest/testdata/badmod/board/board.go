// Package board may import drivers.
package board

import "example.com/badmod/drivers/audio"

// Up brings the board up.
func Up() string { return audio.Play(nil) }
