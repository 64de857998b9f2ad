package media

import (
	"fmt"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// JitterConfig configures a JitterBuffer. Delays are rounded up to whole
// frames.
type JitterConfig struct {
	// MinDelay is the least audio kept queued ahead of the speaker, the
	// floor of the target delay. Default 40 ms; at least one frame.
	MinDelay time.Duration
	// MaxDelay bounds the queue: beyond it the oldest frames are dropped.
	// Default 300 ms; at least MinDelay.
	MaxDelay time.Duration
	// Clock gives arrival times (nil: the wall clock).
	Clock Clock
}

// Clock is where a JitterBuffer reads the time. Any type with a Now
// method will do, a test's fake clock that moves only when told included;
// the Clock of iax, telephony/bus and drivers/audio, and Ringo's own fake,
// all have it.
type Clock interface {
	Now() time.Time
}

// Play says what Get wrote into the frame.
type Play int

const (
	// PlayFrame: a received frame, in order.
	PlayFrame Play = iota
	// PlayConcealed: no frame was due or the due one is missing; the last
	// frame was repeated, attenuated.
	PlayConcealed
	// PlaySilence: nothing to play (buffering before the first frame, or
	// concealment has faded out).
	PlaySilence
)

func (p Play) String() string {
	switch p {
	case PlayFrame:
		return "Frame"
	case PlayConcealed:
		return "Concealed"
	case PlaySilence:
		return "Silence"
	}
	return fmt.Sprintf("Play(%d)", int(p))
}

// PutResult says what Put did with a frame.
type PutResult int

const (
	// PutAccepted: queued for playout.
	PutAccepted PutResult = iota
	// PutDuplicate: the same timestamp was already received; ignored.
	PutDuplicate
	// PutLate: its playout time has passed; dropped. The buffer grows.
	PutLate
	// PutResync: the timestamp jumped beyond what the buffer can bridge;
	// the queue was flushed and buffering restarts at this frame.
	PutResync
)

func (r PutResult) String() string {
	switch r {
	case PutAccepted:
		return "Accepted"
	case PutDuplicate:
		return "Duplicate"
	case PutLate:
		return "Late"
	case PutResync:
		return "Resync"
	}
	return fmt.Sprintf("PutResult(%d)", int(r))
}

// JitterStats are a JitterBuffer's counters and current measurements.
type JitterStats struct {
	Received   uint64 // frames given to Put
	Played     uint64 // frames played (PlayFrame)
	Duplicates uint64 // frames received twice
	Late       uint64 // frames that arrived after their playout time
	Lost       uint64 // playout slots whose frame had not arrived (some may arrive late)
	Concealed  uint64 // PlayConcealed outputs
	Underruns  uint64 // Gets that found nothing queued at all
	Dropped    uint64 // received frames discarded to shrink or bound the delay
	Resyncs    uint64 // timestamp jumps that restarted buffering

	// Jitter is the interarrival jitter estimate (mean deviation of
	// transit time, smoothed as in RFC 3550 §6.4.1).
	Jitter time.Duration
	// Delay is the audio queued ahead of the speaker at the last Get,
	// counting the frame then being played.
	Delay time.Duration
	// Target is the delay the buffer does not shrink below: MinDelay, or
	// more when the measured jitter or late frames call for it.
	Target time.Duration
}

// jitterWindow is how many Gets the buffer watches before shrinking by one
// frame: 25 frames, half a second.
const jitterWindow = 25

// JitterBuffer reorders received frames by timestamp and hands them out one
// per 20 ms tick, hiding network jitter behind a small adaptive delay.
//
// The receiver calls Put as frames arrive; the playout side calls Get once
// per frame period (paced by the audio device). The queue depth follows the
// network: when nothing is queued at a Get (underrun), or a frame arrives
// after its slot was played (late), the buffer holds the playout position for
// one tick, adding a frame of delay; when every Get of the last half second
// found more frames queued than the target needs, it drops one frame,
// removing a frame of delay. The target is 1 + ⌈2·jitter / 20 ms⌉ frames, at
// least MinDelay, raised by one for each late frame and lowered by at most
// one frame per half second without late frames; the queue never exceeds
// MaxDelay. A missing frame with later ones queued is concealed by repeating
// the last frame at 3/4, 2/4, 1/4 of its level, then silence; a run of
// missing frames while more than target+1 frames are queued (the tail of an
// outage) is skipped rather than played out.
//
// Put and Get may be called from different goroutines; neither allocates.
type JitterBuffer struct {
	clk        Clock
	minF, maxF int

	mu   sync.Mutex
	ring []jbSlot
	mask int64

	streaming bool // a frame was received since the start or a resync
	playing   bool // buffering done: Get plays
	next      int64
	maxIdx    int64
	lastExt   int64
	first     time.Time // arrival of the first frame of the stream
	epoch     time.Time // arrival time that frame index 0 would have had with no delay
	prevTr    time.Duration
	jitter    float64 // nanoseconds

	lateBoost  int  // frames added to the target by late arrivals
	hold       bool // a late frame asked for one frame of delay
	winN       int
	winMin     int64
	winLate    bool
	history    uint64 // bit k: frame next-1-k was received
	last       Frame
	concealRun int
	depth      int64

	st JitterStats
}

type jbSlot struct {
	idx   int64
	valid bool
	pcm   Frame
}

// NewJitterBuffer returns an empty buffer.
func NewJitterBuffer(cfg JitterConfig) (*JitterBuffer, error) {
	if cfg.MinDelay == 0 {
		cfg.MinDelay = 40 * time.Millisecond
	}
	if cfg.MaxDelay == 0 {
		cfg.MaxDelay = max(300*time.Millisecond, cfg.MinDelay)
	}
	if cfg.MinDelay < 0 || cfg.MaxDelay < cfg.MinDelay {
		return nil, fmt.Errorf("%w: MinDelay %v, MaxDelay %v (want 0 < MinDelay ≤ MaxDelay)", ErrBadConfig, cfg.MinDelay, cfg.MaxDelay)
	}
	if cfg.MaxDelay > 10*time.Second {
		return nil, fmt.Errorf("%w: MaxDelay %v (want at most 10s)", ErrBadConfig, cfg.MaxDelay)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	frames := func(d time.Duration) int { return int((d + FrameDuration - 1) / FrameDuration) }
	b := &JitterBuffer{clk: cfg.Clock, minF: frames(cfg.MinDelay), maxF: frames(cfg.MaxDelay)}
	n := 1
	for n < 2*b.maxF+2 {
		n <<= 1
	}
	b.ring = make([]jbSlot, n)
	b.mask = int64(n - 1)
	return b, nil
}

// Put queues the frame pcm with RTP-style timestamp ts (in samples at
// 8 kHz: frame k of a stream has ts = start + 160·k; 32-bit wraparound is
// handled). Timestamps are rounded to the nearest frame, so IAX2's
// millisecond timestamps multiplied by 8 work even when the sender stamps
// real time (0, 21, 39, 61 ms...).
func (b *JitterBuffer) Put(ts uint32, pcm *Frame) PutResult {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	b.st.Received++
	if !b.streaming {
		b.restart(int64(ts), now, pcm)
		return PutAccepted
	}
	ext := b.lastExt + int64(int32(ts-uint32(b.lastExt)))
	b.lastExt = max(b.lastExt, ext)
	idx := floorDiv(ext+FrameSamples/2, FrameSamples)

	switch {
	case idx < b.next:
		age := b.next - idx
		if age <= 64 && b.history>>(age-1)&1 == 1 {
			b.st.Duplicates++
			return PutDuplicate
		}
		if age > int64(len(b.ring))*8 { // the sender restarted its clock
			b.resync(ext, now, pcm)
			return PutResync
		}
		b.measure(idx, now)
		b.st.Late++
		b.winLate = true
		if b.minF+b.lateBoost < b.maxF {
			b.lateBoost++
		}
		b.hold = true
		return PutLate
	case idx > b.maxIdx+int64(b.maxF) && idx >= b.next+int64(b.maxF):
		b.resync(ext, now, pcm)
		return PutResync
	}
	for idx >= b.next+int64(len(b.ring)) { // playout stalled: make room
		b.skip()
	}
	s := &b.ring[idx&b.mask]
	if s.valid && s.idx == idx {
		b.st.Duplicates++
		return PutDuplicate
	}
	b.measure(idx, now)
	s.idx, s.valid, s.pcm = idx, true, *pcm
	b.maxIdx = max(b.maxIdx, idx)
	return PutAccepted
}

// restart begins a new stream at extended timestamp ext.
func (b *JitterBuffer) restart(ext int64, now time.Time, pcm *Frame) {
	idx := floorDiv(ext+FrameSamples/2, FrameSamples)
	b.streaming, b.playing = true, false
	b.lastExt, b.next, b.maxIdx = ext, idx, idx
	b.first = now
	b.epoch = now.Add(-time.Duration(idx) * FrameDuration)
	b.prevTr = 0
	b.history = 0
	b.winN, b.winMin, b.winLate = 0, 0, false
	s := &b.ring[idx&b.mask]
	s.idx, s.valid, s.pcm = idx, true, *pcm
}

func (b *JitterBuffer) resync(ext int64, now time.Time, pcm *Frame) {
	for i := range b.ring {
		if b.ring[i].valid {
			b.ring[i].valid = false
			b.st.Dropped++
		}
	}
	b.st.Resyncs++
	b.restart(ext, now, pcm)
}

// measure updates the jitter estimate with frame idx arriving at now.
func (b *JitterBuffer) measure(idx int64, now time.Time) {
	transit := now.Sub(b.epoch) - time.Duration(idx)*FrameDuration
	d := transit - b.prevTr
	b.prevTr = transit
	if d < 0 {
		d = -d
	}
	b.jitter += (float64(d) - b.jitter) / 16
}

// targetFrames is the depth the buffer does not shrink below.
func (b *JitterBuffer) targetFrames() int {
	t := 1 + int((2*b.jitter+float64(FrameDuration)-1)/float64(FrameDuration))
	t = max(t, b.minF) + b.lateBoost
	return min(t, b.maxF)
}

func (b *JitterBuffer) has(idx int64) bool {
	s := &b.ring[idx&b.mask]
	return s.valid && s.idx == idx
}

// skip advances the playout position by one frame without playing it.
func (b *JitterBuffer) skip() {
	s := &b.ring[b.next&b.mask]
	got := s.valid && s.idx == b.next
	if got {
		s.valid = false
		b.st.Dropped++
	} else {
		b.st.Lost++
	}
	b.advance(got)
}

func (b *JitterBuffer) advance(received bool) {
	b.history <<= 1
	if received {
		b.history |= 1
	}
	b.next++
}

// Get writes the next 20 ms of audio into dst and says what it is. Call it
// once per frame period.
func (b *JitterBuffer) Get(dst *Frame) Play {
	now := b.clk.Now()
	b.mu.Lock()
	defer b.mu.Unlock()
	target := b.targetFrames()
	depth := b.maxIdx - b.next + 1
	if !b.streaming {
		depth = 0
	}
	if !b.playing {
		if b.streaming && (depth >= int64(target) || now.Sub(b.first) >= time.Duration(target-1)*FrameDuration) {
			b.playing = true
		} else {
			b.depth = max(depth, 0)
			*dst = Frame{}
			return PlaySilence
		}
	}
	for depth > int64(b.maxF) {
		b.skip()
		depth--
	}
	b.depth = max(depth, 0)

	// Shrink: one frame per window in which the queue never ran low.
	if b.winN == 0 || depth < b.winMin {
		b.winMin = depth
	}
	b.winN++
	if b.winN == jitterWindow {
		if !b.winLate && b.lateBoost > 0 {
			b.lateBoost--
		}
		shrink := !b.winLate && b.winMin > int64(target)
		b.winN, b.winLate = 0, false
		if shrink {
			b.skip()
			depth--
		}
	}

	if depth <= 0 || b.hold {
		b.hold = false
		if depth <= 0 {
			b.st.Underruns++
		}
		return b.conceal(dst)
	}
	for depth > int64(target)+1 && !b.has(b.next) { // tail of an outage
		b.skip()
		depth--
	}
	s := &b.ring[b.next&b.mask]
	if s.valid && s.idx == b.next {
		*dst = s.pcm
		b.last = s.pcm
		s.valid = false
		b.concealRun = 0
		b.st.Played++
		b.advance(true)
		return PlayFrame
	}
	b.st.Lost++
	b.advance(false)
	return b.conceal(dst)
}

// conceal writes the last frame at a falling level, then silence.
func (b *JitterBuffer) conceal(dst *Frame) Play {
	b.concealRun++
	if b.concealRun > 3 {
		*dst = Frame{}
		return PlaySilence
	}
	num := int32(4 - b.concealRun)
	for i, v := range b.last {
		dst[i] = int16(int32(v) * num / 4)
	}
	b.st.Concealed++
	return PlayConcealed
}

// Stats returns the counters and current measurements.
func (b *JitterBuffer) Stats() JitterStats {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.st
	st.Jitter = time.Duration(b.jitter)
	st.Delay = time.Duration(b.depth) * FrameDuration
	st.Target = time.Duration(b.targetFrames()) * FrameDuration
	return st
}

// Reset forgets the stream (for a new call); counters are kept.
func (b *JitterBuffer) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	for i := range b.ring {
		b.ring[i].valid = false
	}
	b.streaming, b.playing, b.hold = false, false, false
	b.jitter, b.lateBoost, b.depth, b.concealRun = 0, 0, 0, 0
	b.last = Frame{}
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if a%b != 0 && (a < 0) != (b < 0) {
		q--
	}
	return q
}
