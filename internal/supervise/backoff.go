package supervise

import (
	"fmt"
	"time"
)

// Backoff is the delay before each restart.
type Backoff struct {
	// Initial is the first delay; it doubles after every crash up to Max.
	Initial time.Duration
	Max     time.Duration
	// Healthy: a run that lasted longer than this starts the delays over
	// from Initial. Zero means Max.
	Healthy time.Duration
	// Jitter shortens each delay by up to this fraction of it, at random
	// (0 ≤ Jitter < 1): a delay is within [(1-Jitter)·d, d], so it never
	// exceeds Max.
	Jitter float64
}

func (b Backoff) check() error {
	switch {
	case b.Initial <= 0:
		return fmt.Errorf("%w: Backoff.Initial must be positive, got %v", ErrConfig, b.Initial)
	case b.Max < b.Initial:
		return fmt.Errorf("%w: Backoff.Max (%v) is shorter than Backoff.Initial (%v)", ErrConfig, b.Max, b.Initial)
	case b.Healthy < 0:
		return fmt.Errorf("%w: Backoff.Healthy must not be negative, got %v", ErrConfig, b.Healthy)
	case !(b.Jitter >= 0 && b.Jitter < 1):
		return fmt.Errorf("%w: Backoff.Jitter must be in [0, 1), got %v", ErrConfig, b.Jitter)
	}
	return nil
}

// next returns the delay before the jitter that follows cur (0 before
// the first restart) after a run that lasted ran.
func (b Backoff) next(cur, ran time.Duration) time.Duration {
	healthy := b.Healthy
	if healthy == 0 {
		healthy = b.Max
	}
	if cur <= 0 || ran > healthy {
		return b.Initial
	}
	return min(2*cur, b.Max)
}

// jitter shortens d by the fraction Jitter·r of it; r is in [0, 1).
func (b Backoff) jitter(d time.Duration, r float64) time.Duration {
	r = min(max(r, 0), 1)
	return d - time.Duration(float64(d)*b.Jitter*r)
}
