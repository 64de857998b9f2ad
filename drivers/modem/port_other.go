//go:build !linux

package modem

import (
	"errors"
	"os"
)

// makeRaw is written for Linux only: elsewhere a tty keeps its mode, and
// a speed cannot be set.
func makeRaw(f *os.File, baud int) error {
	if baud != 0 {
		return errors.New("setting a baud rate is implemented on Linux only")
	}
	return nil
}
