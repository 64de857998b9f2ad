package iax

import (
	"bytes"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// asterisk plays the server's side of a capture against an Endpoint over
// loopback UDP. Time on the endpoint is fake: nothing is retransmitted
// unless the test advances the clock. The real-time read deadline only
// bounds how long a broken test waits; it is not synchronisation.
type asterisk struct {
	t    *testing.T
	conn *net.UDPConn
	ep   *Endpoint
	clk  *clock.Fake
}

var replayStart = time.Date(2026, 11, 27, 1, 23, 36, 0, time.UTC)

func newAsterisk(t *testing.T, cfg Config) *asterisk {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.NewFake(replayStart)
	}
	clk, _ := cfg.Clock.(*clock.Fake)
	if cfg.AcceptCalls == nil && cfg.Server == nil {
		// The test plays a server the endpoint may not have registered to.
		cfg.AcceptCalls = AcceptFrom(conn.LocalAddr().(*net.UDPAddr).AddrPort())
	}
	ep, err := Listen(t.Context(), "127.0.0.1:0", cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ep.Close()
		conn.Close()
	})
	return &asterisk{t: t, conn: conn, ep: ep, clk: clk}
}

func (a *asterisk) addr() netip.AddrPort { return a.conn.LocalAddr().(*net.UDPAddr).AddrPort() }

// recvRaw returns the next datagram from the endpoint.
func (a *asterisk) recvRaw() []byte {
	a.t.Helper()
	buf := make([]byte, 4096)
	a.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	n, _, err := a.conn.ReadFromUDP(buf)
	if err != nil {
		a.t.Fatalf("waiting for a frame from the endpoint: %v", err)
	}
	return buf[:n]
}

// recv returns the next full frame.
func (a *asterisk) recv() *FullFrame {
	a.t.Helper()
	var f FullFrame
	if err := f.Unmarshal(a.recvRaw()); err != nil {
		a.t.Fatalf("endpoint sent a bad frame: %v", err)
	}
	return &f
}

// quiet checks that the endpoint sends nothing for a short while.
func (a *asterisk) quiet() {
	a.t.Helper()
	buf := make([]byte, 4096)
	a.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
	if n, _, err := a.conn.ReadFromUDP(buf); err == nil {
		var f FullFrame
		f.Unmarshal(buf[:n])
		a.t.Fatalf("endpoint sent %v, want nothing", &f)
	}
}

// play sends captured packet p to the endpoint, with its destination call
// number replaced by dst when the capture addresses a call (not 0).
func (a *asterisk) play(p captured, dst uint16) {
	a.t.Helper()
	b := append([]byte(nil), p.Data...)
	if KindOf(b) == KindFull && (b[2]&0x7f != 0 || b[3] != 0) {
		b[2] = b[2]&0x80 | byte(dst>>8)
		b[3] = byte(dst)
	}
	if _, err := a.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(a.ep.LocalAddr())); err != nil {
		a.t.Fatal(err)
	}
}

// sendFrame sends a frame built by the test.
func (a *asterisk) sendFrame(f *FullFrame) {
	a.t.Helper()
	b, err := f.Marshal()
	if err != nil {
		a.t.Fatal(err)
	}
	if _, err := a.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(a.ep.LocalAddr())); err != nil {
		a.t.Fatal(err)
	}
}

