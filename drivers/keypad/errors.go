package keypad

import "errors"

var (
	// ErrNoDevice reports an input device that is not there (no node at
	// the path, no device of that name).
	ErrNoDevice = errors.New("keypad: no such input device")
	// ErrBadKeymap reports an empty keymap or one mapping a code to no key.
	ErrBadKeymap = errors.New("keypad: bad keymap")
	// ErrBadKey reports a key name ParseKey does not know.
	ErrBadKey = errors.New("keypad: no such key")
	// ErrBadOption reports an option out of range (a zero long-press time,
	// a backoff whose maximum is below its minimum).
	ErrBadOption = errors.New("keypad: bad option")
	// ErrNoClock reports a nil Clock.
	ErrNoClock = errors.New("keypad: no clock")
	// ErrClosed is what Err reports once the keypad is closed.
	ErrClosed = errors.New("keypad: closed")
	// ErrNotLinux is returned by Open where there is no evdev.
	ErrNotLinux = errors.New("keypad: input devices are opened on Linux only")
)
