package ctl

import (
	"errors"
	"fmt"

	"github.com/ringo-phone/ringo/internal/command"
)

var (
	// ErrUsage reports a command line that does not parse; phonectl exits
	// 2 on it. It is command.ErrUsage.
	ErrUsage = command.ErrUsage
	// ErrNoCall reports that no call fits the request.
	ErrNoCall = errors.New("no such call")
	// ErrTimeout reports a wait that ran out of time.
	ErrTimeout = errors.New("timed out")
	// ErrEnded reports a call that ended in another state than awaited.
	ErrEnded = errors.New("call ended")
	// ErrPassed reports a live call that can no longer reach the awaited
	// state (a Connected call awaited as Alerting).
	ErrPassed = errors.New("too late")
	// ErrGone reports a service that disappeared while waited on.
	ErrGone = errors.New("service gone")
)

// usageError is a usage mistake: its message, then a line saying where
// the usage is. It wraps ErrUsage.
type usageError struct{ msg, hint string }

func (e *usageError) Error() string { return e.msg + "\n" + e.hint }
func (e *usageError) Unwrap() error { return ErrUsage }

// usagef reports a mistake on the command line of cmd ("" for phonectl's
// own).
func usagef(cmd, format string, args ...any) error {
	hint := `Run "phonectl help" for the commands.`
	if cmd != "" {
		hint = fmt.Sprintf(`Run "phonectl help %s" for its usage.`, cmd)
	}
	return &usageError{msg: fmt.Sprintf(format, args...), hint: hint}
}
