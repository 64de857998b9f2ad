package iax

import (
	"errors"
	"testing"
	"time"
)

// peerCall is the test's side of a call it opened to the endpoint.
type peerCall struct {
	a          *asterisk
	src, us    uint16
	oseq, iseq uint8
	c          *Call
}

// send sends a frame on the call with the next sequence number.
func (p *peerCall) send(f *FullFrame) {
	f.SourceCall, f.DestCall, f.OSeq, f.ISeq = p.src, p.us, p.oseq, p.iseq
	if !(f.Type == FrameIAX && (f.Command() == CmdAck || f.Command() == CmdVNAK)) {
		p.oseq++
	}
	p.a.sendFrame(f)
}

// incomingCall has the test peer call the endpoint and returns the
// connected call, with ACCEPT, RINGING and ANSWER acknowledged.
func incomingCall(t *testing.T, a *asterisk) *peerCall {
	t.Helper()
	nw := &FullFrame{SourceCall: 100, Type: FrameIAX, Subclass: uint8(CmdNew), Timestamp: 3}
	nw.IEs.AddUint16(IEVersion, 2)
	nw.IEs.AddString(IECalledNumber, "s")
	nw.IEs.AddUint32(IEFormat, uint32(FormatALaw))
	nw.IEs.AddUint32(IECapability, uint32(FormatALaw|FormatULaw))
	a.sendFrame(nw)
	acc := a.recv()
	ring := a.recv()
	if !acc.IsCommand(CmdAccept) || ring.Control() != CtlRinging {
		t.Fatalf("answers to NEW = %v, %v; want ACCEPT, RINGING", acc, ring)
	}
	if f, _ := acc.IEs.Formats(); f != FormatALaw {
		t.Errorf("ACCEPT format = %v, want the caller's alaw", f)
	}
	p := &peerCall{a: a, src: 100, us: acc.SourceCall, oseq: 1, iseq: 2}
	c, err := a.ep.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	p.c = c
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	if ans := a.recv(); ans.Control() != CtlAnswer {
		t.Fatalf("Answer sent %v", ans)
	}
	p.iseq = 3
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdAck), Timestamp: 1})
	p.barrier()
	return p
}

// barrier sends a duplicate of the peer's last frame and waits for the
// ACK it draws (an ACK is never retransmitted, so nothing stays pending):
// once it arrives, everything the peer sent before has been processed.
func (p *peerCall) barrier() {
	p.a.t.Helper()
	p.a.sendFrame(&FullFrame{SourceCall: p.src, DestCall: p.us, OSeq: p.oseq - 1, ISeq: p.iseq, Type: FrameText, Timestamp: 2, Retransmitted: true})
	if ack := p.a.recv(); !ack.IsCommand(CmdAck) {
		p.a.t.Fatalf("barrier: got %v, want ACK", ack)
	}
}

// advance moves fake time and waits until the loop has run what fell due.
func (a *asterisk) advance(d time.Duration) {
	a.clk.Advance(d)
	if err := a.ep.do(func() {}); err != nil {
		a.t.Fatal(err)
	}
}

func expectFrame(t *testing.T, f *FullFrame, typ FrameType, sub uint8, what string) {
	t.Helper()
	if f.Type != typ || f.Subclass != sub {
		t.Fatalf("%s: got %v, want %v/%d", what, f, typ, sub)
	}
}

// Retransmission in fake time: the timeout doubles up to Max and the
// call fails after Tries sends with ErrTimeout.
func TestRetransmitBackoffThenFail(t *testing.T) {
	a := newAsterisk(t, Config{Retransmit: Retransmit{Initial: time.Second, Max: 4 * time.Second, Tries: 4}})
	c, err := a.ep.Dial(DialOptions{Peer: a.addr(), Called: "600"})
	if err != nil {
		t.Fatal(err)
	}
	first := a.recv()
	if first.Retransmitted {
		t.Fatal("first NEW marked retransmitted")
	}
	for i, wait := range []time.Duration{time.Second, 2 * time.Second, 4 * time.Second} {
		a.clk.Advance(wait - time.Millisecond)
		a.quiet()
		a.clk.Advance(time.Millisecond)
		f := a.recv()
		if !f.IsCommand(CmdNew) || !f.Retransmitted || f.SourceCall != first.SourceCall {
			t.Fatalf("retransmission %d = %v, want NEW with R from call %d", i+1, f, first.SourceCall)
		}
	}
	a.clk.Advance(4 * time.Second)
	<-c.Done()
	if c.State() != StateFailed || !errors.Is(c.Err(), ErrTimeout) {
		t.Fatalf("State(), Err() = %v, %v; want failed, ErrTimeout", c.State(), c.Err())
	}
	if st := c.Stats(); st.Retransmissions != 3 || st.FramesSent != 1 {
		t.Errorf("Stats() sent/retransmissions = %d/%d, want 1/3", st.FramesSent, st.Retransmissions)
	}
}

