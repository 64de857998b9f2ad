//go:build !linux

package keypad

import "fmt"

func openEvdev(spec string) (device, error) {
	return device{}, fmt.Errorf("%w (asked for %q)", ErrNotLinux, spec)
}

// Find returns the path of the input device spec names; Linux only.
func Find(spec string) (string, error) {
	return "", fmt.Errorf("%w (asked for %q)", ErrNotLinux, spec)
}
