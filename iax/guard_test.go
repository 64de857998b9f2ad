package iax

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"
)

// rawPeer is a bare UDP socket on some loopback address, speaking frames
// the test builds: a stranger, a flooder, a forger.
type rawPeer struct {
	t    *testing.T
	conn *net.UDPConn
}

func newRawPeer(t *testing.T, ip string) *rawPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatalf("cannot bind %s (the whole of 127/8 is loopback on Linux): %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &rawPeer{t: t, conn: conn}
}

func (r *rawPeer) addr() netip.AddrPort { return r.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// send writes f to to and returns its size on the wire.
func (r *rawPeer) send(to netip.AddrPort, f *FullFrame) int {
	r.t.Helper()
	b, err := f.Marshal()
	if err != nil {
		r.t.Fatal(err)
	}
	if _, err := r.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(to)); err != nil {
		r.t.Fatal(err)
	}
	return len(b)
}

// recv returns the next frame and its size on the wire.
func (r *rawPeer) recv() (*FullFrame, int) {
	r.t.Helper()
	buf := make([]byte, 4096)
	r.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := r.conn.ReadFromUDP(buf)
	if err != nil {
		r.t.Fatalf("waiting for a frame: %v", err)
	}
	var f FullFrame
	if err := f.Unmarshal(buf[:n]); err != nil {
		r.t.Fatalf("bad frame: %v", err)
	}
	return &f, n
}

// barrier sends a PING to call 0 and returns once its PONG is back: the
// endpoint has handled everything this peer sent before, and whatever it
// answered to that came first. It returns what came before the PONG.
func (r *rawPeer) barrier(to netip.AddrPort) []*FullFrame {
	r.t.Helper()
	r.send(to, &FullFrame{SourceCall: 7777, Timestamp: 1, Type: FrameIAX, Subclass: uint8(CmdPing)})
	var before []*FullFrame
	for {
		f, _ := r.recv()
		if f.IsCommand(CmdPong) && f.DestCall == 7777 {
			return before
		}
		before = append(before, f)
	}
}

func newFrame(src uint16, number, name string) *FullFrame {
	f := &FullFrame{SourceCall: src, Timestamp: 3, Type: FrameIAX, Subclass: uint8(CmdNew)}
	f.IEs.AddUint16(IEVersion, 2)
	f.IEs.AddString(IECalledNumber, number)
	f.IEs.AddString(IECallingNumber, number)
	f.IEs.AddString(IECallingName, name)
	f.IEs.AddUint32(IEFormat, uint32(FormatULaw))
	f.IEs.AddUint32(IECapability, uint32(FormatULaw))
	return f
}