// match compares what the endpoint sent with what the captured client
// sent: type, subclass, destination call, sequence numbers, R bit and
// every IE byte for byte. The source call is ours (random) and is not
// compared; the timestamp only when checkTS (echoed timestamps).
func match(got, want *FullFrame, checkTS bool) error {
	var diffs []string
	if got.Type != want.Type || got.Subclass != want.Subclass {
		diffs = append(diffs, fmt.Sprintf("type %v/%d, want %v/%d", got.Type, got.Subclass, want.Type, want.Subclass))
	}
	if got.DestCall != want.DestCall {
		diffs = append(diffs, fmt.Sprintf("dst %d, want %d", got.DestCall, want.DestCall))
	}
	if got.OSeq != want.OSeq || got.ISeq != want.ISeq {
		diffs = append(diffs, fmt.Sprintf("o/i %d/%d, want %d/%d", got.OSeq, got.ISeq, want.OSeq, want.ISeq))
	}
	if got.Retransmitted != want.Retransmitted {
		diffs = append(diffs, fmt.Sprintf("R %v, want %v", got.Retransmitted, want.Retransmitted))
	}
	if checkTS && got.Timestamp != want.Timestamp {
		diffs = append(diffs, fmt.Sprintf("ts %d, want %d", got.Timestamp, want.Timestamp))
	}
	gi, _ := got.IEs.Marshal()
	wi, _ := want.IEs.Marshal()
	if !bytes.Equal(gi, wi) {
		diffs = append(diffs, fmt.Sprintf("IEs %v, want %v", got.IEs, want.IEs))
	}
	if !bytes.Equal(got.Payload, want.Payload) {
		diffs = append(diffs, "payload differs")
	}
	if diffs != nil {
		return fmt.Errorf("got %v\nwant %v\n%v", got, want, diffs)
	}
	return nil
}

func (a *asterisk) expect(pkts []captured, n int, checkTS bool) *FullFrame {
	a.t.Helper()
	got := a.recv()
	if err := match(got, fullAt(a.t, pkts, n), checkTS); err != nil {
		a.t.Fatalf("answer to packet %d: %v", n-1, err)
	}
	return got
}

// The registration capture, replayed: the calltoken is echoed unchanged,
// the MD5 answer is right, the early POKE is answered with PONG (from
// call 1: answering a POKE holds no call number), the
// REGACK is acknowledged, the refresh is honoured, and REGREL runs its
// own calltoken round.
func TestReplayRegistration(t *testing.T) {
	pkts := readCapture(t, "register-calltoken-md5-release.pcapng")
	a := newAsterisk(t, Config{})
	reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}

	first := a.expect(pkts, 1, false)
	us := first.SourceCall
	a.play(pkts[1], us) // CALLTOKEN
	if got := a.expect(pkts, 3, false); got.SourceCall != us {
		t.Errorf("REGREQ with token from call %d, want the same call %d", got.SourceCall, us)
	}
	a.play(pkts[3], us) // REGAUTH
	a.expect(pkts, 5, false)
	a.play(pkts[5], 0) // POKE, before the REGACK
	pong := a.expect(pkts, 8, true)
	if pong.SourceCall != 1 {
		t.Errorf("PONG from call %d, want call 1: a POKE is answered without a call number", pong.SourceCall)
	}
	a.play(pkts[6], us) // REGACK
	a.expect(pkts, 9, true)
	a.play(pkts[9], pong.SourceCall) // Asterisk's ACK of the PONG
	if err := reg.Wait(t.Context()); err != nil {
		t.Fatalf("Wait() = %v, want nil", err)
	}
	refresh, apparent := reg.Granted()
	if refresh != 60*time.Second || apparent != netip.MustParseAddrPort("127.0.0.1:54521") {
		t.Errorf("Granted() = %v, %v; want 60s, 127.0.0.1:54521", refresh, apparent)
	}
	a.quiet()

	// Re-registration comes before the granted 60 s run out.
	a.clk.Advance(47 * time.Second)
	a.quiet()
	a.clk.Advance(time.Second)
	again := a.recv()
	if err := match(again, fullAt(t, pkts, 1), false); err != nil {
		t.Fatalf("refresh at 48s: %v", err)
	}
	if again.SourceCall == us {
		t.Errorf("refresh reused call %d while it may still be live", us)
	}

	// Release: REGREL with its own calltoken round.
	released := make(chan error, 1)
	go func() { released <- reg.Release(t.Context()) }()
	rel := a.expect(pkts, 11, false)
	a.play(pkts[11], rel.SourceCall) // CALLTOKEN for REGREL
	a.expect(pkts, 13, false)
	a.play(pkts[13], rel.SourceCall) // REGAUTH
	a.expect(pkts, 15, false)
	a.play(pkts[15], rel.SourceCall) // REGACK
	a.expect(pkts, 17, true)
	if err := <-released; err != nil {
		t.Fatalf("Release() = %v, want nil", err)
	}
	if st := reg.State(); st != RegReleased {
		t.Errorf("State() = %v, want released", st)
	}
	<-reg.Done()
}

