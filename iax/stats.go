package iax

import "time"

// Stats counts what one call (or registration transaction) exchanged.
type Stats struct {
	// FramesSent and FramesReceived count full frames that take part in
	// reliable delivery (ACKs excluded on send).
	FramesSent, FramesReceived uint64
	// Retransmissions counts full frames sent again (timeout or VNAK).
	Retransmissions uint64
	// Duplicates and OutOfOrder count received full frames that were
	// already seen, or arrived ahead of a gap.
	Duplicates, OutOfOrder uint64
	// VoiceSent and VoiceReceived count voice frames, full and mini.
	VoiceSent, VoiceReceived uint64
	// VoiceLost estimates voice frames that never arrived, from gaps in
	// the 20 ms timestamps.
	VoiceLost uint64
	// Jitter is the interarrival jitter of received voice (RFC 3550
	// estimator over the IAX timestamps).
	Jitter time.Duration
	// RTT is the smoothed round-trip time (7/8 old + 1/8 new) measured
	// from acknowledgements of frames sent once; LastRTT is the latest
	// sample.
	RTT, LastRTT time.Duration
}

// jitterEstimator follows RFC 3550 §6.4.1: J += (|D| - J)/16.
type jitterEstimator struct {
	started bool
	lastTS  uint32
	lastAt  time.Time
	j       float64 // milliseconds
}

func (e *jitterEstimator) add(ts uint32, at time.Time) {
	if e.started {
		d := float64(at.Sub(e.lastAt))/float64(time.Millisecond) - float64(int64(ts)-int64(e.lastTS))
		if d < 0 {
			d = -d
		}
		e.j += (d - e.j) / 16
	}
	e.started, e.lastTS, e.lastAt = true, ts, at
}

func (e *jitterEstimator) value() time.Duration {
	return time.Duration(e.j * float64(time.Millisecond))
}