// A client endpoint takes calls only from the server it registered to: a
// stranger's NEW (another loopback address) draws no answer at all and
// never reaches Accept, nor does its REGREQ; the server's NEW rings.
func TestStrangerCannotCall(t *testing.T) {
	srv, cli, _ := pair(t)
	if _, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	before := cli.Stats().CallNumbers
	st := newRawPeer(t, "127.0.0.2")
	st.send(cli.LocalAddr(), newFrame(100, "911", "Emergency"))
	reg := &FullFrame{SourceCall: 101, Type: FrameIAX, Subclass: uint8(CmdRegReq)}
	reg.IEs.AddString(IEUsername, "x")
	st.send(cli.LocalAddr(), reg)
	if got := st.barrier(cli.LocalAddr()); len(got) != 0 {
		t.Errorf("the stranger's NEW and REGREQ drew %v, want nothing", got)
	}
	if s := cli.Stats(); s.StrangerCalls != 1 || s.NotServed != 1 || s.CallNumbers != before {
		t.Errorf("Stats() = %+v, want 1 stranger call, 1 request not served, %d call numbers as before", s, before)
	}

	// The registered server's call rings, and it is the only one.
	out, err := srv.Dial(DialOptions{Peer: cli.LocalAddr(), Called: "201", CallingNumber: "600"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := cli.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := in.Info(); got.Peer != srv.LocalAddr() || got.CallingNumber != "600" {
		t.Errorf("first incoming call from %v (%q), want the server's %v", got.Peer, got.CallingNumber, srv.LocalAddr())
	}
	waitState(t, out, StateAlerting)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	if c, err := cli.Accept(ctx); err == nil {
		t.Errorf("a second incoming call from %v, want none", c.Info().Peer)
	}
}

// AcceptCalls lets a configured peer call too; everyone else stays out.
func TestAcceptFromPeer(t *testing.T) {
	friend := newRawPeer(t, "127.0.0.2")
	other := newRawPeer(t, "127.0.0.3")
	ep, err := Listen(t.Context(), "127.0.0.1:0", Config{AcceptCalls: AcceptFrom(friend.addr()), PingInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	other.send(ep.LocalAddr(), newFrame(100, "1", "other"))
	if got := other.barrier(ep.LocalAddr()); len(got) != 0 {
		t.Errorf("NEW from a peer not accepted drew %v, want nothing", got)
	}
	friend.send(ep.LocalAddr(), newFrame(100, "2", "friend"))
	if acc, _ := friend.recv(); !acc.IsCommand(CmdAccept) {
		t.Fatalf("NEW from the accepted peer drew %v, want ACCEPT", acc)
	}
	c, err := ep.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if c.Info().CallingName != "friend" {
		t.Errorf("incoming call from %q, want friend", c.Info().CallingName)
	}
}

// POKE and PING to call 0 hold no call number, in either role, and the
// PONG is no larger than the POKE.
func TestPokeAnsweredStatelessly(t *testing.T) {
	srv, cli, _ := pair(t)
	p := newRawPeer(t, "127.0.0.2")
	for _, ep := range []*Endpoint{srv, cli} {
		poke := &FullFrame{SourceCall: 300, Timestamp: 42, Type: FrameIAX, Subclass: uint8(CmdPoke)}
		poke.IEs.AddEmpty(IECallToken)
		n := p.send(ep.LocalAddr(), poke)
		pong, m := p.recv()
		if !pong.IsCommand(CmdPong) || pong.SourceCall != 1 || pong.DestCall != 300 || pong.Timestamp != 42 || pong.ISeq != 1 {
			t.Errorf("answer to POKE = %v, want PONG from call 1 to 300 ts=42 i=1", pong)
		}
		if m > n {
			t.Errorf("PONG of %d bytes to a POKE of %d", m, n)
		}
		if st := ep.Stats(); st.CallNumbers != 0 || st.StatelessAnswers != 1 {
			t.Errorf("Stats() = %+v, want no call number held, 1 stateless answer", st)
		}
	}
}

// floodPokes sends n POKEs from each of the sources to each target, as
// fast as the sockets take them, within a bounded time.
func floodPokes(t *testing.T, n int, targets []netip.AddrPort, sources ...*rawPeer) {
	t.Helper()
	var wg sync.WaitGroup
	deadline := time.Now().Add(10 * time.Second)
	for _, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if time.Now().After(deadline) {
					return
				}
				f := &FullFrame{SourceCall: uint16(i%MaxCallNumber) + 1, Timestamp: uint32(i), Type: FrameIAX, Subclass: uint8(CmdPoke)}
				f.IEs.AddEmpty(IECallToken)
				b, _ := f.Marshal()
				for _, to := range targets {
					src.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(to))
				}
			}
		}()
	}
	wg.Wait()
}

