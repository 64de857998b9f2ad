package iax

import (
	"context"
	"fmt"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"
)

// CallState is where a call stands; the names follow the phone call
// states of the telephony library.
type CallState int

// Call states. The last four are final.
const (
	StateDialing      CallState = iota // NEW sent, no answer yet
	StateAlerting                      // the far end rings
	StateIncoming                      // NEW received, ACCEPT and RINGING sent; Answer or Hangup
	StateConnected                     // answered
	StateHangupLocal                   // we hung up or rejected
	StateHangupRemote                  // the peer hung up, rejected, or was busy
	StateFailed                        // no answer to retransmissions, INVAL, endpoint closed
)

func (s CallState) String() string {
	return [...]string{"dialing", "alerting", "incoming", "connected", "hangup-local", "hangup-remote", "failed"}[s]
}

// Final reports whether the call has ended.
func (s CallState) Final() bool { return s >= StateHangupLocal }

// EventType says what a CallEvent reports.
type EventType int

// Call event types.
const (
	EventState      EventType = iota // State changed
	EventAccepted                    // the peer sent ACCEPT (Format is the codec)
	EventProceeding                  // PROCEEDING
	EventProgress                    // PROGRESS (in-band information follows)
	EventBusy                        // BUSY indication
	EventCongestion                  // CONGESTION indication
	EventHold                        // the peer put us on hold (HOLD)
	EventUnhold                      // the peer took us off hold (UNHOLD)
	EventQuelch                      // the peer asked us to stop sending audio
	EventUnquelch                    // the peer asked us to resume audio
	EventDTMFBegin                   // a digit starts (Digit)
	EventDTMFEnd                     // a digit ends (Digit)
	EventText                        // a text frame (Text)
	EventTransfer                    // the peer asks us to call Text (TRANSFER)
	EventStopSounds                  // stop local ringback
)

func (t EventType) String() string {
	return [...]string{"state", "accepted", "proceeding", "progress", "busy", "congestion", "hold", "unhold",
		"quelch", "unquelch", "dtmf-begin", "dtmf-end", "text", "transfer", "stop-sounds"}[t]
}

// CallEvent is one thing that happened to a call.
type CallEvent struct {
	Type   EventType
	State  CallState // EventState
	Digit  byte      // EventDTMFBegin, EventDTMFEnd
	Text   string    // EventText; the number for EventTransfer
	Format Format    // EventAccepted
	Err    error     // EventState to a final state: why
}

func (ev CallEvent) String() string {
	switch ev.Type {
	case EventState:
		if ev.Err != nil {
			return fmt.Sprintf("state %v (%v)", ev.State, ev.Err)
		}
		return "state " + ev.State.String()
	case EventAccepted:
		return "accepted " + ev.Format.String()
	case EventDTMFBegin, EventDTMFEnd:
		return fmt.Sprintf("%v %c", ev.Type, ev.Digit)
	case EventText, EventTransfer:
		return fmt.Sprintf("%v %q", ev.Type, ev.Text)
	}
	return ev.Type.String()
}

// HangupError is how the peer ended a call: HANGUP, REJECT, or a BUSY or
// CONGESTION indication. It wraps ErrRejected for REJECT, ErrHangup
// otherwise.
type HangupError struct {
	Cause     string
	CauseCode uint8
	Rejected  bool
}

func (e *HangupError) Error() string {
	what := "hung up"
	if e.Rejected {
		what = "rejected"
	}
	return fmt.Sprintf("iax: call %s by peer: %q (cause %d)", what, e.Cause, e.CauseCode)
}

func (e *HangupError) Unwrap() error {
	if e.Rejected {
		return ErrRejected
	}
	return ErrHangup
}

// Voice is one received voice frame. Payload is owned by the receiver.
type Voice struct {
	Timestamp uint32 // milliseconds on the sender's call clock
	Format    Format
	Payload   []byte
}

// CallInfo describes a call.
type CallInfo struct {
	Incoming      bool
	Peer          netip.AddrPort
	LocalCall     uint16
	RemoteCall    uint16
	Called        string // CALLED_NUMBER
	Context       string // CALLED_CONTEXT
	CallingNumber string
	CallingName   string
	Username      string // the USERNAME of the NEW (authenticated when the endpoint is a server)
	Format        Format // the codec agreed in ACCEPT
	Started       time.Time
	// Encrypted says the call is AES-128 encrypted: every frame after
	// the AUTHREQ, both ways.
	Encrypted bool
}

