package gpioline

import "errors"

var (
	// ErrNotFound reports a chip or a line that is not there. Its text is
	// meant to read inside a sentence: "line PWRKEY not found on chip
	// gpio-sim.0".
	ErrNotFound = errors.New("not found")
	// ErrAmbiguous reports a line name found on several chips; the Spec
	// must then name the chip.
	ErrAmbiguous = errors.New("gpioline: line name on several chips")
	// ErrBusy reports a line already opened through the same Chips.
	ErrBusy = errors.New("gpioline: line already open")
	// ErrBadSpec reports a Spec that names no line or names it twice over.
	ErrBadSpec = errors.New("gpioline: bad line spec")
	// ErrClosed is returned by a line's methods after Close.
	ErrClosed = errors.New("gpioline: line closed")
	// ErrWaitFails reports a line whose edge wait keeps returning at once
	// without an edge: it is not configured for edges, or its file was
	// closed under it.
	ErrWaitFails = errors.New("gpioline: waiting for an edge fails at once")
	// ErrNoChips reports a machine with no GPIO character device.
	ErrNoChips = errors.New("gpioline: no GPIO chips")
	// ErrNotLinux is returned by System where there are no GPIO character
	// devices to open.
	ErrNotLinux = errors.New("gpioline: GPIO character devices are opened on Linux only")
)