// An unanswered registration retries with backoff, on a new call number,
// and gives up after MaxAttempts with ErrTimeout.
func TestRegistrationRetriesWithBackoff(t *testing.T) {
	a := newAsterisk(t, Config{Retransmit: Retransmit{Initial: time.Second, Tries: 2}})
	reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "u", Secret: "s", RetryMin: 2 * time.Second, MaxAttempts: 2})
	if err != nil {
		t.Fatal(err)
	}
	r1 := a.recv()
	a.advance(time.Second)
	if f := a.recv(); !f.Retransmitted {
		t.Fatalf("at 1s: %v, want the REGREQ retransmitted", f)
	}
	a.advance(2 * time.Second) // gives up on attempt 1
	if st := reg.State(); st != RegRetrying {
		t.Fatalf("State() = %v, want retrying", st)
	}
	a.advance(2*time.Second - time.Millisecond)
	a.quiet()
	a.advance(time.Millisecond)
	r2 := a.recv()
	if !r2.IsCommand(CmdRegReq) || r2.Retransmitted || r2.SourceCall == r1.SourceCall {
		t.Fatalf("second attempt = %v, want a fresh REGREQ on a new call number", r2)
	}
	a.advance(time.Second)
	a.recv()
	a.advance(2 * time.Second)
	if err := reg.Wait(t.Context()); !errors.Is(err, ErrTimeout) {
		t.Fatalf("Wait() = %v, want ErrTimeout", err)
	}
	var states []RegState
	for len(reg.Events()) > 0 {
		states = append(states, (<-reg.Events()).State)
	}
	want := []RegState{RegRegistering, RegRetrying, RegRegistering, RegFailed}
	if len(states) != len(want) {
		t.Fatalf("events = %v, want %v", states, want)
	}
	for i := range want {
		if states[i] != want[i] {
			t.Fatalf("events = %v, want %v", states, want)
		}
	}
}

// Out of order, duplicates, VNAK both ways, PING, LAGRQ, INVAL.
func TestReliableDelivery(t *testing.T) {
	a := newAsterisk(t, Config{})
	p := incomingCall(t, a)

	// A gap: frame 2 before 1 draws a VNAK asking from 1.
	p.oseq = 2
	p.send(&FullFrame{Type: FrameText, Payload: []byte("b"), Timestamp: 50})
	if v := a.recv(); !v.IsCommand(CmdVNAK) || v.ISeq != 1 {
		t.Fatalf("answer to a gap = %v, want VNAK i=1", v)
	}
	p.oseq = 1
	p.send(&FullFrame{Type: FrameText, Payload: []byte("a"), Timestamp: 40})
	if ack := a.recv(); !ack.IsCommand(CmdAck) || ack.ISeq != 2 || ack.Timestamp != 40 {
		t.Fatalf("answer to frame 1 = %v, want ACK i=2 ts=40", ack)
	}
	p.send(&FullFrame{Type: FrameText, Payload: []byte("b"), Timestamp: 50})
	a.recv()
	// A duplicate is acknowledged again but not delivered again.
	p.oseq = 1
	p.send(&FullFrame{Type: FrameText, Payload: []byte("a"), Timestamp: 40, Retransmitted: true})
	if ack := a.recv(); !ack.IsCommand(CmdAck) || ack.ISeq != 3 {
		t.Fatalf("answer to a duplicate = %v, want ACK i=3", ack)
	}
	p.oseq = 3
	var texts []string
	for len(p.c.Events()) > 0 {
		if ev := <-p.c.Events(); ev.Type == EventText {
			texts = append(texts, ev.Text)
		}
	}
	if stringsOf(texts) != "[a b]" {
		t.Errorf("texts = %v, want [a b]", texts)
	}
	st := p.c.Stats()
	// One duplicate is the barrier of incomingCall.
	if st.Duplicates != 2 || st.OutOfOrder != 1 {
		t.Errorf("Stats() duplicates/out-of-order = %d/%d, want 2/1", st.Duplicates, st.OutOfOrder)
	}

	// Our frames: a VNAK from the peer has them sent again.
	if err := p.c.SendText("x"); err != nil {
		t.Fatal(err)
	}
	x := a.recv()
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdVNAK), Timestamp: 1, ISeq: 0})
	// send() set ISeq to p.iseq (3): everything from 3 on is resent.
	if again := a.recv(); again.Type != FrameText || !again.Retransmitted || again.OSeq != x.OSeq {
		t.Fatalf("answer to VNAK = %v, want the text frame again with R", again)
	}

	p.iseq = x.OSeq + 1
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdPing), Timestamp: 777})
	pong := a.recv()
	if !pong.IsCommand(CmdPong) || pong.Timestamp != 777 {
		t.Errorf("answer to PING = %v, want PONG ts=777", pong)
	}
	// The PONG carries our receiver report: the out-of-order frame counted.
	if rr, ok := parseReceiverReport(pong.IEs); !ok || rr.OutOfOrder != 1 || rr.Packets != 0 {
		t.Errorf("PONG receiver report = %+v, %v; want 1 out of order, 0 packets", rr, ok)
	}
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdLagRq), Timestamp: 888})
	if lag := a.recv(); !lag.IsCommand(CmdLagRp) || lag.Timestamp != 888 {
		t.Errorf("answer to LAGRQ = %v, want LAGRP ts=888", lag)
	}

	// A frame for a call that does not exist draws INVAL.
	a.sendFrame(&FullFrame{SourceCall: 55, DestCall: 4321, Timestamp: 9, OSeq: 3, ISeq: 2, Type: FrameIAX, Subclass: uint8(CmdHangup)})
	if inv := a.recv(); !inv.IsCommand(CmdInval) || inv.SourceCall != 4321 || inv.DestCall != 55 || inv.Timestamp != 9 {
		t.Errorf("answer to an unknown call = %v, want INVAL 4321->55 ts=9", inv)
	}
}

