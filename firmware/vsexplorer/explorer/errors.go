package explorer

import (
	"errors"

	"github.com/ringo-phone/ringo/internal/command"
)

var (
	// ErrUsage reports a command line that does not parse; vsexplorer
	// exits 2 on it. It is command.ErrUsage.
	ErrUsage = command.ErrUsage
	// ErrNotFound reports a path without a value.
	ErrNotFound = errors.New("no value")
)
