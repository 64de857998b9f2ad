package iax

import (
	"fmt"
	"net/netip"
	"time"
)

// handler is what a session carries: a call, a registration transaction,
// a PONG. Its methods run on the loop.
type handler interface {
	// onFrame gets every in-order full frame that is not transport
	// housekeeping (ACK, VNAK, INVAL, CALLTOKEN replies).
	onFrame(s *session, f *FullFrame)
	// onMini gets voice from mini frames, with the timestamp widened to 32
	// bits.
	onMini(s *session, ts uint32, payload []byte)
	// onFail reports that the session died: retransmissions exhausted,
	// INVAL from the peer, or the endpoint closing.
	onFail(s *session, err error)
}

// idler is implemented by handlers that want to know when every frame
// they sent has been acknowledged.
type idler interface{ onIdle(s *session) }

// session is one call number's reliable exchange with one peer (RFC 5456
// §7): sequence numbers, timestamps, acknowledgement, retransmission.
type session struct {
	e      *Endpoint
	local  uint16
	remote uint16
	peer   netip.AddrPort
	start  time.Time
	h      handler

	oseq, iseq uint8
	// acked is the peer's latest ISeq: our frames before it are
	// acknowledged. The window of ISeqs a genuine frame can carry is
	// [acked, oseq].
	acked      uint8
	lastTS     uint32
	pending    []*outFrame
	srtt       time.Duration
	closed     bool
	sentInTurn bool

	// inSetup says the peer opened this transaction and it is still
	// being set up: it counts against setupFrom's MaxSetupPerSource.
	inSetup   bool
	setupFrom netip.Addr

	// first is the frame that opened the transaction, kept to resend it
	// with a calltoken.
	first *FullFrame

	// idle fails a transaction that stops hearing from its peer.
	idle      Timer
	idleLimit time.Duration
	idleWhat  string

	// Voice received (what is sent is the call's: voice.go).
	rxVoiceTS      uint32
	rxFormat       Format
	rxVoiceStarted bool
	// rxPaused says the call was put on or taken off hold (either way,
	// by either side) since the last voice frame: the gap in timestamps
	// the next one shows is the pause, not loss.
	rxPaused bool

	stats Stats
	jit   jitterEstimator

	// crypt is the session's encryption (crypt_session.go); nil: clear.
	crypt *callCrypt
}

type outFrame struct {
	f      FullFrame
	tries  int
	sentAt time.Time
	rto    time.Duration
	timer  Timer
	// key encrypts every send of the frame: the key of its first (nil:
	// clear).
	key *FrameCipher
}

// newSession allocates a call number.
func (e *Endpoint) newSession(peer netip.AddrPort, h handler) (*session, error) {
	n, err := e.allocCall()
	if err != nil {
		return nil, err
	}
	s := &session{e: e, local: n, peer: peer, start: e.clk.Now(), h: h}
	e.sessions[n] = s
	return s, nil
}

// expireAfter fails the session with ErrTimeout when d passes without
// an in-order frame from the peer: the bound on a transaction
// (registration, POKE) whose frames were acknowledged but whose answer
// never came. Every frame from the peer starts the wait again.
func (s *session) expireAfter(d time.Duration, what string) {
	s.idleLimit, s.idleWhat = d, what
	s.armIdle()
}

func (s *session) armIdle() {
	if s.idleLimit <= 0 {
		return
	}
	if s.idle != nil {
		s.idle.Stop()
	}
	d, what := s.idleLimit, s.idleWhat
	s.idle = s.e.afterFunc(d, func() {
		s.fail(fmt.Errorf("%w: %s not answered within %v", ErrTimeout, what, d))
	})
}

// transactionTimeout is longer than the longest retransmission schedule
// of one frame, so that a transaction is never cut short while its
// retransmissions still have a chance.
func (e *Endpoint) transactionTimeout() time.Duration {
	return time.Duration(e.rtx.Tries)*max(e.rtx.Initial, e.rtx.Max) + e.rtx.Max
}

// close frees the call number and stops every timer. Idempotent.
func (s *session) close() {
	if s.closed {
		return
	}
	s.closed = true
	s.settled()
	if s.idle != nil {
		s.idle.Stop()
	}
	for _, o := range s.pending {
		o.timer.Stop()
	}
	s.pending = nil
	delete(s.e.sessions, s.local)
	if k := (remoteKey{s.peer, s.remote}); s.e.byRemote[k] == s {
		delete(s.e.byRemote, k)
	}
}

