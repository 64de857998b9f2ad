package supervise

import "errors"

var (
	// ErrConfig reports a Config that cannot be used.
	ErrConfig = errors.New("supervise: bad configuration")
	// ErrNotRestarted reports a program that ended and is not started
	// again: it exited 125 or the Restart rule said so.
	ErrNotRestarted = errors.New("not restarted")
	// ErrNotStarted reports a program that could not be started.
	ErrNotStarted = errors.New("cannot start")
	// ErrRunning reports a second Run of the same Supervisor.
	ErrRunning = errors.New("supervise: already run")
	// ErrClosed reports a start through a closed Spawner.
	ErrClosed = errors.New("supervise: spawner closed")
)
