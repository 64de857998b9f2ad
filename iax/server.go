package iax

import (
	"context"
	"fmt"
	"net/netip"
	"strconv"
	"time"
)

// User is an account of the embedded peer.
type User struct {
	Name, Secret string
	// NoCallToken lets this user skip the calltoken round (for clients
	// that predate calltokens, such as libiax2). Tokens are required by
	// default, as in Asterisk.
	NoCallToken bool
	// CallerName and CallerNumber are sent back in REGACK.
	CallerName, CallerNumber string
	// Encryption is what this user's calls get: EncryptionAES128
	// encrypts those that offer it, EncryptionRequired refuses the others.
	Encryption Encryption
}

// ServerConfig turns on the server role of an endpoint.
type ServerConfig struct {
	// Users looks an account up by name. It runs on the endpoint's loop:
	// it must not block nor call the Endpoint.
	Users func(name string) (User, bool)
	// Refresh is granted when a client asks for nothing (60 s); requests
	// are clamped to [MinRefresh, MaxRefresh] (10 s, 3600 s).
	Refresh, MinRefresh, MaxRefresh time.Duration
	// AllowGuests accepts NEW without a USERNAME (no authentication), as
	// a handset does when Asterisk calls it. Calls naming an unknown user
	// are always rejected.
	AllowGuests bool
	// OnRegister, if set, is told about every registration change
	// (registered false: released or expired). It runs on the loop: it
	// must not block nor call the Endpoint.
	OnRegister func(user string, addr netip.AddrPort, registered bool)
}

func (sc *ServerConfig) lookup(name string) (*User, bool) {
	if sc == nil || sc.Users == nil || name == "" {
		return nil, false
	}
	u, ok := sc.Users(name)
	if !ok {
		return nil, false
	}
	return &u, true
}

// Binding is a registered user as the registrar holds it.
type Binding struct {
	User    string
	Addr    netip.AddrPort
	Expires time.Time
}

type binding struct {
	Binding
	timer Timer
}

// Lookup returns where a user is registered.
func (e *Endpoint) Lookup(user string) (netip.AddrPort, bool) {
	var (
		a  netip.AddrPort
		ok bool
	)
	_ = e.do(func() {
		if b := e.registry[user]; b != nil {
			a, ok = b.Addr, true
		}
	})
	return a, ok
}

// Registrations lists the current bindings.
func (e *Endpoint) Registrations() []Binding {
	var out []Binding
	_ = e.do(func() {
		for _, b := range e.registry {
			out = append(out, b.Binding)
		}
	})
	return out
}

