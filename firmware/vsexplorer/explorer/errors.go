package explorer

import "errors"

var (
	// ErrUsage reports a command line that does not parse.
	ErrUsage = errors.New("usage")
	// ErrNotFound reports a path without a value.
	ErrNotFound = errors.New("no value")
)
