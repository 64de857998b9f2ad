package pulse

import "errors"

var (
	// ErrNoServer reports a server string with no usable entry.
	ErrNoServer = errors.New("pulse: no server address")
	// ErrConnect reports a failed connection or handshake.
	ErrConnect = errors.New("pulse: cannot connect to server")
	// ErrStream reports that the server refused to create a stream (for
	// instance a sink or source name it does not know).
	ErrStream = errors.New("pulse: cannot create stream")
	// ErrLost reports that the connection to the server broke.
	ErrLost = errors.New("pulse: connection lost")
)