// Voice: mini frames between full frames, a full frame when the 16-bit
// timestamp wraps, and the receiver widening mini timestamps across it.
func TestVoiceTimestampWrap(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	a.clk.Advance(65480 * time.Millisecond)
	var kinds []Kind
	var stamps []uint32
	for range 4 {
		if err := p.c.SendVoice(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
		b := a.recvRaw()
		kinds = append(kinds, KindOf(b))
		if KindOf(b) == KindFull {
			var f FullFrame
			f.Unmarshal(b)
			if f.Type != FrameVoice || SubclassFormat(f.Subclass) != FormatALaw {
				t.Fatalf("voice sent as %v, want alaw voice", &f)
			}
			stamps = append(stamps, f.Timestamp)
		} else {
			var m MiniFrame
			m.Unmarshal(b)
			stamps = append(stamps, uint32(m.Timestamp))
		}
		a.clk.Advance(20 * time.Millisecond)
	}
	wantKinds := []Kind{KindFull, KindMini, KindMini, KindFull}
	wantStamps := []uint32{65480, 65500, 65520, 65540}
	for i := range wantKinds {
		if kinds[i] != wantKinds[i] || stamps[i] != wantStamps[i] {
			t.Fatalf("sent kinds %v stamps %v, want %v %v", kinds, stamps, wantKinds, wantStamps)
		}
	}

	p.send(&FullFrame{Type: FrameVoice, Subclass: uint8(FormatALaw), Timestamp: 65500, Payload: []byte{1}})
	a.recv() // ACK
	for _, ts := range []uint16{65520, 4} {
		m := MiniFrame{SourceCall: p.src, Timestamp: ts, Payload: []byte{2}}
		b, _ := m.Marshal()
		a.conn.WriteToUDP(b, udpAddr(a.ep.LocalAddr()))
	}
	for _, want := range []uint32{65500, 65520, 65540} {
		if v := <-p.c.Voice(); v.Timestamp != want || v.Format != FormatALaw {
			t.Fatalf("received voice ts %d %v, want %d alaw", v.Timestamp, v.Format, want)
		}
	}
}

// Call controls put the right frames on the wire.
func TestCallControls(t *testing.T) {
	a := newAsterisk(t, Config{})
	p := incomingCall(t, a)
	c := p.c
	if err := c.SendDTMF('5', 100*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	expectFrame(t, a.recv(), FrameDTMFBegin, '5', "DTMF begin")
	a.clk.Advance(99 * time.Millisecond)
	a.quiet()
	a.clk.Advance(time.Millisecond)
	expectFrame(t, a.recv(), FrameDTMFEnd, '5', "DTMF end")
	if err := c.SendDTMF('x', time.Millisecond); err == nil {
		t.Error("SendDTMF('x') = nil, want an error")
	}

	c.Hold()
	expectFrame(t, a.recv(), FrameControl, uint8(CtlHold), "hold")
	expectFrame(t, a.recv(), FrameIAX, uint8(CmdQuelch), "hold quelch")
	c.Unhold()
	expectFrame(t, a.recv(), FrameControl, uint8(CtlUnhold), "unhold")
	expectFrame(t, a.recv(), FrameIAX, uint8(CmdUnquelch), "unhold unquelch")

	c.Transfer("600")
	tr := a.recv()
	expectFrame(t, tr, FrameIAX, uint8(CmdTransfer), "transfer")
	if tr.IEs.String(IECalledNumber) != "600" {
		t.Errorf("TRANSFER called number = %q, want 600", tr.IEs.String(IECalledNumber))
	}

	// Quelched by the peer: voice is held back until UNQUELCH.
	p.iseq = tr.OSeq + 1
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdQuelch), Timestamp: 5})
	a.recv() // ACK
	c.SendVoice([]byte{1})
	a.quiet()
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdUnquelch), Timestamp: 6})
	a.recv()
	c.SendVoice([]byte{1})
	if f := a.recv(); f.Type != FrameVoice {
		t.Errorf("after UNQUELCH sent %v, want voice", f)
	}

	// Remote hold, transfer request and text are reported.
	p.send(&FullFrame{Type: FrameControl, Subclass: uint8(CtlHold), Timestamp: 7})
	a.recv()
	tf := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdTransfer), Timestamp: 8}
	tf.IEs.AddString(IECalledNumber, "601")
	p.send(tf)
	a.recv()
	var got []string
	for len(c.Events()) > 0 {
		ev := <-c.Events()
		got = append(got, ev.String())
	}
	want := "[state incoming state connected quelch unquelch hold transfer \"601\"]"
	if stringsOf(got) != want {
		t.Errorf("events = %v, want %s", stringsOf(got), want)
	}
	c.Hangup(CauseBusy)
	h := a.recv()
	if code, _ := h.IEs.Uint(IECauseCode); !h.IsCommand(CmdHangup) || code != uint64(CauseBusy) {
		t.Errorf("Hangup(busy) sent %v", h)
	}
	if err := c.SendText("late"); !errors.Is(err, ErrInvalidState) {
		t.Errorf("SendText after hangup = %v, want ErrInvalidState", err)
	}
}

