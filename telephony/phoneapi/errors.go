package phoneapi

import "errors"

var (
	// ErrDial reports a dial request phoned refused (no network, rejected,
	// a choice needed); the text is phoned's reason.
	ErrDial = errors.New("dial refused")
	// ErrRefused reports another request phoned refused.
	ErrRefused = errors.New("refused by phoned")
	// ErrNoReply reports that phoned did not answer a request.
	ErrNoReply = errors.New("phoned did not answer")
)
