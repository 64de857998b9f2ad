package iax

import (
	"context"
	"errors"
	"net/netip"
	"time"
)

// Poke checks that a peer answers (POKE → PONG, with the calltoken round
// Asterisk asks for) and returns the round-trip time, as Asterisk's
// qualify does. It fails with ErrTimeout when the retransmissions of the
// POKE go unanswered, with ErrUnreachable when nothing listens there, and
// with ctx's error when ctx ends first.
func (e *Endpoint) Poke(ctx context.Context, peer netip.AddrPort) (time.Duration, error) {
	rtt, _, err := e.poke(ctx, peer, 0)
	return rtt, err
}

// poke runs one POKE transaction. srtt, when known (from earlier
// exchanges with the peer), sets the first retransmission timeout. When
// ctx ends first, silence says how the POKE went unanswered so far.
func (e *Endpoint) poke(ctx context.Context, peer netip.AddrPort, srtt time.Duration) (rtt time.Duration, silence *NoAnswerError, err error) {
	h := &pokeClient{done: make(chan struct{})}
	if err := e.do(func() {
		s, err := e.newSession(peer, h)
		if err != nil {
			h.finish(0, err)
			return
		}
		h.s = s
		s.srtt = srtt
		f := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdPoke)}
		f.IEs.AddEmpty(IECallToken)
		s.first = f
		h.sent = e.clk.Now()
		s.send(f, false)
		s.expireAfter(e.transactionTimeout(), "POKE")
	}); err != nil {
		return 0, nil, err
	}
	select {
	case <-h.done:
		return h.rtt, nil, h.err
	case <-ctx.Done():
	}
	answered := false
	_ = e.do(func() {
		if h.over {
			answered = true
			return
		}
		if s := h.s; s != nil {
			silence = &NoAnswerError{Peer: peer, Frame: "POKE", Tries: int(s.stats.FramesSent + s.stats.Retransmissions),
				Over: e.clk.Now().Sub(h.sent)}
			s.close()
		}
	})
	if answered {
		return h.rtt, nil, h.err
	}
	return 0, silence, ctx.Err()
}

type pokeClient struct {
	s    *session
	sent time.Time
	rtt  time.Duration
	err  error
	done chan struct{}
	over bool
}

func (p *pokeClient) finish(rtt time.Duration, err error) {
	if p.over {
		return
	}
	p.over, p.rtt, p.err = true, rtt, err
	close(p.done)
}

func (p *pokeClient) onFrame(s *session, f *FullFrame) {
	if f.IsCommand(CmdPong) {
		p.finish(s.e.clk.Now().Sub(p.sent), nil)
		lingerClose(s) // the generic ACK of the PONG follows
	}
}

func (p *pokeClient) onMini(*session, uint32, []byte) {}
func (p *pokeClient) onFail(_ *session, err error)    { p.finish(0, err) }

// Check asks the registration's server whether it is there, with a POKE
// (as Asterisk's qualify does, and SIP phones with OPTIONS), and returns
// the round trip: a cheap liveness check to run between refreshes, every
// 20 to 30 s. The POKE's first retransmission comes after twice the
// round trip the registration measured. It fails with a *NoAnswerError
// (ErrTimeout) when the server stays silent until ctx's deadline or
// through the POKE's retransmissions, with an *UnreachableError
// (ErrUnreachable, on Linux) when nothing listens there any more, with
// ErrInvalidState once the registration has ended, and with ctx's error
// when ctx is cancelled.
//
// A check that succeeds after one that failed re-registers at once: a
// server that went away may have restarted and forgotten the
// registration. A restart that falls between two checks goes unseen
// (the server answers POKEs as before); the next refresh, at 80% of the
// granted REFRESH, registers again.
func (r *Registration) Check(ctx context.Context) (time.Duration, error) {
	var (
		server netip.AddrPort
		srtt   time.Duration
		over   bool
	)
	if err := r.e.do(func() {
		over = r.finished
		server = r.opts.Server
		r.mu.Lock()
		srtt = r.stats.RTT
		r.mu.Unlock()
	}); err != nil {
		return 0, err
	}
	if over {
		return 0, ErrInvalidState
	}
	rtt, silence, err := r.e.poke(ctx, server, srtt)
	if errors.Is(err, context.DeadlineExceeded) && silence != nil {
		err = silence
	}
	if errors.Is(err, context.Canceled) {
		return 0, err
	}
	_ = r.e.do(func() {
		switch {
		case err != nil:
			r.suspect = true
		case r.suspect:
			r.suspect = false
			r.e.log.Info("registration server answers again: registering anew", "server", server)
			r.refreshNow()
		}
	})
	return rtt, err
}
