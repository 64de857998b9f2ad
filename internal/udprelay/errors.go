package udprelay

import "errors"

var (
	// ErrBadConfig reports probabilities outside [0, 1].
	ErrBadConfig = errors.New("udprelay: bad impairment configuration")
	// ErrClosed is returned once the relay has been closed.
	ErrClosed = errors.New("udprelay: relay closed")
)