// A POKE flood from two sources leaves the call numbers free in both
// roles: the registration refresh that follows succeeds and calls
// connect both ways.
func TestPokeFloodThenRegisterAndCall(t *testing.T) {
	srv, cli, clk := pair(t)
	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret", Refresh: 60 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	for len(reg.Events()) > 0 {
		<-reg.Events()
	}
	floodPokes(t, 5000, []netip.AddrPort{srv.LocalAddr(), cli.LocalAddr()}, newRawPeer(t, "127.0.0.2"), newRawPeer(t, "127.0.0.3"))

	// The refresh, at 80% of the granted 60 s. A frame of it may find a
	// socket buffer still full of the flood and be dropped by the kernel:
	// when nothing comes for a while, time moves on by a retransmission
	// timeout, as it would, and the retransmission brings it.
	clk.Advance(48 * time.Second)
	for want := []RegState{RegRegistering, RegRegistered}; len(want) > 0; {
		select {
		case ev := <-reg.Events():
			if ev.State != want[0] {
				t.Fatalf("registration event %v (%v), want %v", ev.State, ev.Err, want[0])
			}
			want = want[1:]
		case <-time.After(2 * time.Second):
			clk.Advance(time.Second)
		case <-t.Context().Done():
			t.Fatal("no refresh after the flood")
		}
	}
	// Everything the flood put in the sockets before the refresh has been
	// handled by now: the REGREQ and REGACK queued behind it.
	for name, ep := range map[string]*Endpoint{"server": srv, "client": cli} {
		st := ep.Stats()
		if st.StatelessAnswers == 0 || st.CallNumbers > 3 {
			t.Errorf("%s after the flood: %d POKEs answered, %d call numbers in use; want some answered and at most 3 in use",
				name, st.StatelessAnswers, st.CallNumbers)
		}
	}

	out, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := in.Answer(); err != nil {
		t.Fatal(err)
	}
	waitState(t, out, StateConnected)
	back, err := srv.Dial(DialOptions{Peer: cli.LocalAddr(), Called: "201"})
	if err != nil {
		t.Fatal(err)
	}
	ring, err := cli.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := ring.Answer(); err != nil {
		t.Fatal(err)
	}
	waitState(t, back, StateConnected)
}

// One source address may have only so many calls being set up: past
// MaxSetupPerSource the server refuses with congestion (cause 34), while
// another address still gets through; an answered call frees its place.
func TestSetupLimitPerSource(t *testing.T) {
	a := newAsterisk(t, Config{Server: serverConfig(), MaxSetupPerSource: 2})
	other := newRawPeer(t, "127.0.0.2")
	nw := func(src uint16) *FullFrame {
		f := newFrame(src, "600", "")
		f.IEs.AddString(IEUsername, "handset2") // no calltoken round for this user
		return f
	}
	var auths []*FullFrame
	for src := uint16(100); src < 102; src++ {
		a.sendFrame(nw(src))
		if f := a.recv(); !f.IsCommand(CmdAuthReq) {
			t.Fatalf("NEW %d drew %v, want AUTHREQ", src, f)
		} else {
			auths = append(auths, f)
		}
	}
	a.sendFrame(nw(102))
	if f := a.recv(); !f.IsCommand(CmdReject) || f.IEs.String(IECause) != "Congestion" {
		t.Fatalf("third NEW from one address drew %v, want REJECT Congestion", f)
	} else if code, _ := f.IEs.Uint(IECauseCode); code != uint64(CauseCongestion) {
		t.Errorf("REJECT cause code %d, want %d", code, CauseCongestion)
	}
	other.send(a.ep.LocalAddr(), nw(100))
	if f, _ := other.recv(); !f.IsCommand(CmdAuthReq) {
		t.Errorf("NEW from another address drew %v, want AUTHREQ", f)
	}
	if st := a.ep.Stats(); st.SetupLimited != 1 {
		t.Errorf("SetupLimited = %d, want 1", st.SetupLimited)
	}

	// Authenticate and answer the first call: a place is free again.
	rep := &FullFrame{SourceCall: 100, DestCall: auths[0].SourceCall, Timestamp: 5, OSeq: 1, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdAuthRep)}
	rep.IEs.AddString(IEMD5Result, md5Answer(auths[0].IEs.String(IEChallenge), "other"))
	a.sendFrame(rep)
	if f := a.recv(); !f.IsCommand(CmdAccept) {
		t.Fatalf("AUTHREP drew %v, want ACCEPT", f)
	}
	a.recv() // RINGING
	c, err := a.ep.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	a.recv() // ANSWER
	a.sendFrame(nw(103))
	if f := a.recv(); !f.IsCommand(CmdAuthReq) {
		t.Errorf("NEW after one call was answered drew %v, want AUTHREQ", f)
	}
}

