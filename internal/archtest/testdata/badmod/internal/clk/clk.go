// Package clk is an internal package: no library's exported API may
// mention its types.
package clk

import "time"

// Clock reads the time.
type Clock interface{ Now() time.Time }

// Timer is a pending call.
type Timer struct{}
