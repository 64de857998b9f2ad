package pbx

import "errors"

var (
	// ErrConfig reports a configuration file or value that cannot be used.
	ErrConfig = errors.New("bad configuration")
	// ErrClosed is returned once the PBX has been closed.
	ErrClosed = errors.New("pbx: closed")
)