// The client role's bound is small, and past it a NEW (even one that
// claims the server's address) is dropped without an answer.
func TestClientSetupLimit(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	for src := uint16(100); src < 100+defaultClientSetup; src++ {
		a.sendFrame(newFrame(src, "201", "server"))
		if f := a.recv(); !f.IsCommand(CmdAccept) {
			t.Fatalf("NEW %d drew %v, want ACCEPT", src, f)
		}
		a.recv() // RINGING
	}
	a.sendFrame(newFrame(200, "201", "one too many"))
	a.sendFrame(&FullFrame{SourceCall: 7777, Timestamp: 1, Type: FrameIAX, Subclass: uint8(CmdPing)})
	if f := a.recv(); !f.IsCommand(CmdPong) {
		t.Errorf("NEW past the bound drew %v, want nothing (the PONG of the barrier first)", f)
	}
	if st := a.ep.Stats(); st.SetupLimited != 1 {
		t.Errorf("SetupLimited = %d, want 1", st.SetupLimited)
	}
}

// A forged INVAL outside the call's window (or from another address,
// with the right numbers) leaves the call up; the first only makes it
// check the peer with a PING. An INVAL from the peer that answers one
// of our frames ends the call.
func TestInvalOnlyInWindow(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	c := p.c
	a.sendFrame(&FullFrame{SourceCall: p.src, DestCall: p.us, OSeq: p.oseq + 9, ISeq: 77, Type: FrameIAX, Subclass: uint8(CmdInval)})
	ping := a.recv()
	if !ping.IsCommand(CmdPing) {
		t.Fatalf("answer to an INVAL out of the window = %v, want a PING checking the peer", ping)
	}
	p.iseq = ping.OSeq + 1
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdPong), Timestamp: ping.Timestamp})
	if ack := a.recv(); !ack.IsCommand(CmdAck) {
		t.Fatalf("answer to PONG = %v, want ACK", ack)
	}
	if st := c.State(); st != StateConnected {
		t.Fatalf("after a forged INVAL the call is %v (%v), want connected", st, c.Err())
	}

	// The right numbers, from another address.
	if err := c.SendText("x"); err != nil {
		t.Fatal(err)
	}
	x := a.recv()
	forger := newRawPeer(t, "127.0.0.2")
	inval := &FullFrame{SourceCall: p.src, DestCall: p.us, OSeq: x.ISeq, ISeq: x.OSeq + 1, Timestamp: x.Timestamp, Type: FrameIAX, Subclass: uint8(CmdInval)}
	forger.send(a.ep.LocalAddr(), inval)
	forger.barrier(a.ep.LocalAddr())
	if st := c.State(); st != StateConnected {
		t.Fatalf("after an INVAL from another address the call is %v (%v), want connected", st, c.Err())
	}
	if st := c.Stats(); st.OutOfWindow != 1 {
		t.Errorf("OutOfWindow = %d, want 1", st.OutOfWindow)
	}

	// The same from the peer: it answers our text frame.
	a.sendFrame(inval)
	<-c.Done()
	if c.State() != StateFailed || !errors.Is(c.Err(), ErrInvalidCall) {
		t.Errorf("after the peer's INVAL: %v, %v; want failed, ErrInvalidCall", c.State(), c.Err())
	}
}

// A HANGUP that acknowledges frames never sent is not the peer's and is
// ignored; the peer's own HANGUP ends the call.
func TestHangupOnlyInWindow(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	c := p.c
	forged := causeFrame(CmdHangup, "Normal Clearing", CauseNormal)
	forged.SourceCall, forged.DestCall, forged.OSeq, forged.ISeq, forged.Timestamp = p.src, p.us, p.oseq, p.iseq+40, 9
	a.sendFrame(forged)
	p.barrier()
	if st := c.State(); st != StateConnected {
		t.Fatalf("after a HANGUP acknowledging frames never sent the call is %v, want connected", st)
	}
	if st := c.Stats(); st.OutOfWindow != 1 {
		t.Errorf("OutOfWindow = %d, want 1", st.OutOfWindow)
	}
	// Far behind what the peer acknowledged: not the peer's either.
	forged.ISeq = p.iseq - 40
	a.sendFrame(forged)
	p.barrier()
	if st := c.State(); st != StateConnected {
		t.Fatalf("after a HANGUP with an ISeq far behind the call is %v, want connected", st)
	}
	// The peer's own, sent before it acknowledged our last frame and
	// overtaken by that acknowledgement: one behind, taken.
	h := causeFrame(CmdHangup, "Normal Clearing", CauseNormal)
	h.SourceCall, h.DestCall, h.OSeq, h.ISeq, h.Timestamp = p.src, p.us, p.oseq, p.iseq-1, 10
	a.sendFrame(h)
	<-c.Done()
	if c.State() != StateHangupRemote {
		t.Errorf("after the peer's HANGUP the call is %v, want hangup-remote", c.State())
	}
}

