package iax

import (
	"context"
	"errors"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

var testUsers = map[string]User{
	"handset1": {Name: "handset1", Secret: "s3cret", CallerName: "Handset One", CallerNumber: "201"},
	"handset2": {Name: "handset2", Secret: "other", CallerName: "Handset Two", CallerNumber: "202", NoCallToken: true},
}

func serverConfig() *ServerConfig {
	return &ServerConfig{Users: func(n string) (User, bool) { u, ok := testUsers[n]; return u, ok }}
}

// pair starts a server endpoint and a client endpoint on one fake clock.
func pair(t *testing.T) (srv, cli *Endpoint, clk *clock.Fake) {
	t.Helper()
	clk = clock.NewFake(replayStart)
	var err error
	srv, err = Listen(t.Context(), "127.0.0.1:0", Config{Clock: clk, Server: serverConfig()})
	if err != nil {
		t.Fatal(err)
	}
	cli, err = Listen(t.Context(), "127.0.0.1:0", Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cli.Close(); srv.Close() })
	return srv, cli, clk
}

// Our client registers to our server (calltoken round, MD5), calls it,
// the server answers, voice flows both ways, the client hangs up, and the
// client releases its registration.
func TestLoopbackRegisterAndCall(t *testing.T) {
	srv, cli, _ := pair(t)
	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret", Refresh: 120 * time.Second})
	if err != nil {
		t.Fatalf("Register() = %v", err)
	}
	refresh, apparent := reg.Granted()
	if refresh != 120*time.Second || apparent != cli.LocalAddr() {
		t.Errorf("Granted() = %v, %v; want 120s, %v", refresh, apparent, cli.LocalAddr())
	}
	if addr, ok := srv.Lookup("handset1"); !ok || addr != cli.LocalAddr() {
		t.Errorf("Lookup(handset1) = %v, %v; want %v", addr, ok, cli.LocalAddr())
	}

	out, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret", CallingNumber: "201", CallingName: "Handset One"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	info := in.Info()
	if info.Called != "600" || info.Username != "handset1" || info.CallingNumber != "201" || info.CallingName != "Handset One" || info.Format != FormatULaw {
		t.Errorf("server sees %+v", info)
	}
	waitState(t, out, StateAlerting)
	if err := in.Answer(); err != nil {
		t.Fatal(err)
	}
	waitState(t, out, StateConnected)

	payload := make([]byte, 160)
	for i := range 3 {
		payload[0] = byte(i)
		if err := out.SendVoice(payload); err != nil {
			t.Fatal(err)
		}
		v := <-in.Voice()
		if v.Payload[0] != byte(i) || v.Format != FormatULaw || len(v.Payload) != 160 {
			t.Fatalf("server got voice %d: %v %d bytes first %d", i, v.Format, len(v.Payload), v.Payload[0])
		}
		if err := in.SendVoice(v.Payload); err != nil { // echo
			t.Fatal(err)
		}
		if e := <-out.Voice(); e.Payload[0] != byte(i) {
			t.Fatalf("echo %d came back as %d", i, e.Payload[0])
		}
	}
	if err := out.Hangup(0); err != nil {
		t.Fatal(err)
	}
	<-in.Done()
	var he *HangupError
	if !errors.As(in.Err(), &he) || he.CauseCode != CauseNormal {
		t.Errorf("server call Err() = %v, want a hangup with cause 16", in.Err())
	}

	if err := reg.Release(t.Context()); err != nil {
		t.Fatalf("Release() = %v", err)
	}
	if _, ok := srv.Lookup("handset1"); ok {
		t.Error("Lookup(handset1) still finds the user after REGREL")
	}
}

func waitState(t *testing.T, c *Call, want CallState) {
	t.Helper()
	for {
		select {
		case ev := <-c.Events():
			if ev.Type == EventState && ev.State == want {
				return
			}
			if ev.Type == EventState && ev.State.Final() {
				t.Fatalf("call ended (%v) waiting for %v", ev.Err, want)
			}
		case <-t.Context().Done():
			t.Fatalf("waiting for %v", want)
		}
	}
}

func TestLoopbackWrongSecret(t *testing.T) {
	srv, cli, _ := pair(t)
	_, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "nope"})
	var de *DeniedError
	if !errors.As(err, &de) || de.CauseCode != CauseFacilityRejected || de.Cause != "Registration Refused" {
		t.Fatalf("Register() = %v, want REGREJ Registration Refused (29)", err)
	}
	c, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "nope"})
	if err != nil {
		t.Fatal(err)
	}
	<-c.Done()
	if !errors.Is(c.Err(), ErrRejected) {
		t.Errorf("call with a wrong secret: Err() = %v, want ErrRejected", c.Err())
	}
}

