//go:build !linux

package keypad

import "fmt"

func openEvdev(spec string) (device, error) {
	return device{}, fmt.Errorf("%w (asked for %q)", ErrNotLinux, spec)
}