// A call whose PING goes unanswered for PingTimeout ends as failed with a
// *NoAnswerError (ErrTimeout); an answered PING keeps it up.
func TestPingTimeoutEndsCall(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: 5 * time.Second, PingTimeout: 3 * time.Second})
	p := incomingCall(t, a)
	c := p.c
	a.advance(5 * time.Second)
	ping := a.recv()
	if !ping.IsCommand(CmdPing) {
		t.Fatalf("at 5s sent %v, want PING", ping)
	}
	p.iseq = ping.OSeq + 1
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdPong), Timestamp: ping.Timestamp})
	a.recv() // ACK
	a.advance(3 * time.Second)
	if c.State() != StateConnected {
		t.Fatalf("after an answered PING the call is %v (%v), want connected", c.State(), c.Err())
	}
	a.advance(2 * time.Second) // the next PING, never answered
	if f := a.recv(); !f.IsCommand(CmdPing) {
		t.Fatalf("at 10s sent %v, want PING", f)
	}
	a.advance(3 * time.Second)
	<-c.Done()
	var na *NoAnswerError
	if c.State() != StateFailed || !errors.As(c.Err(), &na) || !errors.Is(c.Err(), ErrTimeout) || na.Frame != "IAX PING" {
		t.Errorf("after an unanswered PING: %v, %v; want failed with no answer to the PING", c.State(), c.Err())
	}
}

// Registration.Check pokes the server: it answers, then it is gone, then
// it is back (a fast restart that forgot everything): that success
// registers again at once, and the restarted server knows the handset.
func TestRegistrationCheckSeesRestart(t *testing.T) {
	srv, cli, clk := pair(t)
	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := reg.Check(t.Context()); err != nil {
		t.Fatalf("Check() with the server up = %v", err)
	}
	addr := srv.LocalAddr()
	srv.Close()
	if _, err := reg.Check(t.Context()); !errors.Is(err, ErrUnreachable) {
		t.Fatalf("Check() with the server gone = %v, want ErrUnreachable", err)
	}
	again, err := Listen(t.Context(), addr.String(), Config{Clock: clk, Server: serverConfig()})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, ok := again.Lookup("handset1"); ok {
		t.Fatal("the restarted server knows handset1 already")
	}
	for len(reg.Events()) > 0 {
		<-reg.Events()
	}
	if _, err := reg.Check(t.Context()); err != nil {
		t.Fatalf("Check() with the server back = %v", err)
	}
	if err := reg.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	var states []RegState
	for st := RegState(-1); st != RegRegistered; {
		select {
		case ev := <-reg.Events():
			st = ev.State
			states = append(states, st)
		case <-t.Context().Done():
			t.Fatalf("registration events %v, want registering, registered", states)
		}
	}
	if !slices.Equal(states, []RegState{RegRegistering, RegRegistered}) {
		t.Errorf("registration events %v, want registering, registered", states)
	}
	if got, ok := again.Lookup("handset1"); !ok || got != cli.LocalAddr() {
		t.Errorf("restarted server: Lookup(handset1) = %v, %v; want %v", got, ok, cli.LocalAddr())
	}

	// A server that takes the POKE and says nothing: Check ends at ctx's
	// deadline with a *NoAnswerError.
	mute := newRawPeer(t, "127.0.0.2")
	r2, err := cli.StartRegistration(RegisterOptions{Server: mute.addr(), Username: "u"})
	if err != nil {
		t.Fatal(err)
	}
	mute.recv() // REGREQ
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	var na *NoAnswerError
	if _, err := r2.Check(ctx); !errors.As(err, &na) || !errors.Is(err, ErrTimeout) || na.Frame != "POKE" || na.Tries != 1 {
		t.Errorf("Check() of a silent server = %v, want no answer to 1 POKE", err)
	}
}