// The server routes a call to a registered user: handset2 registers, the
// server dials it where it registered, and handset2 sees Asterisk's kind
// of NEW (called "s").
func TestLoopbackRouteToRegisteredUser(t *testing.T) {
	srv, cli, _ := pair(t)
	if _, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset2", Secret: "other"}); err != nil {
		t.Fatal(err)
	}
	addr, ok := srv.Lookup("handset2")
	if !ok {
		t.Fatal("handset2 not registered")
	}
	out, err := srv.Dial(DialOptions{Peer: addr, Called: "s", CallingNumber: "201", CallingName: "Handset One"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := cli.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if i := in.Info(); i.Called != "s" || i.CallingNumber != "201" {
		t.Errorf("handset2 sees %+v", i)
	}
	in.Answer()
	waitState(t, out, StateConnected)
	in.Hangup(0)
	<-out.Done()
	if out.State() != StateHangupRemote {
		t.Errorf("State() = %v, want hangup-remote", out.State())
	}
}

// A client without calltoken support is refused the way Asterisk refuses
// it: an empty REGREJ from call 1 (libiax2 capture), unless the user has
// calltokens switched off, and then it registers (IEs in libiax2's order).
func TestServerCallTokenPolicy(t *testing.T) {
	pkts := readCapture(t, "libiax2-rejected-calltoken-required.pcapng")
	a := newAsterisk(t, Config{Server: &ServerConfig{Users: func(n string) (User, bool) {
		if n == "handset2" {
			return User{Name: n, Secret: "other"}, true
		}
		return User{}, false
	}}})
	a.play(pkts[0], 0)
	got := a.recv()
	if err := match(got, fullAt(t, pkts, 2), true); err != nil || got.SourceCall != 1 {
		t.Fatalf("answer to REGREQ without calltoken: %v (src %d, want 1)", err, got.SourceCall)
	}

	// handset1 in testUsers has tokens off: the libiax2 capture's client
	// registers.
	lib := readCapture(t, "libiax2-register-no-calltoken.pcapng")
	b := newAsterisk(t, Config{Server: serverConfig()})
	b.play(lib[0], 0)
	auth := b.recv()
	if !auth.IsCommand(CmdRegAuth) || auth.DestCall != 17837 || auth.IEs.String(IEUsername) != "handset2" {
		t.Fatalf("answer = %v, want REGAUTH to 17837", auth)
	}
	req := &FullFrame{SourceCall: 17837, DestCall: auth.SourceCall, Timestamp: 1, OSeq: 1, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdRegReq)}
	req.IEs.AddString(IEUsername, "handset2")
	req.IEs.AddString(IEMD5Result, md5Answer(auth.IEs.String(IEChallenge), "other"))
	req.IEs.AddUint16(IERefresh, 60)
	b.sendFrame(req)
	ack := b.recv()
	want := fullAt(t, lib, 5)
	if !ack.IsCommand(CmdRegAck) || ack.OSeq != want.OSeq || ack.ISeq != want.ISeq || len(ack.IEs) != len(want.IEs) {
		t.Fatalf("answer = %v, want a REGACK like %v", ack, want)
	}
	for i := range want.IEs {
		if ack.IEs[i].Type != want.IEs[i].Type || len(ack.IEs[i].Data) != len(want.IEs[i].Data) {
			t.Errorf("REGACK IE %d = %v, want %v as Asterisk sends it", i, ack.IEs[i], want.IEs[i])
		}
	}
	if got, _ := ack.IEs.ApparentAddr(); got != b.addr() {
		t.Errorf("APPARENT_ADDR = %v, want %v", got, b.addr())
	}
	if addr, ok := b.ep.Lookup("handset2"); !ok || addr != b.addr() {
		t.Errorf("Lookup(handset2) = %v, %v", addr, ok)
	}
}