// DialOptions describe an outgoing call.
type DialOptions struct {
	Peer                       netip.AddrPort
	Called                     string
	Context                    string
	CallingNumber, CallingName string
	// Username and Secret answer the peer's AUTHREQ.
	Username, Secret string
	// Formats in preference order (ulaw, alaw).
	Formats        []Format
	AllowPlaintext bool
	// Encryption says whether to offer AES-128 and whether to insist on
	// it (EncryptionRequired needs Secret, which the key is made from).
	Encryption Encryption
}

// Call is one IAX2 call, in either direction.
type Call struct {
	e      *Endpoint
	events chan CallEvent
	voice  chan Voice
	done   chan struct{}

	mu      sync.Mutex
	changed chan struct{} // closed and replaced at each state change
	state   CallState
	err     error
	info    CallInfo
	final   Stats
	dropped uint64

	// Loop-owned.
	s         *session
	opts      DialOptions
	formats   []Format
	authed    bool
	challenge string
	user      *User
	// unknownUser says user stands for a name the server does not know
	// (challenged all the same; its answer never verifies).
	unknownUser bool
	held        bool
	ended       bool
	// pingOut is the last PING sent, while it waits for its answer.
	pingOut *outFrame

	// relay is where received voice goes instead (RelayVoice); loop-owned.
	relay *Call

	// Voice, shared by the loop and the call's users (voice.go).
	vmu      sync.Mutex
	vtx      voiceTx
	fastSent atomic.Uint64
	rxmu     sync.Mutex
	vrx      voiceRx
}

func newCall(e *Endpoint, incoming bool) *Call {
	return &Call{e: e, events: make(chan CallEvent, 256), voice: make(chan Voice, 128), done: make(chan struct{}), changed: make(chan struct{}),
		info: CallInfo{Incoming: incoming, Started: e.clk.Now()}, vrx: voiceRx{ready: make(chan struct{}, 1)}}
}

// Events delivers call events in order. It is buffered; a consumer that
// falls behind loses events rather than stalling the endpoint.
func (c *Call) Events() <-chan CallEvent { return c.events }

// Voice delivers received voice frames; a slow reader loses frames.
// Once TakeVoice or VoiceReady has been called, frames are queued for
// TakeVoice instead and Voice delivers nothing more.
func (c *Call) Voice() <-chan Voice { return c.voice }

// Done is closed when the call has ended.
func (c *Call) Done() <-chan struct{} { return c.done }

// Err is nil while the call runs and after a local hangup; a
// *HangupError when the peer ended it; ErrTimeout, ErrInvalidCall or
// ErrClosed when it failed.
func (c *Call) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// State returns the current state.
func (c *Call) State() CallState {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.state
}

// Info returns what is known about the call.
func (c *Call) Info() CallInfo {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.info
}

// Stats returns the call's counters.
func (c *Call) Stats() Stats {
	var st Stats
	c.mu.Lock()
	ended := c.state.Final()
	st = c.final
	c.mu.Unlock()
	if ended {
		return st
	}
	if err := c.e.do(func() {
		if c.s != nil {
			st = c.statsOf(c.s)
		}
	}); err != nil {
		c.mu.Lock()
		st = c.final
		c.mu.Unlock()
	}
	return st
}

func (c *Call) emit(ev CallEvent) {
	select {
	case c.events <- ev:
	default:
		c.mu.Lock()
		c.dropped++
		c.mu.Unlock()
	}
}

func (c *Call) setState(st CallState) {
	c.mu.Lock()
	if c.state == st {
		c.mu.Unlock()
		return
	}
	c.state = st
	close(c.changed)
	c.changed = make(chan struct{})
	c.mu.Unlock()
	c.e.log.Info("call", "peer", c.info.Peer, "call", c.info.LocalCall, "state", st.String())
	c.emit(CallEvent{Type: EventState, State: st})
}

