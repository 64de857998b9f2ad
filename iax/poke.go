package iax

import (
	"context"
	"net/netip"
	"time"
)

// Poke checks that a peer answers (POKE → PONG, with the calltoken round
// Asterisk asks for) and returns the round-trip time, as Asterisk's
// qualify does. It fails with ErrTimeout when the retransmissions of the
// POKE go unanswered.
func (e *Endpoint) Poke(ctx context.Context, peer netip.AddrPort) (time.Duration, error) {
	h := &pokeClient{done: make(chan struct{})}
	if err := e.do(func() {
		s, err := e.newSession(peer, h)
		if err != nil {
			h.finish(0, err)
			return
		}
		h.s = s
		f := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdPoke)}
		f.IEs.AddEmpty(IECallToken)
		s.first = f
		h.sent = e.clk.Now()
		s.send(f, false)
		s.expireAfter(e.transactionTimeout(), "POKE")
	}); err != nil {
		return 0, err
	}
	select {
	case <-h.done:
		return h.rtt, h.err
	case <-ctx.Done():
		_ = e.do(func() {
			if h.s != nil {
				h.s.close()
			}
		})
		return 0, ctx.Err()
	}
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
