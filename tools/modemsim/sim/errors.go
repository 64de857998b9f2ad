package sim

import "errors"

var (
	// ErrVanished ends Serve when the modem vanished ("vanish").
	ErrVanished = errors.New("modemsim: the modem vanished")
	// ErrControl reports a control command that cannot be done.
	ErrControl = errors.New("modemsim")
	// ErrConfig reports a configuration (flags, script) that is wrong.
	ErrConfig = errors.New("modemsim: configuration")
)