// A known and an unknown user get the same answers: a challenge with
// the same elements (a fresh one each time, for both), and after the
// answer the same refusal. For registrations and for calls.
func TestUnknownUserChallengedLikeKnown(t *testing.T) {
	a := newAsterisk(t, Config{Server: serverConfig()})
	src := uint16(500)
	// open runs the calltoken round for f and returns the server's answer.
	open := func(f *FullFrame) *FullFrame {
		t.Helper()
		src++
		f.SourceCall = src
		f.IEs.AddEmpty(IECallToken)
		a.sendFrame(f)
		tok := a.recv()
		if !tok.IsCommand(CmdCallToken) {
			t.Fatalf("answer to %v = %v, want CALLTOKEN", f, tok)
		}
		g := &FullFrame{SourceCall: src, Timestamp: f.Timestamp, Type: f.Type, Subclass: f.Subclass}
		for _, ie := range f.IEs {
			if ie.Type == IECallToken {
				ie.Data = []byte(tok.IEs.String(IECallToken))
			}
			g.IEs = append(g.IEs, ie)
		}
		a.sendFrame(g)
		return a.recv()
	}
	// reply answers a challenge with an MD5 answer from a wrong secret.
	reply := func(chal *FullFrame, cmd Command, user string) *FullFrame {
		t.Helper()
		f := &FullFrame{SourceCall: chal.DestCall, DestCall: chal.SourceCall, Timestamp: 9, OSeq: 1, ISeq: 1, Type: FrameIAX, Subclass: uint8(cmd)}
		f.IEs.AddString(IEUsername, user)
		f.IEs.AddString(IEMD5Result, md5Answer(chal.IEs.String(IEChallenge), "guess"))
		a.sendFrame(f)
		for {
			if g := a.recv(); !g.IsCommand(CmdAck) {
				return g
			}
		}
	}
	shape := func(f *FullFrame) string {
		s := f.Type.String() + " " + subclassName(f)
		for _, ie := range f.IEs {
			s += " " + ie.Type.String()
		}
		return s
	}
	for _, kind := range []struct {
		open, answer Command
	}{{CmdRegReq, CmdRegReq}, {CmdNew, CmdAuthRep}} {
		var shapes [2][2]string
		for i, user := range []string{"handset1", "nobody"} {
			var challenges []string
			for range 2 {
				f := &FullFrame{Timestamp: 2, Type: FrameIAX, Subclass: uint8(kind.open)}
				if kind.open == CmdNew {
					f = newFrame(0, "600", "")
				}
				f.IEs.AddString(IEUsername, user)
				chal := open(f)
				challenges = append(challenges, chal.IEs.String(IEChallenge))
				shapes[i][0] = shape(chal)
				shapes[i][1] = shape(reply(chal, kind.answer, user))
			}
			if challenges[0] == challenges[1] {
				t.Errorf("%v for %s: the same challenge twice (%s), want a fresh one each time", kind.open, user, challenges[0])
			}
		}
		if shapes[0] != shapes[1] {
			t.Errorf("%v: known user answered %q, unknown %q; want the same frames and elements", kind.open, shapes[0], shapes[1])
		}
		if want := map[Command]string{CmdRegReq: "IAX REGREJ", CmdNew: "IAX REJECT"}[kind.open]; shapes[1][1][:len(want)] != want {
			t.Errorf("%v: final answer %q, want %s", kind.open, shapes[1][1], want)
		}
	}
	if _, ok := a.ep.Lookup("nobody"); ok {
		t.Error("an unknown user got registered")
	}
}
