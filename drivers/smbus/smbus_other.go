//go:build !linux

package smbus

import "fmt"

// Open reports ErrNotLinux: there is no i2c-dev here.
func Open(n int) (*Bus, error) { return nil, fmt.Errorf("%w (asked for i2c-%d)", ErrNotLinux, n) }

// Find reports ErrNotLinux: there is no /sys/bus/i2c here.
func Find(name string) (int, error) { return 0, fmt.Errorf("%w (asked for %q)", ErrNotLinux, name) }

// OpenByName reports ErrNotLinux.
func OpenByName(name string) (*Bus, error) {
	return nil, fmt.Errorf("%w (asked for %q)", ErrNotLinux, name)
}