// Accept waits for the next incoming call. Incoming calls have already
// been sent ACCEPT and RINGING; answer with Answer, refuse with Reject.
func (e *Endpoint) Accept(ctx context.Context) (*Call, error) {
	select {
	case c, ok := <-e.incoming:
		if !ok {
			return nil, ErrClosed
		}
		return c, nil
	case <-e.closing:
		return nil, ErrClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// replyFromNowhere answers a transaction opener without creating a call,
// from call number 1 as Asterisk does.
func (e *Endpoint) replyFromNowhere(f *FullFrame, to netip.AddrPort, cmd Command, ies IEs) {
	e.sendRaw(&FullFrame{SourceCall: 1, DestCall: f.SourceCall, Timestamp: f.Timestamp,
		ISeq: f.OSeq + 1, Type: FrameIAX, Subclass: uint8(cmd), IEs: ies}, to)
}

// tokenOK runs the server side of the calltoken round for a NEW, REGREQ
// or REGREL. Without the IE the peer cannot do calltokens: it is refused
// with rej. An empty IE is answered with a fresh token. A token that does
// not verify is dropped.
func (e *Endpoint) tokenOK(f *FullFrame, from netip.AddrPort, user *User, rej Command) bool {
	if e.tokens == nil || (user != nil && user.NoCallToken) {
		return true
	}
	ie, has := f.IEs.Get(IECallToken)
	switch {
	case !has:
		e.replyFromNowhere(f, from, rej, nil)
	case len(ie.Data) == 0:
		var ies IEs
		ies.AddString(IECallToken, e.tokens.issue(from))
		e.replyFromNowhere(f, from, CmdCallToken, ies)
	case !e.tokens.valid(from, string(ie.Data)):
		e.log.Info("invalid calltoken", "from", from, "command", f.Command())
	default:
		return true
	}
	return false
}

// challenge returns a fresh MD5 challenge.
func (e *Endpoint) challenge() string {
	return strconv.FormatUint(uint64(e.randUint32()%1000000000), 10)
}

// openIncoming starts a session for a transaction the peer opened with
// f, counted as being set up until answered or closed.
func (e *Endpoint) openIncoming(f *FullFrame, from netip.AddrPort, h handler) (*session, error) {
	if err := e.admitSetup(from, f.Command()); err != nil {
		return nil, err
	}
	s, err := e.newSession(from, h)
	if err != nil {
		e.stats.NoCallNumbers++
		e.logs.warn(e, "callnumbers", "refused: no free call number", "from", from, "command", f.Command())
		return nil, err
	}
	s.countSetup()
	s.setRemote(f.SourceCall)
	s.iseq = f.OSeq + 1
	s.stats.FramesReceived++
	return s, nil
}

// unknownUser stands for a user name the server does not know: it is
// challenged like a known user, so that the answers do not tell who
// exists, and its answer never verifies.
func unknownUser(name string) *User { return &User{Name: name} }

// receiveNew handles an incoming NEW.
func (e *Endpoint) receiveNew(f *FullFrame, p inbound) {
	sc := e.cfg.Server
	name := f.IEs.String(IEUsername)
	user, known := sc.lookup(name)
	if !e.tokenOK(f, p.from, user, CmdReject) {
		return
	}
	unknown := false
	if sc != nil && !known {
		if name == "" && !sc.AllowGuests {
			var ies IEs
			ies.AddString(IECause, "No authority found")
			ies.AddUint8(IECauseCode, CauseFacilityRejected)
			e.replyFromNowhere(f, p.from, CmdReject, ies)
			return
		}
		if name != "" {
			user, unknown = unknownUser(name), true
		}
	}
	c := newCall(e, true)
	s, err := e.openIncoming(f, p.from, c)
	if err != nil {
		if sc == nil {
			return // a client says nothing that could be larger than the NEW
		}
		var ies IEs
		ies.AddString(IECause, "Congestion")
		ies.AddUint8(IECauseCode, CauseCongestion)
		e.replyFromNowhere(f, p.from, CmdReject, ies)
		return
	}
	c.s = s
	c.schedulePing()
	c.formats = e.formats()
	c.mu.Lock()
	c.info.Peer, c.info.LocalCall, c.info.RemoteCall = p.from, s.local, f.SourceCall
	c.info.Called = f.IEs.String(IECalledNumber)
	c.info.Context = f.IEs.String(IECalledContext)
	c.info.CallingNumber = f.IEs.String(IECallingNumber)
	c.info.CallingName = f.IEs.String(IECallingName)
	c.info.Username = f.IEs.String(IEUsername)
	c.info.Format = chooseFormat(f.IEs, c.formats)
	c.mu.Unlock()
	if c.info.Format == 0 {
		c.refuse(s, "No common codec", CauseFacilityRejected, ErrNoCodec)
		return
	}
	enc, err := serverEncryption(user, f)
	if err != nil {
		c.refuseUnencrypted(s, err)
		return
	}
	if user != nil && (user.Secret != "" || unknown) {
		c.user, c.unknownUser, c.challenge = user, unknown, e.challenge()
		g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdAuthReq)}
		g.IEs.AddUint16(IEAuthMethods, AuthMD5)
		g.IEs.AddString(IEChallenge, c.challenge)
		g.IEs.AddString(IEUsername, user.Name)
		c.sendAuthReq(s, g, enc)
		return
	}
	c.acceptIncoming(s)
}

// formats is what this endpoint accepts for incoming calls.
func (e *Endpoint) formats() []Format { return e.cfg.Formats }

// chooseFormat picks the caller's desired format when we have it, else
// our first preference within its capability.
func chooseFormat(ies IEs, ours []Format) Format {
	want, capa := ies.Formats()
	for _, f := range ours {
		if f == want {
			return f
		}
	}
	for _, f := range ies.CodecPrefs() {
		for _, o := range ours {
			if f == o && capa&f != 0 {
				return f
			}
		}
	}
	for _, f := range ours {
		if capa&f != 0 {
			return f
		}
	}
	return 0
}

// acceptIncoming sends ACCEPT and RINGING and hands the call to Accept.
func (c *Call) acceptIncoming(s *session) {
	g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdAccept)}
	g.IEs.AddUint32(IEFormat, uint32(c.info.Format))
	g.IEs.AddFormat2(IEFormat2, c.info.Format)
	s.send(g, false)
	c.setState(StateIncoming)
	s.send(&FullFrame{Type: FrameControl, Subclass: uint8(CtlRinging)}, false)
	select {
	case c.e.incoming <- c:
	default:
		c.refuse(s, "Congestion", CauseCongestion, fmt.Errorf("iax: too many calls waiting for Accept"))
	}
}

// refuse rejects a call before the application has seen it.
func (c *Call) refuse(s *session, cause string, code uint8, err error) {
	c.closeWith(s, causeFrame(CmdReject, cause, code))
	c.end(StateFailed, err)
}

// serverAuthRep checks the answer to our AUTHREQ.
func (c *Call) serverAuthRep(s *session, f *FullFrame) {
	if !c.info.Incoming || c.user == nil || c.authed {
		return
	}
	c.authed = true
	if !md5Check(c.challenge, c.user.Secret, f.IEs.String(IEMD5Result)) || c.unknownUser {
		c.e.log.Info("call authentication failed", "user", c.user.Name, "from", s.peer, "known", !c.unknownUser)
		c.refuse(s, "Authentication failed", CauseFacilityRejected, ErrAuth)
		return
	}
	c.acceptIncoming(s)
}