// fail closes the session and tells its handler.
func (s *session) fail(err error) {
	if s.closed {
		return
	}
	s.close()
	s.h.onFail(s, err)
}

// now returns milliseconds since the session started.
func (s *session) now() uint32 {
	return uint32(s.e.clk.Now().Sub(s.start) / time.Millisecond)
}

// nextTS is a timestamp for a new full frame: the session clock, kept
// strictly increasing.
func (s *session) nextTS() uint32 {
	ts := s.now()
	if ts <= s.lastTS {
		ts = s.lastTS + 1
	}
	return ts
}

func (s *session) setRemote(n uint16) {
	if s.remote == n {
		return
	}
	if k := (remoteKey{s.peer, s.remote}); s.e.byRemote[k] == s {
		delete(s.e.byRemote, k)
	}
	s.remote = n
	if n != 0 {
		s.e.byRemote[remoteKey{s.peer, n}] = s
	}
}

// reliable reports whether a frame must be acknowledged by the peer.
func reliable(f *FullFrame) bool {
	if f.Type != FrameIAX {
		return true
	}
	switch f.Command() {
	case CmdAck, CmdInval, CmdVNAK, CmdTxCnt, CmdTxAcc, CmdCallToken:
		return false
	}
	return true
}

// send fills in the header and sends f. A zero Timestamp is replaced by
// the session clock. Reliable frames take the next sequence number and
// are retransmitted until acknowledged; the timer is armed before the
// write so that a fake clock always sees it. It returns the frame's
// place among those waiting for an acknowledgement (nil for an
// unreliable frame).
func (s *session) send(f *FullFrame, keepTS bool) *outFrame {
	if s.closed {
		return nil
	}
	f.SourceCall, f.DestCall = s.local, s.remote
	if !keepTS || f.Timestamp == 0 {
		f.Timestamp = s.nextTS()
	}
	f.OSeq, f.ISeq = s.oseq, s.iseq
	s.sentInTurn = true
	if !reliable(f) {
		s.e.sendSealed(f, s.peer, s.txKey())
		return nil
	}
	if f.Timestamp > s.lastTS {
		s.lastTS = f.Timestamp
	}
	s.oseq++
	o := &outFrame{f: *f, tries: 1, sentAt: s.e.clk.Now(), rto: s.rto()}
	o.f.IEs = append(IEs(nil), f.IEs...)
	o.timer = s.e.afterFunc(o.rto, func() { s.retransmit(o) })
	s.pending = append(s.pending, o)
	s.stats.FramesSent++
	o.key = s.txKey()
	s.e.sendSealed(f, s.peer, o.key)
	return o
}

func (s *session) rto() time.Duration {
	r := s.e.rtx
	if s.srtt == 0 {
		return r.Initial
	}
	return min(max(2*s.srtt, r.Min), r.Max)
}

func (s *session) retransmit(o *outFrame) {
	if s.closed || !s.isPending(o) {
		return
	}
	if o.tries >= s.e.rtx.Tries {
		s.fail(&NoAnswerError{Peer: s.peer, Frame: fmt.Sprintf("%v %v", o.f.Type, subclassName(&o.f)),
			Tries: o.tries, Over: s.e.clk.Now().Sub(o.sentAt)})
		return
	}
	o.tries++
	o.rto = min(2*o.rto, s.e.rtx.Max)
	o.f.Retransmitted = true
	o.f.ISeq = s.iseq
	o.timer = s.e.afterFunc(o.rto, func() { s.retransmit(o) })
	s.stats.Retransmissions++
	s.e.sendSealed(&o.f, s.peer, o.key)
}

func subclassName(f *FullFrame) string {
	switch f.Type {
	case FrameIAX:
		return f.Command().String()
	case FrameControl:
		return f.Control().String()
	}
	return fmt.Sprint(f.Subclass)
}

func (s *session) isPending(o *outFrame) bool {
	for _, p := range s.pending {
		if p == o {
			return true
		}
	}
	return false
}

// seqBefore reports whether a comes before b in 8-bit sequence space.
func seqBefore(a, b uint8) bool { return int8(a-b) < 0 }

