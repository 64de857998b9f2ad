package agent

import "errors"

var (
	// ErrStopped means the agent was stopped.
	ErrStopped = errors.New("iaxagent: stopped")
	// ErrNotConfigured means Asterisk.conf names no server, or no
	// account (UserId) on it.
	ErrNotConfigured = errors.New("iaxagent: no Asterisk server or account configured")
)
