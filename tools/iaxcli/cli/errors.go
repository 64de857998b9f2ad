package cli

import "errors"

var (
	// ErrUsage reports bad command-line arguments.
	ErrUsage = errors.New("iaxcli: usage")
	// ErrNoSecret reports that no secret was given by any means.
	ErrNoSecret = errors.New("iaxcli: no secret (use -secret, IAX_SECRET, or standard input)")
	// ErrNotConnected reports a call that ended before it was answered.
	ErrNotConnected = errors.New("iaxcli: call not connected")
	// ErrCallFailed reports a call that ended abnormally.
	ErrCallFailed = errors.New("iaxcli: call failed")
)
