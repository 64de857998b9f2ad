package iax

import (
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// voiceTx is the state sending voice needs, under Call.vmu: the loop
// sends the full voice frames, and a sender sends mini frames without
// the loop once fast is set.
type voiceTx struct {
	quelched bool
	// on and ts space voice 20 ms apart (nextTS).
	on bool
	ts uint32
	// started, format and fullTS describe the last full voice frame.
	started bool
	format  Format
	fullTS  uint32
	// fast says a mini frame may be sent without the loop: a full voice
	// frame went out, the call is in the clear, nothing traces frames,
	// and the call has not ended. local, peer and start are the
	// session's, for the mini frame's header and timestamp.
	fast  bool
	local uint16
	peer  netip.AddrPort
	start time.Time
}

// nextTS spaces voice 20 ms apart, resynchronising to the session clock
// now (resync) when the sender paused or fell behind by more than a
// frame.
func (v *voiceTx) nextTS(now uint32) (ts uint32, resync bool) {
	if !v.on {
		v.on = true
		v.ts = max(now, 1)
		return v.ts, false
	}
	next := v.ts + 20
	if int64(now)-int64(next) > 40 {
		next, resync = now, true
	}
	v.ts = next
	return next, resync
}

// needsFull reports whether a frame stamped ts in format f must go as a
// full frame: the first, a new format, a resynchronisation (so that the
// receiver does not count the pause as loss), and whenever the 16-bit
// mini timestamp would wrap.
func (v *voiceTx) needsFull(f Format, ts uint32, resync bool) bool {
	return !v.started || resync || f != v.format || ts>>16 != v.fullTS>>16 || ts < v.fullTS
}

// SendVoice sends one 20 ms voice frame in the call's format. Payload
// bytes are opaque here (e.g. 160 bytes of G.711) and may be reused as
// soon as SendVoice returns. While the peer has quelched us, frames are
// dropped silently.
//
// A mini frame on a connected call in the clear is sent without the
// endpoint's loop: it neither waits for the loop nor hands it anything,
// and allocates nothing. In the client role the caller's goroutine
// writes the datagram itself; in the server role (Config.Server) it is
// queued, and a writer sends what gathered with one system call. The
// full frames (the first voice frame, every 65 s when the mini
// timestamp wraps, after a pause) and every frame of an encrypted call
// go through the loop, and SendVoice waits for it.
func (c *Call) SendVoice(payload []byte) error {
	if done, err := c.sendVoiceFast(payload); done {
		return err
	}
	return c.run(func(s *session) error { return c.sendVoiceLoop(s, payload) })
}

// miniBufs are the buffers direct writes marshal mini frames into.
var miniBufs = sync.Pool{New: func() any { b := make([]byte, 512); return &b }}

// sendVoiceFast sends a mini frame without the loop if it can (done).
func (c *Call) sendVoiceFast(payload []byte) (done bool, err error) {
	c.vmu.Lock()
	v := &c.vtx
	if !v.fast {
		c.vmu.Unlock()
		return false, nil
	}
	if v.quelched {
		c.vmu.Unlock()
		return true, nil
	}
	now := uint32(c.e.clk.Now().Sub(v.start) / time.Millisecond)
	next := v.ts + 20
	if int64(now)-int64(next) > 40 || v.needsFull(v.format, next, false) {
		c.vmu.Unlock()
		return false, nil // a full frame: the loop's
	}
	v.ts = next
	m := MiniFrame{SourceCall: v.local, Timestamp: uint16(next), Payload: payload}
	peer := v.peer
	if c.e.batchTx {
		// Queued under vmu, so that one call's frames keep their order.
		err = c.e.queueVoice(&m, peer)
		c.vmu.Unlock()
		if err == nil {
			c.fastSent.Add(1)
		}
		return true, err
	}
	bp := miniBufs.Get().(*[]byte)
	if need := m.MarshalSize(); cap(*bp) < need {
		*bp = make([]byte, need)
	}
	n, err := m.MarshalTo((*bp)[:cap(*bp)])
	c.vmu.Unlock()
	if err == nil {
		c.fastSent.Add(1)
		c.e.writeDirect((*bp)[:n], peer)
	}
	miniBufs.Put(bp)
	return true, err
}

// sendVoiceLoop is SendVoice on the loop: the full frames, encrypted
// calls, and every frame before the first full one.
func (c *Call) sendVoiceLoop(s *session, payload []byte) error {
	c.vmu.Lock()
	quelched := c.vtx.quelched
	c.vmu.Unlock()
	if quelched {
		return nil
	}
	c.mu.Lock()
	f := c.info.Format
	c.mu.Unlock()
	if f == 0 {
		return fmt.Errorf("%w: no codec agreed yet", ErrInvalidState)
	}
	c.rotateBeforeVoice(s)
	if s.closed {
		return ErrHangup
	}
	sc, err := FormatSubclass(f)
	if err != nil {
		return err
	}
	c.vmu.Lock()
	v := &c.vtx
	ts, resync := v.nextTS(s.now())
	full := v.needsFull(f, ts, resync)
	if full {
		v.started, v.format, v.fullTS, v.fast = true, f, ts, false
	}
	c.vmu.Unlock()
	s.stats.VoiceSent++
	if full {
		if c.e.batchTx {
			c.e.flushTx() // the call's mini frames queued so far go first
		}
		s.send(&FullFrame{Type: FrameVoice, Subclass: sc, Timestamp: ts, Payload: append([]byte(nil), payload...)}, true)
	} else {
		m := MiniFrame{SourceCall: s.local, Timestamp: uint16(ts), Payload: payload}
		n, err := m.MarshalTo(c.e.txbuf)
		if err != nil {
			return err
		}
		c.e.transmit(c.e.txbuf[:n], s.peer, s.txKey())
	}
	c.vmu.Lock()
	v.fast = v.started && s.crypt == nil && c.e.cfg.Trace == nil && !s.closed && !c.ended
	v.local, v.peer, v.start = s.local, s.peer, s.start
	c.vmu.Unlock()
	return nil
}

// setQuelched records the peer's QUELCH or UNQUELCH (loop side).
func (c *Call) setQuelched(q bool) {
	c.vmu.Lock()
	c.vtx.quelched = q
	c.vmu.Unlock()
}

// statsOf is the session's counters with the voice sent without the
// loop.
func (c *Call) statsOf(s *session) Stats {
	st := s.stats
	st.VoiceSent += c.fastSent.Load()
	return st
}

// voiceQueueLen is how many received voice frames wait for TakeVoice:
// over a second of 20 ms frames.
const voiceQueueLen = 64

// voiceRx queues received voice for TakeVoice, under Call.rxmu.
type voiceRx struct {
	// queued says TakeVoice or VoiceReady was called: frames go to the
	// queue, not to the Voice channel.
	queued     bool
	slots      [voiceQueueLen]voiceSlot
	head, n    int
	ready      chan struct{}
	overflowed uint64
}

type voiceSlot struct {
	ts     uint32
	format Format
	buf    []byte
}

// TakeVoice moves the voice frames received on the call and not yet
// taken into dst, oldest first, without blocking, and returns how many
// it moved (0 when none waits). Each frame's payload is copied into the
// Payload of its element of dst, reusing its room: a caller that passes
// the same dst at every 20 ms tick allocates nothing. Frames that do not
// fit in dst wait for the next call.
//
// The first call of TakeVoice (or VoiceReady) switches the call from
// the Voice channel to a queue of 64 frames (1.28 s): frames already in
// the channel are taken first, and Voice delivers nothing more. When
// the queue is full, newly received frames are dropped.
//
// It is the way to serve a call's voice from one periodic tick (send
// with SendVoice, take with TakeVoice) with no goroutine hand-off per
// frame in either direction.
func (c *Call) TakeVoice(dst []Voice) int {
	c.rxmu.Lock()
	defer c.rxmu.Unlock()
	q := &c.vrx
	q.queued = true
	n := 0
	for n < len(dst) {
		select {
		case v := <-c.voice:
			dst[n].Timestamp, dst[n].Format = v.Timestamp, v.Format
			dst[n].Payload = append(dst[n].Payload[:0], v.Payload...)
			n++
			continue
		default:
		}
		break
	}
	for ; n < len(dst) && q.n > 0; n++ {
		sl := &q.slots[q.head]
		dst[n].Timestamp, dst[n].Format = sl.ts, sl.format
		dst[n].Payload = append(dst[n].Payload[:0], sl.buf...)
		q.head = (q.head + 1) % len(q.slots)
		q.n--
	}
	return n
}

// VoiceReady returns a channel that receives a value when a voice frame
// has been queued for TakeVoice since the last value was taken (one
// value stands for any number of frames): wait on it, then TakeVoice
// until it returns 0. Calling it switches the call to TakeVoice's queue.
func (c *Call) VoiceReady() <-chan struct{} {
	c.rxmu.Lock()
	c.vrx.queued = true
	c.rxmu.Unlock()
	return c.vrx.ready
}

// onMini hands on the voice of a mini frame (loop side). Payload is the
// reader's buffer.
func (c *Call) onMini(s *session, ts uint32, payload []byte) {
	c.deliverVoice(Voice{Timestamp: ts, Format: s.rxFormat, Payload: payload})
}

// RelayVoice sends every voice frame c receives from now on out on to,
// as it came, from the endpoint's loop: no goroutine sees the frame, no
// allocation is made for it, and the mini frames out go through the
// same path as SendVoice's. to must be a call of the same endpoint; it
// may be c itself (an echo). Frames in another format than to's are
// dropped. A nil to stops relaying; frames then go to TakeVoice or the
// Voice channel again. Relaying ends by itself when to has ended.
func (c *Call) RelayVoice(to *Call) error {
	if to != nil && to.e != c.e {
		return fmt.Errorf("%w: voice is relayed only between calls of one endpoint", ErrInvalidState)
	}
	return c.e.do(func() { c.relay = to })
}

// relayVoice sends v on c (loop side): SendVoice without waiting for
// the loop, which is where it runs.
func (c *Call) relayVoice(v Voice) {
	c.mu.Lock()
	f := c.info.Format
	c.mu.Unlock()
	if f != v.Format {
		return
	}
	if done, _ := c.sendVoiceFast(v.Payload); done {
		return
	}
	if !c.ended && c.s != nil && !c.s.closed {
		_ = c.sendVoiceLoop(c.s, v.Payload)
	}
}

// deliverVoice relays a received frame, queues it for TakeVoice, or
// sends a copy on the Voice channel (loop side).
func (c *Call) deliverVoice(v Voice) {
	if to := c.relay; to != nil {
		if to.ended {
			c.relay = nil
		} else {
			to.relayVoice(v)
			return
		}
	}
	c.rxmu.Lock()
	q := &c.vrx
	if q.queued {
		if q.n == len(q.slots) {
			q.overflowed++
			c.rxmu.Unlock()
			return
		}
		sl := &q.slots[(q.head+q.n)%len(q.slots)]
		sl.ts, sl.format = v.Timestamp, v.Format
		sl.buf = append(sl.buf[:0], v.Payload...)
		q.n++
		c.rxmu.Unlock()
		select {
		case q.ready <- struct{}{}:
		default:
		}
		return
	}
	c.rxmu.Unlock()
	v.Payload = append([]byte(nil), v.Payload...) // the datagram's buffer is reused
	select {
	case c.voice <- v:
	default:
	}
}
