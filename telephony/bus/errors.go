package bus

import "errors"

var (
	// ErrShortMessage reports a message that ends before its fields do.
	ErrShortMessage = errors.New("bus: message too short")
	// ErrTrailingBytes reports bytes after the last field of a message.
	ErrTrailingBytes = errors.New("bus: trailing bytes after message")
	// ErrBadMessage reports a field with an impossible value.
	ErrBadMessage = errors.New("bus: malformed message")
	// ErrUnknownOp reports a message type this version does not know.
	ErrUnknownOp = errors.New("bus: unknown message type")
	// ErrTooLarge reports a frame longer than the maximum message size.
	ErrTooLarge = errors.New("bus: message too large")
	// ErrVersion reports a handshake with an unsupported protocol version.
	ErrVersion = errors.New("bus: unsupported protocol version")
	// ErrHandshake reports a connection that did not start with Hello.
	ErrHandshake = errors.New("bus: bad handshake")
	// ErrClosed reports use of a closed client or server.
	ErrClosed = errors.New("bus: closed")
	// ErrSlowReader reports a connection dropped because it did not read
	// its messages and its outgoing queue overflowed.
	ErrSlowReader = errors.New("bus: peer does not read; queue overflow")
	// ErrInUse reports a socket path another live server is listening on.
	ErrInUse = errors.New("bus: socket in use")
	// ErrRemote wraps an error the server reported for a request.
	ErrRemote = errors.New("bus: server refused request")
)
