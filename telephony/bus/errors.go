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
	// ErrFull reports a server at its client limit whose clients all hold
	// something (subscriptions, channels, values), so none was closed to
	// make room.
	ErrFull = errors.New("bus: server at its client limit")
	// ErrEvicted reports a connection the server closed to make room: it
	// held nothing and was the least recently active.
	ErrEvicted = errors.New("bus: connection closed to make room")
	// ErrStalledFrame reports a client that stopped in the middle of a
	// frame.
	ErrStalledFrame = errors.New("bus: frame not completed in time")
	// ErrTooManyPartial reports a frame that would take the bytes held for
	// unfinished frames past the server's limit.
	ErrTooManyPartial = errors.New("bus: too many bytes in unfinished frames")
	// ErrRemote wraps an error the server reported for a request.
	ErrRemote = errors.New("bus: server refused request")
)
