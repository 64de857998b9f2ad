package flightmode

import "errors"

var (
	// ErrClosed is what Err reports, and Set returns, once the switch is
	// closed.
	ErrClosed = errors.New("flightmode: switch closed")
	// ErrBadConfig reports a debounce time that is not positive.
	ErrBadConfig = errors.New("flightmode: bad configuration")
	// ErrLine reports the switch's line failing; the switch stops
	// reading it (Done is closed) and keeps its last position.
	ErrLine = errors.New("flightmode: switch line failed")
)
