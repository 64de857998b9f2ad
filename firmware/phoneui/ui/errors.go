package ui

import "errors"

var (
	// ErrNotTerminal reports that phoneui was started without a terminal
	// to draw on.
	ErrNotTerminal = errors.New("no terminal")
	// ErrTerminalType reports a TERM the terminal database does not know.
	ErrTerminalType = errors.New("unknown terminal type")
	// ErrNotConnected reports a request made while phoned is not connected.
	ErrNotConnected = errors.New("not connected to phoned")
)
