package server

import "errors"

var (
	// ErrConfig reports configuration phoned cannot run with; phoned exits
	// 125 ("do not restart me") on it. Main prefixes it with "phoned: ".
	ErrConfig = errors.New("bad configuration")
	// ErrServiceFile reports a service file that cannot be used.
	ErrServiceFile = errors.New("phoned: bad service file")
	// ErrClosed reports use of a stopped server.
	ErrClosed = errors.New("phoned: stopped")
)
