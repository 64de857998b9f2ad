package bus

import "time"

// Clock is the source of the server's handshake timers. A nil Clock in
// ServerOptions means the wall clock. Any type with these two methods
// will do, a test's own fake clock included; Ringo's fake clock and the
// Clock of iax, telephony/media and drivers/audio are the same shape, as
// their Timer is the same type.
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