// A registration expires when not refreshed.
func TestRegistrarExpiry(t *testing.T) {
	var changes []string
	cfg := serverConfig()
	cfg.OnRegister = func(u string, _ netip.AddrPort, on bool) {
		changes = append(changes, map[bool]string{true: "+", false: "-"}[on]+u)
	}
	clk := clock.NewFake(replayStart)
	srv, err := Listen(t.Context(), "127.0.0.1:0", Config{Clock: clk, Server: cfg})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli, err := Listen(t.Context(), "127.0.0.1:0", Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset2", Secret: "other", Refresh: 30 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	cli.Close() // the client vanishes without REGREL
	<-reg.Done()
	clk.Advance(39 * time.Second)
	if _, ok := srv.Lookup("handset2"); !ok {
		t.Fatal("expired before refresh+10s")
	}
	clk.Advance(time.Second)
	if _, ok := srv.Lookup("handset2"); ok {
		t.Fatal("still registered after refresh+10s")
	}
	_ = srv.do(func() {})
	if stringsOf(changes) != "[+handset2 -handset2]" {
		t.Errorf("OnRegister calls = %v", changes)
	}
}

// The embedded-peer routing path end to end: handset1 calls handset2
// through the server, which looks handset2 up, dials it and bridges the
// two calls; voice and DTMF pass; handset2's hangup reaches handset1.
func TestLoopbackBridgeThroughServer(t *testing.T) {
	srv, h1, clk := pair(t)
	h2, err := Listen(t.Context(), "127.0.0.1:0", Config{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	defer h2.Close()
	if _, err := h2.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset2", Secret: "other"}); err != nil {
		t.Fatal(err)
	}

	bridged := make(chan error, 1)
	go func() {
		in, err := srv.Accept(t.Context())
		if err != nil {
			bridged <- err
			return
		}
		addr, ok := srv.Lookup(in.Info().Called)
		if !ok {
			bridged <- errors.New("not registered")
			return
		}
		info := in.Info()
		out, err := srv.Dial(DialOptions{Peer: addr, Called: "s", CallingNumber: info.CallingNumber, CallingName: info.CallingName})
		if err != nil {
			bridged <- err
			return
		}
		bridged <- Bridge(t.Context(), in, out)
	}()

	c1, err := h1.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "handset2", Username: "handset1", Secret: "s3cret", CallingNumber: "201"})
	if err != nil {
		t.Fatal(err)
	}
	c2, err := h2.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if got := c2.Info().CallingNumber; got != "201" {
		t.Errorf("handset2 sees caller %q, want 201", got)
	}
	if err := c2.Answer(); err != nil {
		t.Fatal(err)
	}
	if err := c1.Wait(t.Context()); err != nil {
		t.Fatalf("caller Wait() = %v", err)
	}
	if err := c1.SendVoice([]byte{7, 7, 7}); err != nil {
		t.Fatal(err)
	}
	if v := <-c2.Voice(); len(v.Payload) != 3 || v.Payload[0] != 7 {
		t.Errorf("handset2 got voice %v", v.Payload)
	}
	c1.DTMFBegin('9')
	c1.DTMFEnd('9')
	for done := false; !done; {
		ev := <-c2.Events()
		done = ev.Type == EventDTMFEnd && ev.Digit == '9'
	}
	c2.Hangup(CauseBusy)
	<-c1.Done()
	var he *HangupError
	if !errors.As(c1.Err(), &he) || he.CauseCode != CauseBusy {
		t.Errorf("caller Err() = %v, want hangup with cause 17 passed through", c1.Err())
	}
	if err := <-bridged; err != nil {
		t.Errorf("Bridge() = %v", err)
	}
}

func netipPortPlusOne(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr(), a.Port()+1)
}

// Serve runs a handler per call: here an echo extension.
func TestServeEcho(t *testing.T) {
	srv, cli, _ := pair(t)
	ctx, cancel := context.WithCancel(t.Context())
	served := make(chan error, 1)
	go func() {
		served <- srv.Serve(ctx, func(ctx context.Context, c *Call) {
			c.Answer()
			for {
				select {
				case v := <-c.Voice():
					c.SendVoice(v.Payload)
				case <-c.Done():
					return
				case <-ctx.Done():
					return
				}
			}
		})
	}()
	c, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	c.SendVoice([]byte("hello"))
	if v := <-c.Voice(); string(v.Payload) != "hello" {
		t.Errorf("echo = %q, want hello", v.Payload)
	}
	cancel()
	if err := <-served; !errors.Is(err, context.Canceled) {
		t.Errorf("Serve() = %v, want context.Canceled", err)
	}
	<-c.Done() // the handler's call was hung up when Serve stopped
	if c.State() != StateHangupRemote {
		t.Errorf("State() = %v, want hangup-remote", c.State())
	}
}

// Asterisk's offer to transfer the media path (TXREQ) is declined with TXREJ.
func TestTxReqDeclined(t *testing.T) {
	a := newAsterisk(t, Config{})
	p := incomingCall(t, a)
	req := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdTxReq), Timestamp: 9}
	req.IEs.AddApparentAddr(a.addr())
	req.IEs.AddUint16(IECallNo, 77)
	req.IEs.AddUint32(IETransferID, 1)
	p.send(req)
	if rej := a.recv(); !rej.IsCommand(CmdTxRej) {
		t.Errorf("answer to TXREQ = %v, want TXREJ", rej)
	}
}

// Close ends everything on the endpoint with ErrClosed, wakes Accept, and
// may be called again.
func TestCloseEndsEverything(t *testing.T) {
	srv, cli, _ := pair(t)
	reg, err := cli.Register(t.Context(), RegisterOptions{Server: srv.LocalAddr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	c, err := cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan error, 1)
	go func() {
		_, err := cli.Accept(t.Context())
		accepted <- err
	}()
	cli.Close()
	cli.Close()
	<-c.Done()
	<-reg.Done()
	if c.State() != StateFailed || !errors.Is(c.Err(), ErrClosed) {
		t.Errorf("call: %v, %v; want failed, ErrClosed", c.State(), c.Err())
	}
	if reg.State() != RegFailed || !errors.Is(reg.Err(), ErrClosed) {
		t.Errorf("registration: %v, %v; want failed, ErrClosed", reg.State(), reg.Err())
	}
	if err := <-accepted; !errors.Is(err, ErrClosed) {
		t.Errorf("Accept() = %v, want ErrClosed", err)
	}
	if _, err := cli.Dial(DialOptions{Peer: srv.LocalAddr()}); !errors.Is(err, ErrClosed) {
		t.Errorf("Dial after Close = %v, want ErrClosed", err)
	}
	if !errors.Is(cli.Err(), ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", cli.Err())
	}
	<-cli.Done()
}
