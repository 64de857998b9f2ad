package iax

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// nullConn is a PacketConn that never receives and discards what is sent.
type nullConn struct {
	once   sync.Once
	closed chan struct{}
	mu     sync.Mutex
	sent   int
}

func newNullConn() *nullConn { return &nullConn{closed: make(chan struct{})} }

func (c *nullConn) ReadFrom([]byte) (int, net.Addr, error) {
	<-c.closed
	return 0, nil, net.ErrClosed
}
func (c *nullConn) WriteTo(b []byte, _ net.Addr) (int, error) {
	c.mu.Lock()
	c.sent++
	c.mu.Unlock()
	return len(b), nil
}
func (c *nullConn) Close() error                     { c.once.Do(func() { close(c.closed) }); return nil }
func (c *nullConn) LocalAddr() net.Addr              { return &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: 4569} }
func (c *nullConn) SetDeadline(time.Time) error      { return nil }
func (c *nullConn) SetReadDeadline(time.Time) error  { return nil }
func (c *nullConn) SetWriteDeadline(time.Time) error { return nil }

// splitDatagrams reads a fuzz input as datagrams, each prefixed by a
// one-byte flag (bit 0: advance the clock 1 s first) and a two-byte length.
func splitDatagrams(b []byte) (out [][]byte, advance []bool) {
	for len(b) >= 3 {
		n := int(binary.BigEndian.Uint16(b[1:]))
		adv := b[0]&1 != 0
		b = b[3:]
		if n > len(b) {
			n = len(b)
		}
		out, advance = append(out, b[:n]), append(advance, adv)
		b = b[n:]
	}
	return out, advance
}

func joinDatagrams(pkts []captured, toAsterisk bool) []byte {
	var out []byte
	for _, p := range pkts {
		if (p.Dst.Port() == 4569) != toAsterisk {
			continue
		}
		out = append(out, 0)
		out = binary.BigEndian.AppendUint16(out, uint16(len(p.Data)))
		out = append(out, p.Data...)
	}
	return out
}

// FuzzEndpoint feeds datagrams to an endpoint in both roles and checks
// that it neither panics nor leaks call numbers beyond what the input
// could open, and that Close always returns.
func FuzzEndpoint(f *testing.F) {
	for _, name := range captureFiles(f) {
		pkts := readCapture(f, name)
		f.Add(joinDatagrams(pkts, true))
		f.Add(joinDatagrams(pkts, false))
	}
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	f.Fuzz(func(t *testing.T, b []byte) {
		dgrams, adv := splitDatagrams(b)
		clk := clock.NewFake(replayStart)
		e := New(newNullConn(), Config{Clock: clk, Server: serverConfig(), Retransmit: Retransmit{Tries: 2}})
		defer e.Close()
		for i, d := range dgrams {
			if adv[i] {
				clk.Advance(time.Second)
			}
			var n int
			e.do(func() {
				e.receive(inbound{from: from, at: clk.Now(), b: d})
				n = len(e.sessions)
			})
			if n > i+1 {
				t.Fatalf("%d sessions after %d datagrams", n, i+1)
			}
		}
		// Each step lets the loop arm the next timer of a chain (PING,
		// retransmissions, linger) before time moves on.
		for range 24 {
			clk.Advance(5 * time.Second)
			e.do(func() {})
		}
		var n int
		e.do(func() { n = len(e.sessions) })
		// Everything the input opened has timed out or finished by now.
		if n != 0 {
			var left []string
			e.do(func() {
				for _, s := range e.sessions {
					left = append(left, fmt.Sprintf("%T", s.h))
				}
			})
			t.Fatalf("%d sessions left two minutes after the input: %v", n, left)
		}
	})
}

// FuzzClientEndpoint feeds datagrams to a client endpoint that registers
// to the sender, half of them from the server's address and half from a
// stranger's: nothing from the stranger opens a call number, the calls
// being set up by the server stay within the client bound, and
// everything but the registration has ended two minutes later.
func FuzzClientEndpoint(f *testing.F) {
	for _, name := range captureFiles(f) {
		pkts := readCapture(f, name)
		f.Add(joinDatagrams(pkts, false))
	}
	server := netip.MustParseAddrPort("127.0.0.1:4569")
	stranger := netip.MustParseAddrPort("127.0.0.2:4569")
	f.Fuzz(func(t *testing.T, b []byte) {
		dgrams, adv := splitDatagrams(b)
		clk := clock.NewFake(replayStart)
		e := New(newNullConn(), Config{Clock: clk, Retransmit: Retransmit{Tries: 2}})
		defer e.Close()
		if _, err := e.StartRegistration(RegisterOptions{Server: server, Username: "u", Secret: "s"}); err != nil {
			t.Fatal(err)
		}
		for i, d := range dgrams {
			if adv[i] {
				clk.Advance(time.Second)
			}
			from := server
			if i%2 == 1 {
				from = stranger
			}
			e.do(func() {
				e.receive(inbound{from: from, at: clk.Now(), b: d})
				for _, s := range e.sessions {
					if s.peer == stranger {
						t.Fatalf("a call number for the stranger after %d datagrams", i+1)
					}
				}
				if n := e.setup[server.Addr()]; n > defaultClientSetup {
					t.Fatalf("%d transactions being set up by the server, want at most %d", n, defaultClientSetup)
				}
			})
		}
		for range 24 {
			clk.Advance(5 * time.Second)
			e.do(func() {})
		}
		e.do(func() {
			for _, s := range e.sessions {
				if _, ok := s.h.(*regTx); !ok {
					t.Fatalf("a %T left two minutes after the input", s.h)
				}
			}
		})
	})
}
