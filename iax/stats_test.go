package iax

import (
	"testing"
	"time"
)

// Loss is counted from gaps in the received timestamps, but a pause in
// the stream is not loss: a full voice frame after the gap (the sender
// resynchronised), or a hold or unhold in between.
func TestVoiceLossIsNotPauses(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	c := p.c
	full := func(ts uint32) {
		t.Helper()
		p.send(&FullFrame{Type: FrameVoice, Subclass: uint8(FormatALaw), Timestamp: ts, Payload: []byte{1}})
		if ack := a.recv(); !ack.IsCommand(CmdAck) {
			t.Fatalf("answer to voice = %v, want ACK", ack)
		}
		<-c.Voice()
	}
	mini := func(ts uint16) {
		t.Helper()
		b, _ := (&MiniFrame{SourceCall: p.src, Timestamp: ts, Payload: []byte{2}}).Marshal()
		a.conn.WriteToUDP(b, udpAddr(a.ep.LocalAddr()))
		if v := <-c.Voice(); v.Timestamp != uint32(ts) {
			t.Fatalf("received ts %d, want %d", v.Timestamp, ts)
		}
	}
	control := func(ctl Control) {
		t.Helper()
		p.send(&FullFrame{Type: FrameControl, Subclass: uint8(ctl)})
		if ack := a.recv(); !ack.IsCommand(CmdAck) {
			t.Fatalf("answer to %v = %v, want ACK", ctl, ack)
		}
	}
	lost := func(step string, want uint64) {
		t.Helper()
		if got := c.Stats().VoiceLost; got != want {
			t.Fatalf("after %s: VoiceLost = %d, want %d", step, got, want)
		}
	}
	full(1000)
	mini(1020)
	lost("two frames in a row", 0)
	mini(1080)
	lost("a gap of two frames", 2)
	mini(1040)
	lost("one of them arriving late", 1)
	mini(1100)
	lost("the next frame", 1)
	full(2000)
	lost("a full frame after a gap (the sender paused)", 1)
	mini(2020)
	control(CtlHold)
	mini(2040) // still on its way when the peer held us
	control(CtlUnhold)
	mini(5000)
	lost("a hold by the peer", 1)
	mini(5100)
	lost("a gap of four frames with no hold", 5)
	if err := c.Hold(); err != nil {
		t.Fatal(err)
	}
	a.recv() // HOLD
	a.recv() // QUELCH
	if err := c.Unhold(); err != nil {
		t.Fatal(err)
	}
	a.recv() // UNHOLD
	a.recv() // UNQUELCH
	mini(9000)
	lost("our hold of the peer", 5)
}

// A sender that pauses and resynchronises its timestamps to its clock
// says so with a full voice frame; frames 20 ms apart go as mini frames.
func TestSenderMarksResyncWithFullFrame(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	var kinds []Kind
	for _, wait := range []time.Duration{0, 20, 100, 20} {
		a.clk.Advance(wait * time.Millisecond)
		if err := p.c.SendVoice(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, KindOf(a.recvRaw()))
	}
	if want := []Kind{KindFull, KindMini, KindFull, KindMini}; !equalKinds(kinds, want) {
		t.Errorf("voice sent as %v, want %v", kinds, want)
	}
}

func equalKinds(a, b []Kind) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
