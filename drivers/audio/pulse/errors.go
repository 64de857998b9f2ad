package pulse

import "errors"

var (
	// ErrNoServer reports that no PulseAudio server address could be
	// worked out (no Config.Server, PULSE_SERVER or XDG_RUNTIME_DIR).
	ErrNoServer = errors.New("pulse: no server address")
	// ErrConnect reports a failed connection or handshake.
	ErrConnect = errors.New("pulse: cannot connect to server")
	// ErrStream reports that the server refused to create a stream (for
	// instance a sink or source name it does not know).
	ErrStream = errors.New("pulse: cannot create stream")
	// ErrLost reports that the connection to the server broke.
	ErrLost = errors.New("pulse: connection lost")
)