// ackUpTo drops every pending frame whose sequence number is before n
// (the peer's ISeq: the next frame it expects), n in the window.
func (s *session) ackUpTo(n uint8, at time.Time) {
	s.acked = n
	kept := s.pending[:0]
	acked := false
	for _, o := range s.pending {
		if seqBefore(o.f.OSeq, n) {
			o.timer.Stop()
			acked = true
			if o.tries == 1 {
				s.rttSample(at.Sub(o.sentAt))
			}
			continue
		}
		kept = append(kept, o)
	}
	s.pending = kept
	if acked && len(s.pending) == 0 {
		if i, ok := s.h.(idler); ok {
			i.onIdle(s)
		}
	}
}

func (s *session) rttSample(d time.Duration) {
	if d < 0 {
		return
	}
	s.stats.LastRTT = d
	if s.srtt == 0 {
		s.srtt = max(d, time.Microsecond)
	} else {
		s.srtt = (7*s.srtt + d) / 8
	}
	s.stats.RTT = s.srtt
}

// resendFrom retransmits every pending frame from sequence n on (VNAK).
func (s *session) resendFrom(n uint8) {
	for _, o := range s.pending {
		if !seqBefore(o.f.OSeq, n) {
			o.f.Retransmitted = true
			o.f.ISeq = s.iseq
			s.stats.Retransmissions++
			s.e.sendSealed(&o.f, s.peer, o.key)
		}
	}
}

// restartWithToken resends the opening frame with the calltoken the peer
// handed out, as a fresh transaction: sequence numbers start again at 0.
func (s *session) restartWithToken(token string) {
	if s.first == nil {
		return
	}
	for _, o := range s.pending {
		o.timer.Stop()
	}
	s.pending = nil
	s.oseq, s.iseq, s.acked = 0, 0, 0
	s.setRemote(0)
	s.armIdle()
	f := *s.first
	f.IEs = nil
	for _, ie := range s.first.IEs {
		if ie.Type == IECallToken {
			ie = IE{Type: IECallToken, Data: []byte(token)}
		}
		f.IEs = append(f.IEs, ie)
	}
	s.first = nil
	f.Timestamp = 0
	s.send(&f, false)
}

// sendAck acknowledges f, echoing its timestamp.
func (s *session) sendAck(f *FullFrame) {
	s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdAck), Timestamp: f.Timestamp}, true)
}

// receiveFull handles a full frame addressed to this session (the
// endpoint checked it comes from the peer's address).
//
// Its sequence numbers must fit (RFC 5456 §7): ISeq, what the peer has
// of ours, lies in the window [acked, oseq]; a frame that acknowledges
// frames never sent did not come from the peer and is dropped. Frames
// that end the session are acted on only in order (OSeq is the next
// expected) with an ISeq in the window, or a little behind it (reordered
// behind a later acknowledgement); an INVAL only when it answers a
// frame still waiting for its acknowledgement (ISeq one past it). A
// blind forger must guess the call number and both sequence numbers.
// Any other INVAL makes a call check that the peer still has it (a
// PING, see Call.probe): Asterisk's INVALs carry no sequence numbers,
// and a call whose peer forgot it ends when that PING goes unanswered.
func (s *session) receiveFull(f *FullFrame, at time.Time) {
	if f.IsCommand(CmdCallToken) {
		s.restartWithToken(f.IEs.String(IECallToken))
		return
	}
	if f.IsCommand(CmdInval) {
		if f.OSeq == s.iseq && s.awaits(f.ISeq-1) {
			s.fail(fmt.Errorf("%w: INVAL from %v", ErrInvalidCall, s.peer))
			return
		}
		s.outOfWindow(f, "it answers no frame of ours")
		if p, ok := s.h.(prober); ok {
			p.probe(s)
		}
		return
	}
	if seqBefore(s.oseq, f.ISeq) {
		s.outOfWindow(f, "it acknowledges frames never sent")
		return
	}
	fresh := !seqBefore(f.ISeq, s.acked)
	if ending(f) && f.OSeq == s.iseq && !fresh && s.acked-f.ISeq > staleISeq {
		s.outOfWindow(f, "its ISeq is far behind what the peer acknowledged")
		return
	}
	// Call number 1 is where a server answers from when it has no call
	// for us (CALLTOKEN, a refusal, a PONG to call 0): only a refusal,
	// which ends the transaction, is answered there.
	if s.remote == 0 && (f.SourceCall > 1 || f.SourceCall == 1 && (f.IsCommand(CmdReject) || f.IsCommand(CmdRegRej))) {
		s.setRemote(f.SourceCall)
	}
	s.stats.FramesReceived++
	if fresh {
		s.ackUpTo(f.ISeq, at)
	}
	if s.closed {
		return
	}
	if f.Type == FrameIAX {
		switch f.Command() {
		case CmdAck, CmdTxCnt, CmdTxAcc:
			return
		case CmdVNAK:
			s.resendFrom(f.ISeq)
			return
		}
	}
	if f.OSeq != s.iseq {
		if seqBefore(f.OSeq, s.iseq) {
			// Already seen: our ACK may have been lost.
			s.stats.Duplicates++
			s.sendAck(f)
			return
		}
		// A gap: ask for everything from what we expect.
		s.stats.OutOfOrder++
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdVNAK), Timestamp: f.Timestamp}, true)
		return
	}
	s.iseq++
	s.armIdle()
	s.sentInTurn = false
	if f.Type == FrameVoice {
		s.noteVoice(f.Timestamp, SubclassFormat(f.Subclass), at, true)
	}
	s.h.onFrame(s, f)
	if !s.sentInTurn {
		s.sendAck(f)
	}
}