// A connected call pings every PingInterval; the answer gives the RTT.
func TestPingMeasuresRTT(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: 20 * time.Second})
	p := incomingCall(t, a)
	before := p.c.Stats().RTT
	a.clk.Advance(20 * time.Second)
	ping := a.recv()
	if !ping.IsCommand(CmdPing) {
		t.Fatalf("at 20s sent %v, want PING", ping)
	}
	a.advance(30 * time.Millisecond)
	p.iseq = ping.OSeq + 1
	// A PONG as libiax2 sends it, with its receiver report.
	pong := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdPong), Timestamp: ping.Timestamp}
	pong.IEs.AddUint32(IERRJitter, 12)
	pong.IEs.AddUint32(IERRLoss, 3<<24|5)
	pong.IEs.AddUint32(IERRPackets, 150)
	pong.IEs.AddUint16(IERRDelay, 40)
	pong.IEs.AddUint32(IERRDropped, 1)
	pong.IEs.AddUint32(IERROOO, 2)
	p.send(pong)
	if ack := a.recv(); !ack.IsCommand(CmdAck) {
		t.Fatalf("answer to PONG = %v, want ACK", ack)
	}
	st := p.c.Stats()
	if want := (7*before + 30*time.Millisecond) / 8; st.LastRTT != 30*time.Millisecond || st.RTT != want {
		t.Errorf("Stats() RTT, LastRTT = %v, %v; want %v, 30ms", st.RTT, st.LastRTT, want)
	}
	want := ReceiverReport{Jitter: 12 * time.Millisecond, LossPercent: 3, Lost: 5, Packets: 150, Delay: 40 * time.Millisecond, Dropped: 1, OutOfOrder: 2}
	if st.Remote != want {
		t.Errorf("Stats().Remote = %+v, want %+v", st.Remote, want)
	}
}