// A wrong secret: the server's REGREJ ends the registration with its cause.
func TestReplayWrongSecret(t *testing.T) {
	pkts := readCapture(t, "register-then-wrong-secret.pcapng")
	a := newAsterisk(t, Config{})
	reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "handset2", Secret: "wrong"})
	if err != nil {
		t.Fatal(err)
	}
	us := a.expect(pkts, 10, false).SourceCall
	a.play(pkts[10], us)
	a.expect(pkts, 12, false)
	a.play(pkts[12], us) // REGAUTH
	got := a.recv()
	if got.Command() != CmdRegReq || got.IEs.String(IEMD5Result) != md5Answer("262221707", "wrong") {
		t.Fatalf("answer to REGAUTH = %v, want REGREQ with md5(challenge+secret)", got)
	}
	a.play(pkts[14], us) // ACK
	a.play(pkts[15], us) // REGREJ
	ack := a.recv()
	if !ack.IsCommand(CmdAck) || ack.Timestamp != 9 || ack.OSeq != 2 || ack.ISeq != 2 || ack.DestCall != 8593 {
		t.Errorf("answer to REGREJ = %v, want ACK dst=8593 ts=9 o=2 i=2", ack)
	}
	err = reg.Wait(t.Context())
	var de *DeniedError
	if !errors.As(err, &de) || !errors.Is(err, ErrDenied) || de.CauseCode != 29 || de.Cause != "Registration Refused" {
		t.Fatalf("Wait() = %v, want DeniedError{Registration Refused, 29}", err)
	}
	if reg.State() != RegDenied || !errors.Is(reg.Err(), ErrDenied) {
		t.Errorf("State(), Err() = %v, %v; want denied, ErrDenied", reg.State(), reg.Err())
	}
	// The retransmitted REGREJ is acknowledged again, not treated anew.
	a.play(pkts[18], us)
	if again := a.recv(); !again.IsCommand(CmdAck) || again.ISeq != 2 {
		t.Errorf("answer to retransmitted REGREJ = %v, want ACK i=2", again)
	}
}

func udpAddr(a netip.AddrPort) *net.UDPAddr { return net.UDPAddrFromAddrPort(a) }

// A server with calltokens off (the libiax2 capture's Asterisk) answers
// the first REGREQ with REGAUTH straight away: the client goes on without
// a token round, gives the same MD5 answer libiax2 gave, answers the POKE
// and acknowledges the REGACK as libiax2 did.
func TestReplayRegistrationWithoutCallToken(t *testing.T) {
	pkts := readCapture(t, "libiax2-register-no-calltoken.pcapng")
	a := newAsterisk(t, Config{})
	reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "handset2", Secret: "other"})
	if err != nil {
		t.Fatal(err)
	}
	us := a.recv().SourceCall
	a.play(pkts[1], us) // REGAUTH
	got := a.recv()
	want := fullAt(t, pkts, 3)
	if !got.IsCommand(CmdRegReq) || got.IEs.String(IEMD5Result) != want.IEs.String(IEMD5Result) || got.OSeq != 1 || got.ISeq != 1 || got.DestCall != 9563 {
		t.Fatalf("answer to REGAUTH = %v, want REGREQ o=1 i=1 to 9563 with libiax2's MD5 answer", got)
	}
	a.play(pkts[3], 0) // POKE
	if pong := a.recv(); !pong.IsCommand(CmdPong) || pong.DestCall != 1715 || pong.Timestamp != 15 {
		t.Errorf("answer to POKE = %v, want PONG to 1715 ts=15", pong)
	}
	a.play(pkts[4], us) // REGACK
	a.expect(pkts, 8, true)
	if err := reg.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}
