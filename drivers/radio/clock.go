package radio

import "time"

// Clock times the pulses and the waits for STATUS. Any type with these
// two methods will do; Ringo's fake clock (moved only when a test says)
// and the Clock of the other drivers are the same shape, as their Timer
// is the same type.
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

type wallClock struct{}

func (wallClock) Now() time.Time                            { return time.Now() }
func (wallClock) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

func orWall(c Clock) Clock {
	if c == nil {
		return wallClock{}
	}
	return c
}
