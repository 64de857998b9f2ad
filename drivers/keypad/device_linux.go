//go:build linux

package keypad

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"

	evdev "github.com/holoplot/go-evdev"
)

// openEvdev finds the input device spec names (a path, or a device name
// matched against every /dev/input node's), checks with go-evdev that it
// is an evdev node, and opens it for reading. The read side is a plain
// pollable file, so closing it ends a blocked read at once.
func openEvdev(spec string) (device, error) {
	path := spec
	if !strings.HasPrefix(spec, "/") {
		p, err := findByName(spec)
		if err != nil {
			return device{}, err
		}
		path = p
	}
	probe, err := evdev.OpenWithFlags(path, os.O_RDONLY)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return device{}, fmt.Errorf("%w at %s: %w (is the evdev module loaded, and the device's driver?)", ErrNoDevice, path, err)
		}
		return device{}, fmt.Errorf("keypad: %s is not a usable input device: %w", path, err)
	}
	probe.Close()
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if err != nil {
		return device{}, fmt.Errorf("keypad: open %s: %w", path, err)
	}
	return device{rc: f, path: path}, nil
}

func findByName(name string) (string, error) {
	list, err := evdev.ListDevicePaths()
	if err != nil {
		return "", fmt.Errorf("%w named %q: cannot list /dev/input: %w (is devtmpfs mounted and evdev loaded?)", ErrNoDevice, name, err)
	}
	var seen []string
	for _, d := range list {
		if d.Name == name {
			return d.Path, nil
		}
		seen = append(seen, fmt.Sprintf("%q at %s", d.Name, d.Path))
	}
	if len(seen) == 0 {
		return "", fmt.Errorf("%w named %q: /dev/input has no input devices (is the evdev module loaded?)", ErrNoDevice, name)
	}
	return "", fmt.Errorf("%w named %q (there are: %s); is its driver loaded?", ErrNoDevice, name, strings.Join(seen, ", "))
}

// Find returns the path of the input device spec names (a path, or a
// device name), without opening it: for a report of what is there.
func Find(spec string) (string, error) {
	if strings.HasPrefix(spec, "/") {
		if _, err := os.Stat(spec); err != nil {
			return "", fmt.Errorf("%w at %s: %w (is the evdev module loaded, and the device's driver?)", ErrNoDevice, spec, err)
		}
		return spec, nil
	}
	return findByName(spec)
}
