package ctl

import "errors"

var (
	// ErrUsage reports a command line that does not parse.
	ErrUsage = errors.New("usage")
	// ErrNoCall reports that no call fits the request.
	ErrNoCall = errors.New("no such call")
	// ErrTimeout reports a wait that ran out of time.
	ErrTimeout = errors.New("timed out")
	// ErrEnded reports a call that ended in another state than awaited.
	ErrEnded = errors.New("call ended")
	// ErrGone reports a service that disappeared while waited on.
	ErrGone = errors.New("service gone")
)