// Poke: POKE with an empty calltoken, the token round, PONG, ACK, RTT.
func TestPoke(t *testing.T) {
	a := newAsterisk(t, Config{})
	type result struct {
		rtt time.Duration
		err error
	}
	res := make(chan result, 1)
	go func() {
		rtt, err := a.ep.Poke(t.Context(), a.addr())
		res <- result{rtt, err}
	}()
	poke := a.recv()
	if ie, ok := poke.IEs.Get(IECallToken); !poke.IsCommand(CmdPoke) || poke.DestCall != 0 || !ok || len(ie.Data) != 0 {
		t.Fatalf("sent %v, want POKE to call 0 with an empty calltoken", poke)
	}
	tok := &FullFrame{SourceCall: 1, DestCall: poke.SourceCall, Timestamp: poke.Timestamp, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdCallToken)}
	tok.IEs.AddString(IECallToken, "123?abc")
	a.sendFrame(tok)
	again := a.recv()
	if !again.IsCommand(CmdPoke) || again.IEs.String(IECallToken) != "123?abc" || again.OSeq != 0 {
		t.Fatalf("after CALLTOKEN sent %v, want POKE with the token, o=0", again)
	}
	a.advance(25 * time.Millisecond)
	a.sendFrame(&FullFrame{SourceCall: 900, DestCall: again.SourceCall, Timestamp: again.Timestamp, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdPong)})
	if ack := a.recv(); !ack.IsCommand(CmdAck) || ack.DestCall != 900 || ack.Timestamp != again.Timestamp {
		t.Errorf("answer to PONG = %v, want ACK to 900", ack)
	}
	r := <-res
	if r.err != nil || r.rtt != 25*time.Millisecond {
		t.Errorf("Poke() = %v, %v; want 25ms, nil", r.rtt, r.err)
	}

	// Nobody answers: ErrTimeout once the retransmissions run out.
	b := newAsterisk(t, Config{Retransmit: Retransmit{Initial: time.Second, Tries: 1}})
	go func() {
		rtt, err := b.ep.Poke(t.Context(), b.addr())
		res <- result{rtt, err}
	}()
	b.recv()
	b.advance(time.Second)
	if r := <-res; !errors.Is(r.err, ErrTimeout) {
		t.Errorf("Poke(silent peer) = %v, want ErrTimeout", r.err)
	}
}

// Before the peer has given the call a number (the calltoken round, or
// the NEW lost), no PING goes out, and an answer from call 1 (a PONG to
// an earlier call-0 frame) does not become the call's peer number: the
// NEW with the token still goes to call 0. (Found through a lossy relay.)
func TestNoPingBeforeCallNumber(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: 300 * time.Millisecond, Retransmit: Retransmit{Initial: time.Second}})
	if _, err := a.ep.Dial(DialOptions{Peer: a.addr(), Called: "600"}); err != nil {
		t.Fatal(err)
	}
	nw := a.recv()
	a.clk.Advance(300 * time.Millisecond)
	a.clk.Advance(300 * time.Millisecond)
	a.quiet()
	a.sendFrame(&FullFrame{SourceCall: 1, DestCall: nw.SourceCall, Timestamp: 300, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdPong)})
	if ack := a.recv(); !ack.IsCommand(CmdAck) {
		t.Fatalf("answer to the stray PONG = %v, want ACK", ack)
	}
	tok := &FullFrame{SourceCall: 1, DestCall: nw.SourceCall, Timestamp: 1, ISeq: 1, Type: FrameIAX, Subclass: uint8(CmdCallToken)}
	tok.IEs.AddString(IECallToken, "1?x")
	a.sendFrame(tok)
	if again := a.recv(); !again.IsCommand(CmdNew) || again.DestCall != 0 {
		t.Fatalf("NEW with token = %v, want it to call 0", again)
	}
}

// A registration transaction is never cut short while its frame still
// has retransmissions left: with Tries 6 all six sends go out before it
// fails, with ErrTimeout.
func TestTransactionOutlastsRetransmissions(t *testing.T) {
	a := newAsterisk(t, Config{Retransmit: Retransmit{Initial: 100 * time.Millisecond, Min: 100 * time.Millisecond, Max: 400 * time.Millisecond, Tries: 6}})
	reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "u", Secret: "s", MaxAttempts: 1})
	if err != nil {
		t.Fatal(err)
	}
	a.recv()
	for _, wait := range []time.Duration{100, 200, 400, 400, 400} {
		a.advance(wait * time.Millisecond)
		if f := a.recv(); !f.Retransmitted {
			t.Fatalf("got %v, want a retransmission", f)
		}
	}
	a.advance(400 * time.Millisecond)
	<-reg.Done()
	if st := reg.Stats(); st.Retransmissions != 5 || !errors.Is(reg.Err(), ErrTimeout) {
		t.Errorf("retransmissions %d, Err() %v; want 5, ErrTimeout", st.Retransmissions, reg.Err())
	}
}
