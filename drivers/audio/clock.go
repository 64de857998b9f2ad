package audio

import "time"

// Clock paces Sources and Sinks: frame n is released at n·20 ms of it. A
// nil Clock means unpaced (as fast as the caller, for converting files);
// pass the wall clock to pace like a sound card. Any type with these two
// methods will do, a test's fake clock that moves only when told
// included; Ringo's fake clock and the Clock of iax and telephony/bus are
// the same shape, as their Timer is the same type.
type Clock interface {
	Now() time.Time
	// AfterFunc calls f once d has elapsed and returns a Timer that can
	// cancel the call.
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call; Stop prevents the call and reports
// whether it was still pending. *time.Timer is one. Timer is an alias of
// an unnamed interface type, so a clock whose AfterFunc returns
// interface{ Stop() bool } satisfies Clock without importing this
// package.
type Timer = interface{ Stop() bool }