// schedulePing keeps a PING going for as long as the call lives, as
// Asterisk does: the ACK it draws (or the PONG's ISeq) gives an RTT
// sample, and a peer that has gone away fails the call once the PING's
// retransmissions run out, or PingTimeout passes.
func (c *Call) schedulePing() {
	if c.e.cfg.PingInterval <= 0 {
		return
	}
	c.e.afterFunc(c.e.cfg.PingInterval, func() {
		if c.ended || c.s == nil || c.s.closed {
			return
		}
		c.ping()
		c.schedulePing()
	})
}

// ping sends a PING unless one is still waiting for its answer, and
// bounds the wait by PingTimeout. Not before the peer has given the call
// a number: a PING to call 0 would open nothing and be answered from
// nowhere.
func (c *Call) ping() {
	s := c.s
	if c.ended || s == nil || s.closed || s.remote == 0 {
		return
	}
	if c.pingOut != nil && s.isPending(c.pingOut) {
		return
	}
	o := s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdPing)}, false)
	c.pingOut = o
	if d := c.e.cfg.PingTimeout; d > 0 && o != nil {
		c.e.afterFunc(d, func() {
			if s.closed || !s.isPending(o) {
				return
			}
			s.fail(&NoAnswerError{Peer: s.peer, Frame: "IAX PING", Tries: o.tries, Over: c.e.clk.Now().Sub(o.sentAt)})
		})
	}
}

// probe checks at once that the peer still has the call (a PING): an
// INVAL that does not fit the call's sequence numbers arrived, a forgery
// or Asterisk's word that it forgot the call. If the peer has it, the
// PING is answered and the call goes on; if not, it ends when the PING
// goes unanswered.
func (c *Call) probe(s *session) {
	if c.s == s {
		c.ping()
	}
}

