package iax

import (
	"bytes"
	"errors"
	"testing"
)

// next returns the next event, failing the test if none is queued.
func nextEvent(t *testing.T, c *Call) CallEvent {
	t.Helper()
	select {
	case ev := <-c.Events():
		return ev
	case <-c.Done():
		select {
		case ev := <-c.Events():
			return ev
		default:
		}
		t.Fatalf("call ended (%v) with no event queued", c.Err())
	}
	return CallEvent{}
}

// dialCaptured replays the calltoken round and MD5 authentication of a
// call capture (packets 1-5) against Dial, and returns the call and our
// call number.
func dialCaptured(t *testing.T, a *asterisk, pkts []captured, called string) (*Call, uint16) {
	t.Helper()
	c, err := a.ep.Dial(DialOptions{Peer: a.addr(), Called: called, Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatal(err)
	}
	if ev := nextEvent(t, c); ev.Type != EventState || ev.State != StateDialing {
		t.Errorf("first event = %v, want state dialing", ev)
	}
	nw := a.recv()
	want := fullAt(t, pkts, 1)
	if !nw.IsCommand(CmdNew) || nw.DestCall != 0 || nw.OSeq != 0 || nw.ISeq != 0 {
		t.Fatalf("first frame = %v, want NEW to call 0", nw)
	}
	if nw.IEs[0].Type != IEVersion {
		t.Errorf("NEW starts with %v, want VERSION", nw.IEs[0].Type)
	}
	for _, typ := range []IEType{IEVersion, IECalledNumber, IEUsername, IEFormat, IEFormat2, IECapability, IECapability2, IECodecPrefs, IECallToken} {
		g, _ := nw.IEs.Get(typ)
		w, _ := want.IEs.Get(typ)
		if !bytes.Equal(g.Data, w.Data) {
			t.Errorf("NEW %v = % x, want % x as Asterisk sends", typ, g.Data, w.Data)
		}
	}
	us := nw.SourceCall
	a.play(pkts[1], us) // CALLTOKEN
	nw2 := a.recv()
	if !nw2.IsCommand(CmdNew) || nw2.SourceCall != us || nw2.IEs.String(IECallToken) != fullAt(t, pkts, 2).IEs.String(IECallToken) {
		t.Fatalf("NEW after CALLTOKEN = %v, want the token echoed unchanged from call %d", nw2, us)
	}
	if nw2.OSeq != 0 || nw2.ISeq != 0 {
		t.Errorf("NEW with token o/i = %d/%d, want 0/0", nw2.OSeq, nw2.ISeq)
	}
	a.play(pkts[3], us) // AUTHREQ
	a.expect(pkts, 5, false)
	return c, us
}

// The milliwatt call: AUTHREP right, ACCEPT and ANSWER acknowledged, the
// tone received, our HANGUP acknowledged.
func TestReplayMilliwattCall(t *testing.T) {
	pkts := readCapture(t, "call-milliwatt-601.pcapng")
	a := newAsterisk(t, Config{})
	c, us := dialCaptured(t, a, pkts, "601")

	a.play(pkts[5], us) // ACCEPT
	a.expect(pkts, 7, true)
	if ev := nextEvent(t, c); ev.Type != EventAccepted || ev.Format != FormatULaw {
		t.Errorf("event = %v, want accepted ulaw", ev)
	}
	a.play(pkts[7], us) // ANSWER
	a.expect(pkts, 9, true)
	if ev := nextEvent(t, c); ev.State != StateConnected {
		t.Errorf("event = %v, want state connected", ev)
	}
	a.play(pkts[9], us) // stop sounds
	a.expect(pkts, 11, true)
	if ev := nextEvent(t, c); ev.Type != EventStopSounds {
		t.Errorf("event = %v, want stop-sounds", ev)
	}
	a.play(pkts[11], us) // the first voice frame, full
	a.expect(pkts, 13, true)

	var voice []captured
	for _, p := range pkts[13:137] {
		if KindOf(p.Data) == KindMini {
			voice = append(voice, p)
		}
	}
	for _, p := range voice {
		a.play(p, 0)
	}
	want := append([]captured{pkts[11]}, voice...)
	for i, p := range want {
		v := <-c.Voice()
		var wantTS uint32
		var payload []byte
		if i == 0 {
			f := fullAt(t, pkts, 12)
			wantTS, payload = f.Timestamp, f.Payload
		} else {
			var m MiniFrame
			m.Unmarshal(p.Data)
			wantTS, payload = uint32(m.Timestamp), m.Payload
		}
		if v.Timestamp != wantTS || v.Format != FormatULaw || !bytes.Equal(v.Payload, payload) {
			t.Fatalf("voice %d = ts %d %v %d bytes, want ts %d ulaw %d bytes", i, v.Timestamp, v.Format, len(v.Payload), wantTS, len(payload))
		}
	}
	if got := c.Stats(); got.VoiceReceived != uint64(len(want)) || got.VoiceLost != 0 {
		t.Errorf("Stats() voice received/lost = %d/%d, want %d/0", got.VoiceReceived, got.VoiceLost, len(want))
	}

	if err := c.Hangup(0); err != nil {
		t.Fatal(err)
	}
	h := a.recv()
	w := fullAt(t, pkts, 138)
	if !h.IsCommand(CmdHangup) || h.DestCall != w.DestCall || h.OSeq != w.OSeq || h.ISeq != w.ISeq {
		t.Errorf("hangup = %v, want HANGUP dst=%d o=%d i=%d", h, w.DestCall, w.OSeq, w.ISeq)
	}
	if code, _ := h.IEs.Uint(IECauseCode); code != uint64(CauseNormal) {
		t.Errorf("hangup cause code = %d, want %d", code, CauseNormal)
	}
	a.play(pkts[138], us) // ACK of the HANGUP
	<-c.Done()
	if c.State() != StateHangupLocal || c.Err() != nil {
		t.Errorf("State(), Err() = %v, %v; want hangup-local, nil", c.State(), c.Err())
	}
	a.quiet()
}

// The DTMF call: DTMF 1 2 3 reported, every frame acknowledged exactly
// as the captured Asterisk did, the remote HANGUP ends the call.
func TestReplayDTMFCall(t *testing.T) {
	pkts := readCapture(t, "call-dtmf-100.pcapng")
	a := newAsterisk(t, Config{})
	c, us := dialCaptured(t, a, pkts, "100")
	for n := 6; n <= 24; n += 2 {
		a.play(pkts[n-1], us)
		a.expect(pkts, n+1, true)
	}
	var got []string
	for ev := range c.Events() {
		switch ev.Type {
		case EventDTMFBegin:
			got = append(got, "+"+string(ev.Digit))
		case EventDTMFEnd:
			got = append(got, "-"+string(ev.Digit))
		case EventState:
			got = append(got, ev.State.String())
		}
		if ev.Type == EventState && ev.State.Final() {
			break
		}
	}
	want := "[connected +1 -1 +2 -2 +3 -3 hangup-remote]"
	if s := stringsOf(got); s != want {
		t.Errorf("events = %s, want %s", s, want)
	}
	var he *HangupError
	if err := c.Err(); !errors.As(err, &he) || he.CauseCode != CauseNormal || !errors.Is(err, ErrHangup) {
		t.Errorf("Err() = %v, want HangupError with cause 16", c.Err())
	}
	<-c.Done()
}

func stringsOf(s []string) string {
	out := "["
	for i, x := range s {
		if i > 0 {
			out += " "
		}
		out += x
	}
	return out + "]"
}

// Asterisk calling a registered handset: its NEW (called "s", no
// username, empty calltoken) is answered with ACCEPT then RINGING; the
// retransmitted NEW is only acknowledged; Answer sends ANSWER; the
// remote HANGUP ends the call.
func TestReplayIncomingNew(t *testing.T) {
	pkts := readCapture(t, "incoming-new-from-asterisk.pcapng")
	a := newAsterisk(t, Config{})
	a.play(pkts[7], 0) // NEW
	acc := a.recv()
	if !acc.IsCommand(CmdAccept) || acc.DestCall != 1515 || acc.OSeq != 0 || acc.ISeq != 1 {
		t.Fatalf("answer to NEW = %v, want ACCEPT dst=1515 o=0 i=1", acc)
	}
	if f, _ := acc.IEs.Formats(); f != FormatULaw {
		t.Errorf("ACCEPT format = %v, want ulaw", f)
	}
	ring := a.recv()
	if ring.Type != FrameControl || ring.Control() != CtlRinging || ring.OSeq != 1 || ring.ISeq != 1 || ring.SourceCall != acc.SourceCall {
		t.Fatalf("second answer = %v, want CONTROL RINGING o=1 i=1", ring)
	}
	a.play(pkts[8], 0) // the NEW again, retransmitted
	if dup := a.recv(); !dup.IsCommand(CmdAck) || dup.Timestamp != 5 || dup.ISeq != 1 {
		t.Errorf("answer to the retransmitted NEW = %v, want ACK ts=5 i=1", dup)
	}

	c, err := a.ep.Accept(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	info := c.Info()
	if !info.Incoming || info.Called != "s" || info.CallingNumber != "201" || info.CallingName != "Handset One" || info.Username != "" || info.Format != FormatULaw {
		t.Errorf("Info() = %+v, want incoming s from 201 Handset One, ulaw", info)
	}
	if c.State() != StateIncoming {
		t.Errorf("State() = %v, want incoming", c.State())
	}
	if err := c.Answer(); err != nil {
		t.Fatal(err)
	}
	ans := a.recv()
	if ans.Type != FrameControl || ans.Control() != CtlAnswer || ans.OSeq != 2 || ans.ISeq != 1 {
		t.Errorf("Answer sent %v, want CONTROL ANSWER o=2 i=1", ans)
	}
	a.play(pkts[9], acc.SourceCall) // HANGUP
	if ack := a.recv(); !ack.IsCommand(CmdAck) || ack.Timestamp != 3036 || ack.ISeq != 2 || ack.DestCall != 1515 {
		t.Errorf("answer to HANGUP = %v, want ACK dst=1515 ts=3036 i=2", ack)
	}
	<-c.Done()
	if c.State() != StateHangupRemote || !errors.Is(c.Err(), ErrHangup) {
		t.Errorf("State(), Err() = %v, %v; want hangup-remote, ErrHangup", c.State(), c.Err())
	}
}
