//go:build !linux

package gpioline

// System returns an Opener whose every open fails with ErrNotLinux.
func System() *Chips {
	return &Chips{load: func() ([]Chip, error) { return nil, ErrNotLinux }}
}
