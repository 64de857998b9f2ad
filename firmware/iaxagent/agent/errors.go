package agent

import "errors"

var (
	// ErrStopped means the agent was stopped.
	ErrStopped = errors.New("iaxagent: stopped")
	// ErrNotConfigured means Asterisk.conf names no server.
	ErrNotConfigured = errors.New("iaxagent: no Asterisk server configured")
)
