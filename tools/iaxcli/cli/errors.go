package cli

import (
	"errors"

	"github.com/ringo-phone/ringo/internal/command"
)

var (
	// ErrUsage reports bad command-line arguments; iaxcli exits 2 on it.
	// It is command.ErrUsage.
	ErrUsage = command.ErrUsage
	// ErrNoSecret reports that no secret was given by any means.
	ErrNoSecret = errors.New("no secret (use -secret, IAX_SECRET, or standard input)")
	// ErrNotConnected reports a call that ended before it was answered.
	ErrNotConnected = errors.New("call not connected")
	// ErrCallFailed reports a call that ended abnormally.
	ErrCallFailed = errors.New("call failed")
)