// Wait blocks until the call is connected (nil), has ended (its Err, or
// ErrHangup after a local hangup), or ctx is done.
func (c *Call) Wait(ctx context.Context) error {
	for {
		c.mu.Lock()
		st, err, ch := c.state, c.err, c.changed
		c.mu.Unlock()
		switch {
		case st == StateConnected:
			return nil
		case st.Final():
			if err == nil {
				err = ErrHangup
			}
			return err
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// end finishes the call (loop side).
func (c *Call) end(st CallState, err error) {
	if c.ended {
		return
	}
	c.ended = true
	c.vmu.Lock()
	c.vtx.fast = false
	c.vmu.Unlock()
	c.mu.Lock()
	c.state, c.err = st, err
	close(c.changed)
	c.changed = make(chan struct{})
	if c.s != nil {
		c.final = c.statsOf(c.s)
		c.s.settled()
	}
	c.mu.Unlock()
	c.e.log.Info("call ended", "peer", c.info.Peer, "call", c.info.LocalCall, "state", st.String(), "err", err)
	c.emit(CallEvent{Type: EventState, State: st, Err: err})
	close(c.done)
}

// run executes f on the loop if the call is still alive.
func (c *Call) run(f func(s *session) error) error {
	var err error
	if e := c.e.do(func() {
		if c.ended || c.s == nil || c.s.closed {
			err = fmt.Errorf("%w: call has ended", ErrInvalidState)
			return
		}
		err = f(c.s)
	}); e != nil {
		return e
	}
	return err
}

// Dial places a call: NEW (with the calltoken round) to opts.Peer. It
// returns as soon as the NEW is sent; follow the call with Events.
func (e *Endpoint) Dial(opts DialOptions) (*Call, error) {
	if !opts.Peer.IsValid() {
		return nil, fmt.Errorf("iax: dial needs a peer address")
	}
	if len(opts.Formats) == 0 {
		opts.Formats = []Format{FormatULaw, FormatALaw}
	}
	if opts.Encryption == EncryptionRequired && opts.Secret == "" {
		return nil, fmt.Errorf("%w: encryption is required and its key is made from the account's secret: give the secret", ErrNoAuthMethod)
	}
	c := newCall(e, false)
	c.opts, c.formats = opts, opts.Formats
	var err error
	if e2 := e.do(func() {
		var s *session
		s, err = e.newSession(opts.Peer, c)
		if err != nil {
			return
		}
		c.s = s
		c.schedulePing()
		c.mu.Lock()
		c.info.Peer, c.info.LocalCall = opts.Peer, s.local
		c.info.Called, c.info.Context = opts.Called, opts.Context
		c.info.CallingNumber, c.info.CallingName, c.info.Username = opts.CallingNumber, opts.CallingName, opts.Username
		c.mu.Unlock()
		f := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdNew)}
		f.IEs.AddUint16(IEVersion, 2)
		f.IEs.AddString(IECalledNumber, opts.Called)
		f.IEs.AddString(IECodecPrefs, codecPrefs(opts.Formats))
		if opts.CallingNumber != "" {
			f.IEs.AddString(IECallingNumber, opts.CallingNumber)
		}
		if opts.CallingName != "" {
			f.IEs.AddString(IECallingName, opts.CallingName)
		}
		if opts.Context != "" {
			f.IEs.AddString(IECalledContext, opts.Context)
		}
		if opts.Username != "" {
			f.IEs.AddString(IEUsername, opts.Username)
		}
		addEncryptionOffer(&f.IEs, opts.Encryption)
		var capa Format
		for _, x := range opts.Formats {
			capa |= x
		}
		f.IEs.AddUint32(IEFormat, uint32(opts.Formats[0]))
		f.IEs.AddFormat2(IEFormat2, opts.Formats[0])
		f.IEs.AddUint32(IECapability, uint32(capa))
		f.IEs.AddFormat2(IECapability2, capa)
		f.IEs.AddDateTime(e.clk.Now())
		f.IEs.AddEmpty(IECallToken)
		s.first = f
		s.send(f, false)
		c.emit(CallEvent{Type: EventState, State: StateDialing})
	}); e2 != nil {
		return nil, e2
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}

// Answer answers an incoming call (CONTROL ANSWER).
func (c *Call) Answer() error {
	return c.run(func(s *session) error {
		if c.State() != StateIncoming {
			return fmt.Errorf("%w: answer in state %v", ErrInvalidState, c.State())
		}
		s.send(&FullFrame{Type: FrameControl, Subclass: uint8(CtlAnswer)}, false)
		s.settled()
		c.setState(StateConnected)
		return nil
	})
}

// Indicate sends a control frame (RINGING, PROCEEDING, PROGRESS, BUSY,
// CONGESTION, STOP_SOUNDS, ...).
func (c *Call) Indicate(ctl Control) error {
	return c.run(func(s *session) error {
		s.send(&FullFrame{Type: FrameControl, Subclass: uint8(ctl)}, false)
		return nil
	})
}

// Hangup ends the call with HANGUP and a Q.931 cause code (0 means
// normal clearing).
func (c *Call) Hangup(cause uint8) error { return c.endLocal(CmdHangup, cause, CauseNormal) }

// Reject refuses an incoming call that has not been answered (REJECT).
func (c *Call) Reject(cause uint8) error { return c.endLocal(CmdReject, cause, CauseRejected) }

func (c *Call) endLocal(cmd Command, cause, def uint8) error {
	if cause == 0 {
		cause = def
	}
	return c.run(func(s *session) error {
		c.closeWith(s, causeFrame(cmd, causeText(cause), cause))
		c.end(StateHangupLocal, nil)
		return nil
	})
}

// causeFrame is a HANGUP or REJECT with CAUSE and CAUSECODE.
func causeFrame(cmd Command, text string, code uint8) *FullFrame {
	f := &FullFrame{Type: FrameIAX, Subclass: uint8(cmd)}
	f.IEs.AddString(IECause, text)
	f.IEs.AddUint8(IECauseCode, code)
	return f
}

// closeWith sends a last frame and keeps the call number until it is
// acknowledged (or retransmissions give up).
func (c *Call) closeWith(s *session, f *FullFrame) {
	s.send(f, false)
	s.h = closingHandler{}
	c.vmu.Lock()
	c.vtx.fast = false
	c.vmu.Unlock()
	c.mu.Lock()
	c.final = c.statsOf(s)
	c.mu.Unlock()
}

type closingHandler struct{}

func (closingHandler) onFrame(*session, *FullFrame)    {}
func (closingHandler) onMini(*session, uint32, []byte) {}
func (closingHandler) onFail(*session, error)          {}
func (closingHandler) onIdle(s *session)               { s.close() }

// Hold puts the peer on hold: CONTROL HOLD, and QUELCH so that it stops
// sending audio.
func (c *Call) Hold() error {
	return c.run(func(s *session) error {
		if c.held {
			return nil
		}
		c.held = true
		s.rxPaused = true
		s.send(&FullFrame{Type: FrameControl, Subclass: uint8(CtlHold)}, false)
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdQuelch)}, false)
		return nil
	})
}

