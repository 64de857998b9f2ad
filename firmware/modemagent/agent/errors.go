package agent

import "errors"

var (
	// ErrStopped means the agent was stopped.
	ErrStopped = errors.New("modemagent: stopped")
	// ErrNoPort means no modem port was given.
	ErrNoPort = errors.New("modemagent: no modem port")
	// ErrPIN reports a PIN file that cannot be used.
	ErrPIN = errors.New("modemagent: PIN file")
)
