package iax_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

// A registrar and a handset on loopback: the handset registers, calls
// extension 600, the registrar answers and hangs up.
func Example() {
	ctx := context.Background()
	users := map[string]iax.User{"handset1": {Name: "handset1", Secret: "s3cret", CallerNumber: "201"}}
	pbx, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Server: &iax.ServerConfig{
		Users: func(name string) (iax.User, bool) { u, ok := users[name]; return u, ok },
	}})
	if err != nil {
		log.Fatal(err)
	}
	defer pbx.Close()
	phone, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{})
	if err != nil {
		log.Fatal(err)
	}
	defer phone.Close()

	reg, err := phone.Register(ctx, iax.RegisterOptions{Server: pbx.LocalAddr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	refresh, _ := reg.Granted()
	fmt.Println("registered for", refresh)

	call, err := phone.Dial(iax.DialOptions{Peer: pbx.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		log.Fatal(err)
	}
	in, err := pbx.Accept(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pbx: call for", in.Info().Called, "from", in.Info().Username)
	in.Answer()
	if err := call.Wait(ctx); err != nil {
		log.Fatal(err)
	}
	fmt.Println("phone: connected,", call.Info().Format)
	in.Hangup(0)
	<-call.Done()
	fmt.Println("phone:", call.State(), call.Err())
	fmt.Println("release:", reg.Release(ctx))
	// Output:
	// registered for 1m0s
	// pbx: call for 600 from handset1
	// phone: connected, ulaw
	// phone: hangup-remote iax: call hung up by peer: "Normal Clearing" (cause 16)
	// release: <nil>
}

// stepClock is the kind of fake clock a user of the package writes for
// its own tests: time stands still, and the test fires the pending timers
// when it chooses. Each new timer is announced on scheduled.
type stepClock struct {
	mu        sync.Mutex
	now       time.Time
	pending   []*stepTimer
	scheduled chan struct{}
}

type stepTimer struct {
	c       *stepClock
	at      time.Time
	f       func()
	stopped bool // guarded by c.mu
}

func (c *stepClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *stepClock) AfterFunc(d time.Duration, f func()) iax.Timer {
	c.mu.Lock()
	defer c.mu.Unlock()
	t := &stepTimer{c: c, at: c.now.Add(d), f: f}
	c.pending = append(c.pending, t)
	select {
	case c.scheduled <- struct{}{}:
	default: // a wake-up is already waiting
	}
	return t
}

func (t *stepTimer) Stop() bool {
	t.c.mu.Lock()
	defer t.c.mu.Unlock()
	was := !t.stopped
	t.stopped = true
	return was
}

// fire moves time to the latest pending deadline and runs every timer
// that has not been stopped.
func (c *stepClock) fire() {
	c.mu.Lock()
	due := c.pending
	c.pending = nil
	for _, t := range due {
		if t.at.After(c.now) {
			c.now = t.at
		}
	}
	c.mu.Unlock()
	for _, t := range due {
		if t.Stop() { // still pending: run it
			t.f()
		}
	}
}

// Any type with Now and AfterFunc is a Clock. On a fake clock a call to a
// peer that never answers fails after the retransmissions, as fast as the
// test fires the timers: no waiting for real seconds.
func ExampleClock() {
	clk := &stepClock{now: time.Unix(0, 0), scheduled: make(chan struct{}, 1)}
	silent, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
	if err != nil {
		log.Fatal(err)
	}
	defer silent.Close()
	phone, err := iax.Listen(context.Background(), "127.0.0.1:0", iax.Config{Clock: clk})
	if err != nil {
		log.Fatal(err)
	}
	defer phone.Close()
	peer := silent.LocalAddr().(*net.UDPAddr).AddrPort()
	call, err := phone.Dial(iax.DialOptions{Peer: peer, Called: "600"})
	if err != nil {
		log.Fatal(err)
	}
	for {
		select {
		case <-clk.scheduled:
			clk.fire()
			continue
		case <-call.Done():
		}
		break
	}
	fmt.Println("timed out:", errors.Is(call.Err(), iax.ErrTimeout))
	// The error says which frame went unanswered, where, and how often it
	// was sent (its text: "no answer from 127.0.0.1:PORT after 5 tries
	// over T (IAX NEW not acknowledged)").
	var na *iax.NoAnswerError
	if errors.As(call.Err(), &na) {
		fmt.Println(call.State(), na.Frame, "to the silent peer:", na.Peer == peer, "not acknowledged after", na.Tries, "tries")
	}
	// Output:
	// timed out: true
	// failed IAX NEW to the silent peer: true not acknowledged after 5 tries
}

// A handset takes calls from the server it registers to; AcceptFrom lets
// a configured peer call too, and nobody else.
func ExampleAcceptFrom() {
	peer := netip.MustParseAddrPort("192.0.2.7:4569")
	cfg := iax.Config{AcceptCalls: iax.AcceptFrom(peer)}
	fmt.Println(cfg.AcceptCalls(peer), cfg.AcceptCalls(netip.MustParseAddrPort("192.0.2.8:4569")))
	// Output: true false
}