// Unhold resumes: CONTROL UNHOLD and UNQUELCH.
func (c *Call) Unhold() error {
	return c.run(func(s *session) error {
		if !c.held {
			return nil
		}
		c.held = false
		s.rxPaused = true
		s.send(&FullFrame{Type: FrameControl, Subclass: uint8(CtlUnhold)}, false)
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdUnquelch)}, false)
		return nil
	})
}

// DTMFBegin starts a digit (0-9, *, #, A-D).
func (c *Call) DTMFBegin(digit byte) error { return c.dtmf(FrameDTMFBegin, digit) }

// DTMFEnd ends a digit.
func (c *Call) DTMFEnd(digit byte) error { return c.dtmf(FrameDTMFEnd, digit) }

func (c *Call) dtmf(t FrameType, digit byte) error {
	if !validDigit(digit) {
		return fmt.Errorf("iax: %q is not a DTMF digit", digit)
	}
	return c.run(func(s *session) error {
		s.send(&FullFrame{Type: t, Subclass: digit}, false)
		return nil
	})
}

// SendDTMF sends a digit lasting d: BEGIN now, END after d on the
// endpoint's clock.
func (c *Call) SendDTMF(digit byte, d time.Duration) error {
	if err := c.DTMFBegin(digit); err != nil {
		return err
	}
	return c.e.do(func() {
		c.e.afterFunc(d, func() {
			if !c.ended && c.s != nil {
				c.s.send(&FullFrame{Type: FrameDTMFEnd, Subclass: digit}, false)
			}
		})
	})
}

func validDigit(d byte) bool {
	return d >= '0' && d <= '9' || d == '*' || d == '#' || d >= 'A' && d <= 'D'
}

// Transfer asks the peer to call number instead (blind transfer with the
// IAX TRANSFER command).
func (c *Call) Transfer(number string) error {
	return c.run(func(s *session) error {
		f := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdTransfer)}
		f.IEs.AddString(IECalledNumber, number)
		s.send(f, false)
		return nil
	})
}

// SendText sends a text frame.
func (c *Call) SendText(text string) error {
	return c.run(func(s *session) error {
		s.send(&FullFrame{Type: FrameText, Payload: []byte(text)}, false)
		return nil
	})
}

// --- loop side: the call state machine ---

func (c *Call) onFail(s *session, err error) {
	c.end(StateFailed, explainFailure(s, err))
}

func (c *Call) onFrame(s *session, f *FullFrame) {
	switch f.Type {
	case FrameIAX:
		c.onCommand(s, f)
	case FrameControl:
		c.onControl(s, f)
	case FrameVoice:
		c.deliverVoice(Voice{Timestamp: f.Timestamp, Format: SubclassFormat(f.Subclass), Payload: f.Payload})
	case FrameDTMFBegin:
		c.emit(CallEvent{Type: EventDTMFBegin, Digit: f.Subclass})
	case FrameDTMFEnd:
		c.emit(CallEvent{Type: EventDTMFEnd, Digit: f.Subclass})
	case FrameText:
		c.emit(CallEvent{Type: EventText, Text: string(trimNUL(f.Payload))})
	}
}

func trimNUL(b []byte) []byte {
	for len(b) > 0 && b[len(b)-1] == 0 {
		b = b[:len(b)-1]
	}
	return b
}

