package radio

import (
	"fmt"
	"time"
)

// Timing holds the lengths of the power sequences. Every one must be
// positive.
type Timing struct {
	// VBATSettle is the wait between VBAT on and PWRKEY (≥ 30 ms on the
	// EG25-G).
	VBATSettle time.Duration
	// PowerOnPulse is how long PWRKEY is held to power on. On the EG25-G
	// 100–650 ms means on and 650 ms or more means off, so it must be
	// shorter than PowerOffPulse.
	PowerOnPulse time.Duration
	// PowerOnTimeout is how long STATUS may take to say powered after
	// PWRKEY is released.
	PowerOnTimeout time.Duration
	// PowerOffPulse is how long PWRKEY is held to power off.
	PowerOffPulse time.Duration
	// PowerOffTimeout is how long STATUS may take to say off before VBAT
	// is cut anyway.
	PowerOffTimeout time.Duration
	// ResetPulse is how long RESET is held (150–460 ms on the EG25-G).
	ResetPulse time.Duration
}

// EG25G is the Quectel EG25-G's timing, as the mainline PinePhone's
// modem-power driver and Quectel's hardware design guide give it.
var EG25G = Timing{
	VBATSettle:      50 * time.Millisecond,
	PowerOnPulse:    550 * time.Millisecond,
	PowerOnTimeout:  10 * time.Second,
	PowerOffPulse:   800 * time.Millisecond,
	PowerOffTimeout: 30 * time.Second,
	ResetPulse:      300 * time.Millisecond,
}

// Check reports the first length that is missing or impossible.
func (t Timing) Check() error {
	for _, f := range []struct {
		name, what string
		d          time.Duration
	}{
		{"VBATSettle", "the wait between VBAT on and PWRKEY (the EG25-G needs at least 30ms)", t.VBATSettle},
		{"PowerOnPulse", "how long PWRKEY is held to power on (550ms on the EG25-G)", t.PowerOnPulse},
		{"PowerOnTimeout", "how long STATUS may take to say powered (10s on the EG25-G)", t.PowerOnTimeout},
		{"PowerOffPulse", "how long PWRKEY is held to power off (800ms on the EG25-G)", t.PowerOffPulse},
		{"PowerOffTimeout", "how long STATUS may take to say off (30s on the EG25-G)", t.PowerOffTimeout},
		{"ResetPulse", "how long RESET is held (150ms to 460ms on the EG25-G)", t.ResetPulse},
	} {
		if f.d <= 0 {
			return fmt.Errorf("%w: %s is %v: give %s", ErrBadTiming, f.name, f.d, f.what)
		}
	}
	if t.PowerOnPulse >= t.PowerOffPulse {
		return fmt.Errorf("%w: PowerOnPulse %v is not shorter than PowerOffPulse %v: a PWRKEY press that long powers the modem off",
			ErrBadTiming, t.PowerOnPulse, t.PowerOffPulse)
	}
	return nil
}
