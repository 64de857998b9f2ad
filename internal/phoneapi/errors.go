package phoneapi

import "errors"

var (
	// ErrDial reports a dial request phoned refused (no network, rejected,
	// a choice needed); the text is phoned's reason.
	ErrDial = errors.New("dial refused")
	// ErrNoReply reports that phoned did not answer a request.
	ErrNoReply = errors.New("phoned did not answer")
)
