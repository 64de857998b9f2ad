package modem

import "time"

// Clock is the source of the channel's command timeouts and settle
// delays. A nil Clock in Options means the wall clock. Ringo's fake clock
// and the Clock of iax, telephony/bus and drivers/audio are the same
// shape, as their Timer is the same type.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has elapsed and returns a Timer that can
	// cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call; Stop prevents the call and reports
// whether it was still pending. It is an alias of an unnamed interface
// type, so any clock whose AfterFunc returns interface{ Stop() bool }
// satisfies Clock without importing this package.
type Timer = interface{ Stop() bool }

type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
func (wallClock) AfterFunc(d time.Duration, f func()) Timer {
	return time.AfterFunc(d, f)
}
