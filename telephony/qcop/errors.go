package qcop

import "errors"

var (
	// ErrArg reports a message argument that is missing or of the wrong type.
	ErrArg = errors.New("qcop: bad argument")
	// ErrNoReceiver reports a message nobody received.
	ErrNoReceiver = errors.New("qcop: no receiver on channel")
)
