package iax

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"sync"
	"time"
)

// RegisterOptions says where and as whom to register.
type RegisterOptions struct {
	// Server is the registrar (Asterisk), e.g. 127.0.0.1:4569.
	Server netip.AddrPort
	// Username and Secret are the peer's credentials. The secret is used
	// for MD5 answers and never logged.
	Username, Secret string
	// Refresh is the registration lifetime asked for (60 s). The server's
	// REGACK decides; the client re-registers at 80% of what it granted.
	Refresh time.Duration
	// AllowPlaintext permits sending the secret in clear when the server
	// offers no other method. Off by default.
	AllowPlaintext bool
	// RetryMin and RetryMax bound the backoff between attempts that got
	// no answer (2 s doubling up to 60 s).
	RetryMin, RetryMax time.Duration
	// MaxAttempts ends the registration after that many unanswered
	// attempts in a row, with a *NoAnswerError (it wraps ErrTimeout)
	// that counts the REGREQs sent over all of them; 0 retries for ever.
	MaxAttempts int
	// StopIfUnreachable ends the registration at the first ICMP port
	// unreachable from Server (an *UnreachableError, see Endpoint)
	// instead of retrying it like an unanswered attempt: for a
	// diagnostic run. A daemon leaves it off, since the server may start
	// later; its RegRetrying events carry the error meanwhile.
	StopIfUnreachable bool
}

// RegState is the state of a client registration.
type RegState int

// Registration states.
const (
	RegRegistering RegState = iota // a REGREQ is under way
	RegRegistered                  // the server answered REGACK
	RegRetrying                    // no answer; waiting to try again
	RegDenied                      // REGREJ: final
	RegReleased                    // released with REGREL: final
	RegFailed                      // gave up or the endpoint closed: final
)

func (s RegState) String() string {
	return [...]string{"registering", "registered", "retrying", "denied", "released", "failed"}[s]
}

// RegEvent reports a registration state change.
type RegEvent struct {
	State RegState
	// Refresh and Apparent are what the server granted and saw (on
	// RegRegistered).
	Refresh  time.Duration
	Apparent netip.AddrPort
	// Err says why (RegRetrying, RegDenied, RegFailed): a *DeniedError,
	// a *NoAnswerError, an *UnreachableError, ErrClosed, ...
	Err error
}

// Registration is a client registration kept alive until Release or Close.
type Registration struct {
	e      *Endpoint
	opts   RegisterOptions
	events chan RegEvent
	done   chan struct{}

	mu       sync.Mutex
	state    RegState
	err      error
	refresh  time.Duration
	apparent netip.AddrPort
	stats    Stats

	// Loop-owned.
	sess      *session
	timer     Timer
	failures  int
	releasing bool
	// unanswered counts the REGREQs sent by the failed attempts in a
	// row, the first of which started at unansweredSince.
	unanswered      int
	unansweredSince time.Time
	finished        bool
	// suspect says the last Check found the server silent or gone.
	suspect bool
	changed chan struct{} // closed and replaced at each state change
}

// StartRegistration begins registering and returns at once; follow it with
// Events, Wait or Done.
func (e *Endpoint) StartRegistration(opts RegisterOptions) (*Registration, error) {
	if !opts.Server.IsValid() || opts.Username == "" {
		return nil, fmt.Errorf("iax: registration needs a server and a username")
	}
	if opts.Refresh <= 0 {
		opts.Refresh = 60 * time.Second
	}
	if opts.RetryMin <= 0 {
		opts.RetryMin = 2 * time.Second
	}
	if opts.RetryMax <= 0 {
		opts.RetryMax = 60 * time.Second
	}
	r := &Registration{e: e, opts: opts, events: make(chan RegEvent, 32), done: make(chan struct{}), changed: make(chan struct{})}
	if err := e.do(func() {
		e.regs = append(e.regs, r)
		r.attempt()
	}); err != nil {
		return nil, err
	}
	return r, nil
}

// Register registers and waits until the server accepted (nil), refused
// (ErrDenied), or ctx ends. On error the registration is closed.
func (e *Endpoint) Register(ctx context.Context, opts RegisterOptions) (*Registration, error) {
	r, err := e.StartRegistration(opts)
	if err != nil {
		return nil, err
	}
	if err := r.Wait(ctx); err != nil {
		r.Close()
		return nil, err
	}
	return r, nil
}

// Events delivers state changes. It is buffered; a consumer that falls
// behind loses events, never blocks the endpoint (State is always current).
func (r *Registration) Events() <-chan RegEvent { return r.events }

// Done is closed when the registration has ended (denied, released,
// failed, closed).
func (r *Registration) Done() <-chan struct{} { return r.done }

// Err is nil while running and after a clean Release; otherwise why it ended.
func (r *Registration) Err() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// State returns the current state.
func (r *Registration) State() RegState {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.state
}