func (c *Call) onCommand(s *session, f *FullFrame) {
	switch f.Command() {
	case CmdAuthReq:
		if c.info.Incoming || c.authed {
			return
		}
		c.authed = true
		g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdAuthRep)}
		if err := addAuth(&g.IEs, f.IEs, c.opts.Secret, c.opts.AllowPlaintext); err != nil {
			c.closeWith(s, causeFrame(CmdHangup, "No authentication method", CauseFacilityRejected))
			c.end(StateFailed, err)
			return
		}
		if err := c.clientEncryption(s, f); err != nil {
			c.closeWith(s, causeFrame(CmdHangup, "Encryption not agreed", causeNoEncryption))
			c.end(StateFailed, err)
			return
		}
		s.send(g, false)
	case CmdAuthRep:
		c.serverAuthRep(s, f)
	case CmdAccept:
		if c.info.Incoming || c.refuseClear(s) {
			return
		}
		format, _ := f.IEs.Formats()
		c.mu.Lock()
		c.info.Format = format
		c.info.RemoteCall = s.remote
		c.mu.Unlock()
		c.emit(CallEvent{Type: EventAccepted, Format: format})
	case CmdHangup, CmdReject:
		code, _ := f.IEs.Uint(IECauseCode)
		herr := &HangupError{Cause: f.IEs.String(IECause), CauseCode: uint8(code), Rejected: f.Command() == CmdReject}
		// ACK it (the generic ACK follows), keep the number until then.
		s.h = lingering{}
		lingerClose(s)
		c.end(StateHangupRemote, herr)
	case CmdQuelch:
		c.setQuelched(true)
		s.rxPaused = true
		c.emit(CallEvent{Type: EventQuelch})
	case CmdUnquelch:
		c.setQuelched(false)
		s.rxPaused = true
		c.emit(CallEvent{Type: EventUnquelch})
	case CmdTransfer:
		c.emit(CallEvent{Type: EventTransfer, Text: f.IEs.String(IECalledNumber)})
	case CmdPing:
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdPong), Timestamp: f.Timestamp, IEs: s.stats.receiverReport()}, true)
	case CmdLagRq:
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdLagRp), Timestamp: f.Timestamp}, true)
	case CmdRTKey:
		c.receiveRTKey(s, f)
	case CmdTxReq:
		// Asterisk offers to move the media path between two bridged
		// peers; this endpoint keeps media through the server.
		s.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdTxRej)}, false)
	case CmdPong:
		if rr, ok := parseReceiverReport(f.IEs); ok {
			s.stats.Remote = rr
		}
	case CmdLagRp, CmdTxRej, CmdTxRel, CmdTxReady, CmdTxMedia, CmdUnsupport:
		// The ACK of our PING/LAGRQ already measured the RTT.
	default:
		g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdUnsupport)}
		g.IEs.AddUint8(IEIAXUnknown, f.Subclass)
		s.send(g, false)
	}
}

func (c *Call) onControl(s *session, f *FullFrame) {
	switch f.Control() {
	case CtlRinging:
		if c.State() == StateDialing {
			c.setState(StateAlerting)
		}
	case CtlAnswer:
		if !c.info.Incoming && !c.State().Final() {
			c.setState(StateConnected)
		}
	case CtlProceeding:
		c.emit(CallEvent{Type: EventProceeding})
	case CtlProgress:
		c.emit(CallEvent{Type: EventProgress})
	case CtlBusy, CtlCongestion:
		t, code, text := EventBusy, CauseBusy, "User busy"
		if f.Control() == CtlCongestion {
			t, code, text = EventCongestion, CauseCongestion, "Congestion"
		}
		c.emit(CallEvent{Type: t})
		c.closeWith(s, causeFrame(CmdHangup, text, code))
		c.end(StateHangupRemote, &HangupError{Cause: text, CauseCode: code})
	case CtlHold:
		s.rxPaused = true
		c.emit(CallEvent{Type: EventHold})
	case CtlUnhold:
		s.rxPaused = true
		c.emit(CallEvent{Type: EventUnhold})
	case CtlStopSounds:
		c.emit(CallEvent{Type: EventStopSounds})
	case CtlHangup:
		lingerClose(s)
		c.end(StateHangupRemote, &HangupError{Cause: "hangup indication", CauseCode: CauseNormal})
	}
}

func causeText(code uint8) string {
	switch code {
	case CauseNormal:
		return "Normal Clearing"
	case CauseBusy:
		return "User busy"
	case CauseNoAnswer:
		return "No answer"
	case CauseRejected:
		return "Call Rejected"
	case CauseFacilityRejected:
		return "Facility rejected"
	case CauseCongestion:
		return "Congestion"
	case CauseNoRoute:
		return "No route to destination"
	case CauseUnallocated:
		return "Unallocated number"
	}
	return fmt.Sprintf("Cause %d", code)
}
