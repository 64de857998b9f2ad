package udprelay

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// Config configures a Relay.
type Config struct {
	// Target is the server the relay forwards to.
	Target netip.AddrPort
	// Up impairs client→server datagrams, Down server→client.
	Up, Down Impairment
	// Seed makes the run repeatable: Up draws from Seed, Down from Seed+1.
	Seed uint64
	// Hold is how long a reordered datagram waits at most for another to
	// overtake it (30 ms).
	Hold time.Duration
	// Clock times the holds (the wall clock if nil).
	Clock clock.Clock
}

// Relay forwards datagrams between clients and one server on loopback,
// impairing both directions.
type Relay struct {
	cfg      Config
	conn     *net.UDPConn
	up, down *direction

	mu       sync.Mutex
	upstream map[netip.AddrPort]*net.UDPConn
	closed   bool

	closeOnce sync.Once
	wg        sync.WaitGroup
}

type direction struct {
	mu    sync.Mutex
	z     *Impairer
	gen   uint64
	send  func(Packet)
	clk   clock.Clock
	hold  time.Duration
	timer clock.Timer
}

// Listen starts a relay on addr (e.g. "127.0.0.1:0") in front of
// cfg.Target.
func Listen(addr string, cfg Config) (*Relay, error) {
	if !cfg.Target.IsValid() {
		return nil, fmt.Errorf("%w: no target", ErrBadConfig)
	}
	if cfg.Hold <= 0 {
		cfg.Hold = 30 * time.Millisecond
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	zu, err := NewImpairer(cfg.Up, cfg.Seed)
	if err != nil {
		return nil, err
	}
	zd, err := NewImpairer(cfg.Down, cfg.Seed+1)
	if err != nil {
		return nil, err
	}
	la, err := net.ResolveUDPAddr("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("udprelay: %w", err)
	}
	conn, err := net.ListenUDP("udp", la)
	if err != nil {
		return nil, fmt.Errorf("udprelay: %w", err)
	}
	r := &Relay{cfg: cfg, conn: conn, upstream: map[netip.AddrPort]*net.UDPConn{}}
	r.up = &direction{z: zu, clk: cfg.Clock, hold: cfg.Hold, send: r.sendUp}
	r.down = &direction{z: zd, clk: cfg.Clock, hold: cfg.Hold, send: r.sendDown}
	r.wg.Add(1)
	go r.readClients()
	return r, nil
}

// Addr is where clients send to.
func (r *Relay) Addr() netip.AddrPort { return r.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// Counts returns what each direction has done so far.
func (r *Relay) Counts() (up, down Counts) {
	r.up.mu.Lock()
	up = r.up.z.Counts()
	r.up.mu.Unlock()
	r.down.mu.Lock()
	down = r.down.z.Counts()
	r.down.mu.Unlock()
	return up, down
}

// Close stops the relay and waits for its goroutines. Idempotent.
func (r *Relay) Close() error {
	r.closeOnce.Do(func() {
		r.mu.Lock()
		r.closed = true
		for _, c := range r.upstream {
			c.Close()
		}
		r.mu.Unlock()
		r.conn.Close()
		for _, d := range []*direction{r.up, r.down} {
			d.mu.Lock()
			if d.timer != nil {
				d.timer.Stop()
			}
			d.gen++
			d.mu.Unlock()
		}
	})
	r.wg.Wait()
	return nil
}

func (r *Relay) readClients() {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, from, err := r.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
		if _, err := r.upstreamFor(from); err != nil {
			continue
		}
		r.up.process(Packet{Data: append([]byte(nil), buf[:n]...), To: from})
	}
}

// upstreamFor returns the socket that speaks to the server for client c,
// opening it (and its reader) on first use.
func (r *Relay) upstreamFor(c netip.AddrPort) (*net.UDPConn, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return nil, ErrClosed
	}
	if u := r.upstream[c]; u != nil {
		return u, nil
	}
	u, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, fmt.Errorf("udprelay: %w", err)
	}
	r.upstream[c] = u
	r.wg.Add(1)
	go r.readServer(u, c)
	return u, nil
}

func (r *Relay) readServer(u *net.UDPConn, client netip.AddrPort) {
	defer r.wg.Done()
	buf := make([]byte, 65536)
	for {
		n, _, err := u.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		r.down.process(Packet{Data: append([]byte(nil), buf[:n]...), To: client})
	}
}

// sendUp sends a client's datagram (To names the client) to the server.
func (r *Relay) sendUp(p Packet) {
	r.mu.Lock()
	u := r.upstream[p.To]
	r.mu.Unlock()
	if u != nil {
		_, _ = u.WriteToUDPAddrPort(p.Data, r.cfg.Target)
	}
}

func (r *Relay) sendDown(p Packet) { _, _ = r.conn.WriteToUDPAddrPort(p.Data, p.To) }

// process runs one datagram through the impairer and sends what comes
// out. Sends happen under the direction's lock so that the order the
// impairer decided is the order on the wire.
func (d *direction) process(p Packet) {
	d.mu.Lock()
	defer d.mu.Unlock()
	out, held := d.z.Process(p)
	for _, o := range out {
		d.send(o)
	}
	if held {
		d.gen++
		gen := d.gen
		d.timer = d.clk.AfterFunc(d.hold, func() {
			d.mu.Lock()
			defer d.mu.Unlock()
			if d.gen != gen {
				return
			}
			if h, ok := d.z.Release(); ok {
				d.send(h)
			}
		})
	}
}