// Granted returns the refresh interval and the apparent address of the
// last REGACK.
func (r *Registration) Granted() (time.Duration, netip.AddrPort) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.refresh, r.apparent
}

// Stats returns counters summed over the registration's transactions,
// the one under way included.
func (r *Registration) Stats() Stats {
	var st Stats
	if err := r.e.do(func() {
		r.mu.Lock()
		st = r.stats
		r.mu.Unlock()
		if r.sess != nil {
			st.add(r.sess.stats)
		}
	}); err != nil {
		r.mu.Lock()
		st = r.stats
		r.mu.Unlock()
	}
	return st
}

// Wait blocks until the registration is registered (nil), has ended (its
// Err, or ErrClosed after a Release), or ctx is done.
func (r *Registration) Wait(ctx context.Context) error {
	for {
		r.mu.Lock()
		st, err, ch := r.state, r.err, r.changed
		r.mu.Unlock()
		switch st {
		case RegRegistered:
			return nil
		case RegDenied, RegFailed:
			return err
		case RegReleased:
			return ErrClosed
		}
		select {
		case <-ch:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Release unregisters with REGREL (calltoken round and challenge
// included) and waits for the server's REGACK.
func (r *Registration) Release(ctx context.Context) error {
	err := r.e.do(func() {
		if r.finished || r.releasing {
			return
		}
		r.releasing = true
		if r.timer != nil {
			r.timer.Stop()
		}
		if r.sess != nil {
			r.collect(r.sess)
			r.sess.close()
		}
		r.send(CmdRegRel)
	})
	if err != nil {
		return err
	}
	select {
	case <-r.done:
		return r.Err()
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Close stops the registration without telling the server. Idempotent.
func (r *Registration) Close() {
	_ = r.e.do(func() { r.finish(ErrClosed) })
}

func (r *Registration) setState(st RegState, ev RegEvent) {
	ev.State = st
	r.mu.Lock()
	r.state = st
	if st == RegRegistered {
		r.refresh, r.apparent = ev.Refresh, ev.Apparent
	}
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	r.e.log.Info("registration", "server", r.opts.Server, "user", r.opts.Username, "state", st.String(), "err", ev.Err)
	select {
	case r.events <- ev:
	default:
	}
}

// finish ends the registration (loop side). err nil means released.
func (r *Registration) finish(err error) {
	if r.finished {
		return
	}
	r.finished = true
	if r.timer != nil {
		r.timer.Stop()
	}
	if r.sess != nil {
		r.collect(r.sess)
		r.sess.close()
		r.sess = nil
	}
	st := RegFailed
	switch {
	case err == nil:
		st = RegReleased
	case isDenied(err):
		st = RegDenied
	}
	r.mu.Lock()
	r.err = err
	r.mu.Unlock()
	r.setState(st, RegEvent{Err: err})
	close(r.done)
	for i, x := range r.e.regs {
		if x == r {
			r.e.regs = append(r.e.regs[:i], r.e.regs[i+1:]...)
			break
		}
	}
}

func isDenied(err error) bool {
	_, ok := err.(*DeniedError)
	return ok
}

// DeniedError is the REGREJ (or a REJECT) the server answered with. It
// wraps ErrDenied.
type DeniedError struct {
	Cause     string
	CauseCode uint8
}

func (e *DeniedError) Error() string {
	return fmt.Sprintf("%v: %q (cause %d)", ErrDenied, e.Cause, e.CauseCode)
}

func (e *DeniedError) Unwrap() error { return ErrDenied }

// refreshNow registers again at once, unless a request is under way or
// the registration is ending (loop side).
func (r *Registration) refreshNow() {
	if r.finished || r.releasing || r.sess != nil {
		return
	}
	if r.timer != nil {
		r.timer.Stop()
	}
	r.attempt()
}

// attempt starts a REGREQ transaction.
func (r *Registration) attempt() {
	if r.finished {
		return
	}
	r.setState(RegRegistering, RegEvent{})
	r.send(CmdRegReq)
}

// send opens a transaction (REGREQ or REGREL) with an empty calltoken.
func (r *Registration) send(cmd Command) {
	s, err := r.e.newSession(r.opts.Server, &regTx{r: r, cmd: cmd})
	if err != nil {
		r.finish(err)
		return
	}
	r.sess = s
	s.expireAfter(r.e.transactionTimeout(), cmd.String())
	f := &FullFrame{Type: FrameIAX, Subclass: uint8(cmd)}
	f.IEs.AddString(IEUsername, r.opts.Username)
	if cmd == CmdRegReq {
		f.IEs.AddUint16(IERefresh, uint16(r.opts.Refresh/time.Second))
	}
	f.IEs.AddEmpty(IECallToken)
	s.first = f
	s.send(f, false)
}

// regTx is one REGREQ or REGREL transaction.
type regTx struct {
	r      *Registration
	cmd    Command
	authed bool
}

func (t *regTx) onMini(*session, uint32, []byte) {}

func (t *regTx) onFrame(s *session, f *FullFrame) {
	r := t.r
	if f.Type != FrameIAX || r.sess != s {
		return
	}
	switch f.Command() {
	case CmdRegAuth:
		if t.authed {
			t.done(s, &DeniedError{Cause: "challenged twice"})
			return
		}
		t.authed = true
		g := &FullFrame{Type: FrameIAX, Subclass: uint8(t.cmd)}
		g.IEs.AddString(IEUsername, r.opts.Username)
		if t.cmd == CmdRegReq {
			g.IEs.AddUint16(IERefresh, uint16(r.opts.Refresh/time.Second))
		}
		if err := addAuth(&g.IEs, f.IEs, r.opts.Secret, r.opts.AllowPlaintext); err != nil {
			t.done(s, err)
			return
		}
		s.send(g, false)
	case CmdRegAck:
		if t.cmd == CmdRegRel {
			t.done(s, nil)
			return
		}
		refresh := r.opts.Refresh
		if v, err := f.IEs.Uint(IERefresh); err == nil && v > 0 {
			refresh = time.Duration(v) * time.Second
		}
		ev := RegEvent{Refresh: refresh}
		ev.Apparent, _ = f.IEs.ApparentAddr()
		r.failures = 0
		r.collect(s)
		r.sess = nil
		lingerClose(s)
		r.setState(RegRegistered, ev)
		r.timer = r.e.afterFunc(refresh*4/5, func() {
			if !r.releasing {
				r.attempt()
			}
		})
	case CmdRegRej:
		cause := f.IEs.String(IECause)
		code, _ := f.IEs.Uint(IECauseCode)
		t.done(s, &DeniedError{Cause: cause, CauseCode: uint8(code)})
	}
}

// done ends the transaction and the registration with err.
func (t *regTx) done(s *session, err error) {
	t.r.collect(s)
	lingerClose(s)
	t.r.sess = nil
	t.r.finish(err)
}

func (t *regTx) onFail(s *session, err error) {
	r := t.r
	if r.sess != s || r.finished {
		return
	}
	sends := int(s.stats.FramesSent + s.stats.Retransmissions)
	r.collect(s)
	r.sess = nil
	if r.releasing || errors.Is(err, ErrClosed) {
		r.finish(err)
		return
	}
	if errors.Is(err, ErrUnreachable) && r.opts.StopIfUnreachable {
		r.finish(err)
		return
	}
	if r.failures == 0 {
		r.unanswered, r.unansweredSince = 0, s.start
	}
	r.failures++
	r.unanswered += sends
	if r.opts.MaxAttempts > 0 && r.failures >= r.opts.MaxAttempts {
		if errors.Is(err, ErrTimeout) {
			err = &NoAnswerError{Peer: r.opts.Server, Frame: t.cmd.String(), Tries: r.unanswered,
				Over: r.e.clk.Now().Sub(r.unansweredSince)}
		}
		r.finish(err)
		return
	}
	backoff := r.opts.RetryMin << min(r.failures-1, 16)
	backoff = min(backoff, r.opts.RetryMax)
	r.setState(RegRetrying, RegEvent{Err: err})
	r.timer = r.e.afterFunc(backoff, r.attempt)
}

// collect adds a transaction's counters to the registration's. Every
// transaction is collected exactly once, when it ends or is abandoned:
// s.stats is zeroed so that a second call adds nothing.
func (r *Registration) collect(s *session) {
	r.mu.Lock()
	r.stats.add(s.stats)
	r.mu.Unlock()
	s.stats = Stats{}
}

// addAuth answers a challenge (REGAUTH or AUTHREQ): MD5 when offered,
// plaintext only when it is all the server offers and the caller allowed it.
func addAuth(out *IEs, chal IEs, secret string, allowPlain bool) error {
	methods, _ := chal.Uint(IEAuthMethods)
	switch {
	case uint16(methods)&AuthMD5 != 0:
		out.AddString(IEMD5Result, md5Answer(chal.String(IEChallenge), secret))
	case uint16(methods)&AuthPlaintext != 0 && allowPlain:
		out.AddString(IEPassword, secret)
	default:
		return fmt.Errorf("%w: server offers %#x", ErrNoAuthMethod, methods)
	}
	return nil
}

// lingerClose keeps a finished transaction's call number for a while, so
// that a retransmission of the peer's last frame is re-acknowledged
// instead of drawing an INVAL, then frees it.
func lingerClose(s *session) {
	if s.closed {
		return
	}
	s.h = lingering{}
	s.e.afterFunc(2*s.e.rtx.Max, s.close)
}

type lingering struct{}

func (lingering) onFrame(*session, *FullFrame)    {}
func (lingering) onMini(*session, uint32, []byte) {}
func (lingering) onFail(*session, error)          {}