// receiveRegistration handles a REGREQ or REGREL that opens a transaction.
// (server role only). A user name it does not know is challenged like a
// known one, and refused only after the answer, with the words a wrong
// secret gets: the answers do not tell who exists.
func (e *Endpoint) receiveRegistration(f *FullFrame, p inbound) {
	name := f.IEs.String(IEUsername)
	user, known := e.cfg.Server.lookup(name)
	if !e.tokenOK(f, p.from, user, CmdRegRej) {
		return
	}
	h := &regServer{user: user}
	if !known && name != "" {
		h.user, h.unknown = unknownUser(name), true
	}
	s, err := e.openIncoming(f, p.from, h)
	if err != nil {
		return
	}
	s.expireAfter(e.transactionTimeout(), f.Command().String())
	h.handle(s, f)
}

// regServer is the registrar's side of one REGREQ/REGREL transaction.
type regServer struct {
	user      *User
	unknown   bool // user stands for a name the server does not know
	challenge string
}

func (h *regServer) onMini(*session, uint32, []byte) {}
func (h *regServer) onFail(*session, error)          {}

func (h *regServer) onFrame(s *session, f *FullFrame) {
	if f.IsCommand(CmdRegReq) || f.IsCommand(CmdRegRel) {
		h.handle(s, f)
	}
}

func (h *regServer) handle(s *session, f *FullFrame) {
	e := s.e
	if h.user == nil {
		h.reject(s, "Registration Refused")
		return
	}
	if h.user.Secret != "" || h.unknown {
		if h.challenge == "" {
			h.challenge = e.challenge()
			g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdRegAuth)}
			g.IEs.AddUint16(IEAuthMethods, AuthMD5)
			g.IEs.AddString(IEChallenge, h.challenge)
			g.IEs.AddString(IEUsername, h.user.Name)
			s.send(g, false)
			return
		}
		if !md5Check(h.challenge, h.user.Secret, f.IEs.String(IEMD5Result)) || h.unknown {
			e.log.Info("registration authentication failed", "user", h.user.Name, "from", s.peer, "known", !h.unknown)
			h.reject(s, "Registration Refused")
			return
		}
	}
	g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdRegAck)}
	g.IEs.AddString(IEUsername, h.user.Name)
	g.IEs.AddDateTime(e.clk.Now())
	if f.IsCommand(CmdRegRel) {
		e.unbind(h.user.Name)
	} else {
		refresh := e.grant(f)
		e.bind(h.user.Name, s.peer, refresh)
		g.IEs.AddUint16(IERefresh, uint16(refresh/time.Second))
		g.IEs.AddApparentAddr(s.peer)
		if h.user.CallerNumber != "" {
			g.IEs.AddString(IECallingNumber, h.user.CallerNumber)
		}
		if h.user.CallerName != "" {
			g.IEs.AddString(IECallingName, h.user.CallerName)
		}
	}
	s.send(g, false)
	s.h = closingHandler{}
}

func (h *regServer) reject(s *session, cause string) {
	g := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdRegRej)}
	g.IEs.AddString(IECause, cause)
	g.IEs.AddUint8(IECauseCode, CauseFacilityRejected)
	s.send(g, false)
	s.h = closingHandler{}
}

func (e *Endpoint) grant(f *FullFrame) time.Duration {
	sc := e.cfg.Server
	def, lo, hi := sc.Refresh, sc.MinRefresh, sc.MaxRefresh
	if def <= 0 {
		def = 60 * time.Second
	}
	if lo <= 0 {
		lo = 10 * time.Second
	}
	if hi <= 0 {
		hi = time.Hour
	}
	r := def
	if v, err := f.IEs.Uint(IERefresh); err == nil && v > 0 {
		r = time.Duration(v) * time.Second
	}
	return min(max(r, lo), hi)
}

func (e *Endpoint) bind(user string, addr netip.AddrPort, refresh time.Duration) {
	if b := e.registry[user]; b != nil {
		b.timer.Stop()
	}
	b := &binding{Binding: Binding{User: user, Addr: addr, Expires: e.clk.Now().Add(refresh)}}
	// A little grace over the refresh, as registrars give.
	b.timer = e.afterFunc(refresh+10*time.Second, func() {
		if e.registry[user] == b {
			e.unbind(user)
		}
	})
	e.registry[user] = b
	if fn := e.cfg.Server.OnRegister; fn != nil {
		fn(user, addr, true)
	}
}

func (e *Endpoint) unbind(user string) {
	b := e.registry[user]
	if b == nil {
		return
	}
	b.timer.Stop()
	delete(e.registry, user)
	if fn := e.cfg.Server.OnRegister; fn != nil {
		fn(user, b.Addr, false)
	}
}
