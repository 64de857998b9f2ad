package iax

import (
	"log/slog"
	"net/netip"
	"slices"
	"time"
)

// What an endpoint does with input from strangers (anyone on the network
// can send it datagrams, with any source address):
//
//   - A NEW is taken only from the server of one of its registrations or
//     from a peer Config.AcceptCalls approves; anything else is dropped
//     without an answer. A client endpoint never answers a REGREQ.
//   - POKE and PING to call 0 are answered statelessly: no call number is
//     held for them, and the PONG is no larger than what asked for it.
//   - One source address may have at most Config.MaxSetupPerSource
//     transactions being set up at once (calls not yet answered,
//     registration requests not yet settled).
//   - INVAL, HANGUP, REJECT, REGREJ and the hangup, busy and congestion
//     indications end a call only from the peer's address and in
//     sequence: their OSeq is the next frame expected, and their ISeq
//     acknowledges nothing that was never sent (an INVAL must answer a
//     frame still waiting for its acknowledgement). See session.go.
//
// Each refusal is counted in EndpointStats and logged at most once every
// 10 s per kind, with the number of the others since.

// Default setup bounds (Config.MaxSetupPerSource).
const (
	defaultClientSetup = 4
	defaultServerSetup = 64
)

// EndpointStats counts what an endpoint refused or answered without
// holding a call number, and the call numbers in use.
type EndpointStats struct {
	// CallNumbers is how many call numbers are in use now: calls,
	// registration and POKE transactions, and those kept a moment after
	// they ended so that late retransmissions are acknowledged.
	CallNumbers int
	// StrangerCalls counts NEWs dropped because they came from neither a
	// registered server nor a peer Config.AcceptCalls approves.
	StrangerCalls uint64
	// SetupLimited counts NEWs and registration requests refused because
	// their source address had Config.MaxSetupPerSource transactions
	// being set up already.
	SetupLimited uint64
	// NoCallNumbers counts transactions refused for want of a free call
	// number.
	NoCallNumbers uint64
	// StatelessAnswers counts POKEs and PINGs to call 0 answered with a
	// PONG without a call number.
	StatelessAnswers uint64
	// NotServed counts requests dropped without an answer because this
	// endpoint does not serve them (REGREQ and REGREL to a client).
	NotServed uint64
	// OutOfWindow counts full frames for a live call that were ignored
	// because their sequence numbers did not fit it (a blind forgery, or
	// Asterisk's INVAL, which carries none): see Stats.OutOfWindow.
	OutOfWindow uint64
}

// Stats returns the endpoint's counters (zero after Close).
func (e *Endpoint) Stats() EndpointStats {
	var st EndpointStats
	_ = e.do(func() {
		st = e.stats
		st.CallNumbers = len(e.sessions)
	})
	return st
}

// AcceptFrom returns a Config.AcceptCalls that approves calls from these
// addresses (address and port) only.
func AcceptFrom(peers ...netip.AddrPort) func(from netip.AddrPort) bool {
	ps := make([]netip.AddrPort, len(peers))
	for i, p := range peers {
		ps[i] = unmapped(p)
	}
	return func(from netip.AddrPort) bool { return slices.Contains(ps, unmapped(from)) }
}

// mayCall reports whether a NEW from from may open a call: it comes from
// the server of a registration this endpoint runs, or AcceptCalls (the
// server role when nil) approves.
func (e *Endpoint) mayCall(from netip.AddrPort) bool {
	from = unmapped(from)
	for _, r := range e.regs {
		if unmapped(r.opts.Server) == from {
			return true
		}
	}
	if e.cfg.AcceptCalls != nil {
		return e.cfg.AcceptCalls(from)
	}
	return e.cfg.Server != nil
}

// setupLimit is the bound on transactions being set up per source.
func (e *Endpoint) setupLimit() int {
	switch n := e.cfg.MaxSetupPerSource; {
	case n < 0:
		return int(^uint(0) >> 1)
	case n > 0:
		return n
	case e.cfg.Server != nil:
		return defaultServerSetup
	}
	return defaultClientSetup
}

// admitSetup counts s as a transaction its peer is setting up, or
// reports that its peer's address has as many as it may.
func (e *Endpoint) admitSetup(from netip.AddrPort, what Command) error {
	a := from.Addr().Unmap()
	if e.setup[a] >= e.setupLimit() {
		e.stats.SetupLimited++
		e.logs.warn(e, "setup", "refused: too many transactions being set up from one address",
			"from", from, "command", what, "limit", e.setupLimit())
		return ErrSetupLimit
	}
	return nil
}

// countSetup marks s as being set up, until settled.
func (s *session) countSetup() {
	s.setupFrom = s.peer.Addr().Unmap()
	s.inSetup = true
	s.e.setup[s.setupFrom]++
}

// settled ends s's count as being set up: it was answered, or closed.
// Idempotent.
func (s *session) settled() {
	if !s.inSetup {
		return
	}
	s.inSetup = false
	if n := s.e.setup[s.setupFrom] - 1; n > 0 {
		s.e.setup[s.setupFrom] = n
	} else {
		delete(s.e.setup, s.setupFrom)
	}
}

// rateLog bounds the log lines that strangers can cause: at most one per
// kind every interval, saying how many were left out since the last.
// Kinds are a few constants, so its map stays small. Loop-owned.
type rateLog struct {
	every time.Duration
	kinds map[string]*rateKind
}

type rateKind struct {
	last    time.Time
	skipped int
}

func (l *rateLog) warn(e *Endpoint, kind, msg string, args ...any) {
	if l.kinds == nil {
		l.kinds = map[string]*rateKind{}
	}
	k := l.kinds[kind]
	if k == nil {
		k = &rateKind{}
		l.kinds[kind] = k
	}
	now := e.clk.Now()
	if !k.last.IsZero() && now.Sub(k.last) < l.every {
		k.skipped++
		return
	}
	if k.skipped > 0 {
		args = append(args, slog.Int("not_logged_since", k.skipped), slog.Duration("over", now.Sub(k.last)))
	}
	k.last, k.skipped = now, 0
	e.log.Warn(msg, args...)
}
