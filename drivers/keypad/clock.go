package keypad

import "time"

// Clock times long presses and the reopen backoff. Any type with these
// two methods will do; Ringo's fake clock (moved only when a test says)
// and the Clock of drivers/audio, iax and telephony/bus are the same
// shape, as their Timer is the same type.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has elapsed and returns a Timer that can
	// cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call; Stop prevents it and reports whether
// it was still pending. *time.Timer is one. It is an alias of an unnamed
// interface type, so a clock whose AfterFunc returns
// interface{ Stop() bool } satisfies Clock without importing this
// package.
type Timer = interface{ Stop() bool }