// staleISeq is how far behind the peer's latest ISeq a frame that ends
// the session may be and still be taken: the peer sent it before it
// acknowledged more of ours, and the acknowledgement overtook it (a
// retransmission from Asterisk keeps the ISeq it was first sent with).
const staleISeq = 16

// prober is implemented by handlers that can check that the peer still
// has the session (a call sends a PING).
type prober interface{ probe(s *session) }

// ending reports whether f ends a call or transaction when acted on.
func ending(f *FullFrame) bool {
	switch f.Type {
	case FrameIAX:
		switch f.Command() {
		case CmdHangup, CmdReject, CmdRegRej, CmdInval:
			return true
		}
	case FrameControl:
		switch f.Control() {
		case CtlHangup, CtlBusy, CtlCongestion:
			return true
		}
	}
	return false
}

// awaits reports whether our frame with sequence number n is still
// waiting for its acknowledgement.
func (s *session) awaits(n uint8) bool {
	for _, o := range s.pending {
		if o.f.OSeq == n {
			return true
		}
	}
	return false
}

// outOfWindow counts and logs (rate-limited) a frame ignored because its
// sequence numbers do not fit the session.
func (s *session) outOfWindow(f *FullFrame, why string) {
	s.stats.OutOfWindow++
	s.e.stats.OutOfWindow++
	s.e.logs.warn(s.e, "window", "frame ignored: its sequence numbers do not fit the call", "peer", s.peer,
		"call", s.local, "frame", f.Type.String()+" "+subclassName(f), "o", f.OSeq, "i", f.ISeq,
		"expected_o", s.iseq, "window", fmt.Sprintf("%d..%d", s.acked, s.oseq), "why", why)
}

// receiveMini widens a mini frame's timestamp with the last full voice
// frame's upper bits and hands the payload on.
func (s *session) receiveMini(m *MiniFrame, at time.Time) {
	if !s.rxVoiceStarted || s.closed {
		return
	}
	ts := s.rxVoiceTS&0xffff0000 | uint32(m.Timestamp)
	if ts+0x8000 < s.rxVoiceTS {
		ts += 0x10000
	}
	s.noteVoice(ts, s.rxFormat, at, false)
	s.h.onMini(s, ts, m.Payload)
}

// noteVoice counts a received voice frame (full says it came as a full
// frame) and estimates loss from the gap in 20 ms timestamps since the
// newest frame so far. A gap is not loss when the stream paused: the
// sender resynchronised its timestamps after not sending (it marks that
// with a full voice frame, see sendVoice) or the call was held in
// between. A frame older than the newest arrives late, and takes back one
// counted lost.
func (s *session) noteVoice(ts uint32, f Format, at time.Time, full bool) {
	s.stats.VoiceReceived++
	if s.rxVoiceStarted {
		d := int64(ts) - int64(s.rxVoiceTS)
		switch {
		case d > 20 && (full || s.rxPaused):
			// A pause.
		case d > 20:
			s.stats.VoiceLost += uint64(d/20 - 1)
		case d < 0 && s.stats.VoiceLost > 0:
			s.stats.VoiceLost--
		}
	}
	s.rxPaused = false
	s.jit.add(ts, at)
	s.stats.Jitter = s.jit.value()
	if !s.rxVoiceStarted || ts > s.rxVoiceTS {
		s.rxVoiceTS = ts
	}
	s.rxVoiceStarted = true
	s.rxFormat = f
}
