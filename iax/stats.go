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
	// OutOfWindow counts received full frames ignored because their
	// sequence numbers did not fit (see EndpointStats.OutOfWindow): an
	// INVAL that answers none of our frames, a hangup out of sequence, a
	// frame acknowledging frames never sent.
	OutOfWindow uint64
	// VoiceSent and VoiceReceived count voice frames, full and mini.
	VoiceSent, VoiceReceived uint64
	// VoiceLost estimates voice frames that never arrived, from gaps in
	// the 20 ms timestamps. A pause is not loss: a gap that ends with a
	// full voice frame (the sender resynchronised its timestamps after
	// not sending) or that a hold or unhold falls in. A frame that
	// arrives after a later one takes back one counted lost.
	VoiceLost uint64
	// Jitter is the interarrival jitter of received voice (RFC 3550
	// estimator over the IAX timestamps).
	Jitter time.Duration
	// RTT is the smoothed round-trip time (7/8 old + 1/8 new) measured
	// from acknowledgements of frames sent once; LastRTT is the latest
	// sample.
	RTT, LastRTT time.Duration
	// Remote is the peer's last receiver report (the RR IEs of its PONG),
	// how it hears us; zero until one arrives.
	Remote ReceiverReport
}

// ReceiverReport is what a PONG's RR_* elements say about received voice.
type ReceiverReport struct {
	Jitter      time.Duration // RR_JITTER
	LossPercent uint8         // RR_LOSS, top octet
	Lost        uint32        // RR_LOSS, low 24 bits
	Packets     uint32        // RR_PKTS
	Delay       time.Duration // RR_DELAY (jitter buffer delay)
	Dropped     uint32        // RR_DROPPED
	OutOfOrder  uint32        // RR_OOO
}

// add sums the counters of another transaction into st (a
// registration's several REGREQ and REGREL exchanges); RTT and LastRTT
// take o's when it has measured one.
func (st *Stats) add(o Stats) {
	st.FramesSent += o.FramesSent
	st.FramesReceived += o.FramesReceived
	st.Retransmissions += o.Retransmissions
	st.Duplicates += o.Duplicates
	st.OutOfOrder += o.OutOfOrder
	st.OutOfWindow += o.OutOfWindow
	if o.RTT > 0 {
		st.RTT, st.LastRTT = o.RTT, o.LastRTT
	}
}

// receiverReport is our side's report, sent in PONG.
func (st *Stats) receiverReport() IEs {
	var l IEs
	l.AddUint32(IERRJitter, uint32(st.Jitter/time.Millisecond))
	pct := uint64(0)
	if total := st.VoiceReceived + st.VoiceLost; total > 0 {
		pct = st.VoiceLost * 100 / total
	}
	l.AddUint32(IERRLoss, uint32(pct)<<24|uint32(min(st.VoiceLost, 0xffffff)))
	l.AddUint32(IERRPackets, uint32(st.VoiceReceived))
	l.AddUint16(IERRDelay, 0)
	l.AddUint32(IERRDropped, 0)
	l.AddUint32(IERROOO, uint32(st.OutOfOrder))
	return l
}

// parseReceiverReport reads the RR_* elements; ok is false when there are none.
func parseReceiverReport(l IEs) (ReceiverReport, bool) {
	if !l.Has(IERRPackets) && !l.Has(IERRLoss) && !l.Has(IERRJitter) {
		return ReceiverReport{}, false
	}
	u := func(t IEType) uint64 { v, _ := l.Uint(t); return v }
	loss := u(IERRLoss)
	return ReceiverReport{
		Jitter:      time.Duration(u(IERRJitter)) * time.Millisecond,
		LossPercent: uint8(loss >> 24),
		Lost:        uint32(loss & 0xffffff),
		Packets:     uint32(u(IERRPackets)),
		Delay:       time.Duration(u(IERRDelay)) * time.Millisecond,
		Dropped:     uint32(u(IERRDropped)),
		OutOfOrder:  uint32(u(IERROOO)),
	}, true
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
