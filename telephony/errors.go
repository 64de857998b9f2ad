package telephony

import "errors"

var (
	// ErrNoService reports a service that is not running or does not
	// provide the interface a request needs.
	ErrNoService = errors.New("telephony: no such service")
	// ErrUnknownCall reports a request for a call the service does not have.
	ErrUnknownCall = errors.New("telephony: unknown call")
	// ErrBadState reports a state, mode or action name that does not parse.
	ErrBadState = errors.New("telephony: unknown name")
	// ErrBadTransaction reports a malformed call-state message.
	ErrBadTransaction = errors.New("telephony: malformed call state message")
	// ErrClosed reports use of a closed service.
	ErrClosed = errors.New("telephony: service closed")
	// ErrBadNumber reports a dialled number or address that is refused
	// before it reaches a service (see CheckNumber).
	ErrBadNumber = errors.New("bad number")
	// ErrBadTones reports a DTMF string that is refused (see CheckTones).
	ErrBadTones = errors.New("bad tones")
)
