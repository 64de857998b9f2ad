package cli

import (
	"net"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

// Gaps found in package iax while building iaxcli, each shown precisely
// by a test here; all are fixed in iax since, and the tests keep them
// fixed.

// A registration transaction uses all its tries before it gives up: with
// Initial 100 ms, Max 400 ms and Tries 6 the sends are due at 0, 0.1,
// 0.3, 0.7, 1.1 and 1.5 s. (iax once expired the transaction at 3 × Max,
// 1.2 s, after 5 tries, which failed REGRELs through the lossy relay;
// fixed in iax since, this keeps it fixed.)
func TestIAXRegistrationUsesAllTries(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	clk := clock.NewFake(time.Unix(1700000000, 0))
	ep, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{Clock: clk,
		Retransmit: iax.Retransmit{Initial: 100 * time.Millisecond, Min: 100 * time.Millisecond, Max: 400 * time.Millisecond, Tries: 6}})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	reg, err := ep.StartRegistration(iax.RegisterOptions{Server: silent.LocalAddr().(*net.UDPAddr).AddrPort(),
		Username: "u", Secret: "s", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	for range 40 {
		clk.Advance(50 * time.Millisecond)
		ep.Registrations() // a barrier: the loop has run what the timers posted
	}
	<-reg.Done()
	if got := reg.Stats().Retransmissions; got != 5 {
		t.Errorf("REGREQ retransmitted %d times before the registration failed (%v), want 5 (Tries 6)", got, reg.Err())
	}
}

// Stats.VoiceLost counts gaps in the received timestamps, and a sender
// that pauses for more than 40 ms moves its timestamps on to its clock
// (Call.nextVoiceTS). iax once counted the frames that were never sent
// as lost (two frames 100 ms apart, nothing lost, reported 3 lost, and
// iaxcli's summary showed loss after a sender stall); the sender now
// marks the jump with a full voice frame and the receiver counts no loss.
func TestIAXSenderPauseIsNotLoss(t *testing.T) {
	clk := clock.NewFake(time.Unix(1700000000, 0))
	srv, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{Clock: clk, PingInterval: -1, Server: &iax.ServerConfig{AllowGuests: true}})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	cli, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{Clock: clk, PingInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer cli.Close()
	out, err := cli.Dial(iax.DialOptions{Peer: srv.LocalAddr(), Called: "600"})
	if err != nil {
		t.Fatal(err)
	}
	in, err := srv.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	in.Answer()
	if err := out.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
	out.SendVoice(make([]byte, 160))
	<-in.Voice()
	clk.Advance(100 * time.Millisecond) // the sender pauses; nothing is lost
	out.SendVoice(make([]byte, 160))
	<-in.Voice()
	if st := in.Stats(); st.VoiceLost != 0 {
		t.Errorf("VoiceLost = %d after 2 frames sent and 2 received, want 0", st.VoiceLost)
	}
}
