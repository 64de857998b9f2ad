package iax

import "time"

// Clock is the source of time and timers for an Endpoint: retransmission,
// registration refresh, call tokens and pings all run on it. A nil Clock
// in Config means the wall clock. Any type with these two methods will
// do, so a test can pass a fake clock it advances by hand; Ringo's own
// fake satisfies it, and so does a Clock of telephony/bus, telephony/media
// or drivers/audio, because their Timer is the same type.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has elapsed (on the wall clock, in its
	// own goroutine) and returns a Timer that can cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call; Stop prevents the call and reports
// whether it was still pending. *time.Timer is one. Timer is an alias of
// an unnamed interface type, so every clock type whose AfterFunc returns
// interface{ Stop() bool } satisfies Clock without importing this
// package.
type Timer = interface{ Stop() bool }
