package iax

import (
	"context"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// TakeVoice hands over what the call received, oldest first, into the
// caller's buffers; once used, the Voice channel stays empty; a full
// queue drops the newest frames.
func TestTakeVoice(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	if n := p.c.TakeVoice(make([]Voice, 4)); n != 0 {
		t.Fatalf("TakeVoice before any voice = %d, want 0", n)
	}
	p.send(&FullFrame{Type: FrameVoice, Subclass: uint8(FormatALaw), Timestamp: 1000, Payload: []byte{1, 1}})
	a.recv() // ACK
	for i := range voiceQueueLen + 5 {
		m := MiniFrame{SourceCall: p.src, Timestamp: uint16(1020 + 20*i), Payload: []byte{byte(i + 2), 9}}
		b, _ := m.Marshal()
		a.conn.WriteToUDP(b, udpAddr(a.ep.LocalAddr()))
	}
	p.barrier()
	select {
	case <-p.c.VoiceReady():
	default:
		t.Fatal("VoiceReady not signalled after voice arrived")
	}
	dst := make([]Voice, 10)
	var got []Voice
	for {
		n := p.c.TakeVoice(dst)
		if n == 0 {
			break
		}
		for _, v := range dst[:n] {
			got = append(got, Voice{Timestamp: v.Timestamp, Format: v.Format, Payload: append([]byte(nil), v.Payload...)})
		}
	}
	if len(got) != voiceQueueLen {
		t.Fatalf("took %d frames, want the queue's %d", len(got), voiceQueueLen)
	}
	for i, v := range got {
		if v.Timestamp != uint32(1000+20*i) || v.Format != FormatALaw || len(v.Payload) != 2 || v.Payload[0] != byte(i+1) {
			t.Fatalf("frame %d = ts %d %v %v, want ts %d alaw [%d 9]", i, v.Timestamp, v.Format, v.Payload, 1000+20*i, i+1)
		}
	}
	if len(p.c.Voice()) != 0 {
		t.Errorf("Voice channel holds %d frames after TakeVoice, want 0", len(p.c.Voice()))
	}
	if st := p.c.Stats(); st.VoiceReceived != voiceQueueLen+6 {
		t.Errorf("VoiceReceived = %d, want %d (dropped frames were received)", st.VoiceReceived, voiceQueueLen+6)
	}
}

// connectedPair is a call from a client endpoint to a server endpoint,
// answered, both on clk. No frame is retransmitted within 100 s, so that
// a test may jump the clock before every acknowledgement has arrived.
func connectedPair(tb testing.TB, clk Clock) (out, in *Call) {
	tb.Helper()
	ctx := context.Background()
	rtx := Retransmit{Initial: 100 * time.Second, Min: 100 * time.Second, Max: 100 * time.Second}
	srv, err := Listen(ctx, "127.0.0.1:0", Config{Clock: clk, Server: serverConfig(), PingInterval: -1, Retransmit: rtx})
	if err != nil {
		tb.Fatal(err)
	}
	cli, err := Listen(ctx, "127.0.0.1:0", Config{Clock: clk, PingInterval: -1, Retransmit: rtx})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { cli.Close(); srv.Close() })
	out, err = cli.Dial(DialOptions{Peer: srv.LocalAddr(), Called: "600", Username: "handset1", Secret: "s3cret"})
	if err != nil {
		tb.Fatal(err)
	}
	actx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	in, err = srv.Accept(actx)
	if err != nil {
		tb.Fatal(err)
	}
	if err := in.Answer(); err != nil {
		tb.Fatal(err)
	}
	if err := out.Wait(actx); err != nil {
		tb.Fatal(err)
	}
	return out, in
}

// takeOne waits for the next frame c receives; timeout (reset here)
// bounds the wait.
func takeOne(tb testing.TB, c *Call, dst []Voice, timeout *time.Timer) Voice {
	tb.Helper()
	timeout.Reset(5 * time.Second)
	defer timeout.Stop()
	for {
		if c.TakeVoice(dst[:1]) == 1 {
			return dst[0]
		}
		select {
		case <-c.VoiceReady():
		case <-timeout.C:
			tb.Fatal("no voice within 5 s")
		}
	}
}

// Both roles send mini frames without the loop (the server's through
// its batched writer), yet a full frame the loop sends when the mini
// timestamp wraps does not overtake them: the receiver widens every
// timestamp right. Stats count the frames sent either way.
func TestVoiceFastPathKeepsOrder(t *testing.T) {
	dst := make([]Voice, 1)
	timeout := time.NewTimer(time.Hour)
	for _, name := range []string{"server to client", "client to server"} {
		clk := clock.NewFake(replayStart)
		out, in := connectedPair(t, clk)
		dir := struct {
			name     string
			from, to *Call
		}{name, in, out}
		if name == "client to server" {
			dir.from, dir.to = out, in
		}
		clk.Advance(65400 * time.Millisecond)
		var first uint32
		for i := range 8 {
			if err := dir.from.SendVoice([]byte{byte(i)}); err != nil {
				t.Fatalf("%s: frame %d: %v (the call: %v)", dir.name, i, err, dir.from.Err())
			}
			v := takeOne(t, dir.to, dst, timeout)
			if i == 0 {
				first = v.Timestamp
			}
			if v.Payload[0] != byte(i) || v.Timestamp != first+uint32(20*i) {
				t.Fatalf("%s: frame %d = ts %d payload %v, want ts %d payload [%d]", dir.name, i, v.Timestamp, v.Payload, first+uint32(20*i), i)
			}
			clk.Advance(20 * time.Millisecond)
		}
		if first>>16 == (first+140)>>16 {
			t.Fatalf("%s: timestamps %d..%d do not cross a mini wrap; the test proves nothing", dir.name, first, first+140)
		}
		if st := dir.from.Stats(); st.VoiceSent != 8 {
			t.Errorf("%s: VoiceSent = %d, want 8", dir.name, st.VoiceSent)
		}
	}
}

// A quelched call sends nothing on the fast path either.
func TestVoiceFastPathQuelched(t *testing.T) {
	a := newAsterisk(t, Config{PingInterval: -1})
	p := incomingCall(t, a)
	for range 2 { // a full frame, then a mini frame without the loop
		if err := p.c.SendVoice(make([]byte, 160)); err != nil {
			t.Fatal(err)
		}
		a.recvRaw()
		a.clk.Advance(20 * time.Millisecond)
	}
	if err := p.c.SendVoice(make([]byte, 160)); err != nil {
		t.Fatal(err)
	}
	if b := a.recvRaw(); KindOf(b) != KindMini {
		t.Fatalf("third frame is %v, want a mini frame", KindOf(b))
	}
	p.iseq++ // the voice full frame
	p.send(&FullFrame{Type: FrameIAX, Subclass: uint8(CmdQuelch), Timestamp: 5})
	a.recv() // ACK: the loop has taken the QUELCH
	a.clk.Advance(20 * time.Millisecond)
	if err := p.c.SendVoice(make([]byte, 160)); err != nil {
		t.Fatal(err)
	}
	a.quiet()
}

// RelayVoice echoes on the loop: the full first frame and the mini
// frames after it come back in order; nil gives the voice back to
// TakeVoice; a call of another endpoint is refused.
func TestRelayVoice(t *testing.T) {
	clk := clock.NewFake(replayStart)
	out, in := connectedPair(t, clk)
	if err := in.RelayVoice(in); err != nil {
		t.Fatal(err)
	}
	dst := make([]Voice, 1)
	timeout := time.NewTimer(time.Hour)
	for i := range 5 {
		if err := out.SendVoice([]byte{byte(i), 7}); err != nil {
			t.Fatal(err)
		}
		if v := takeOne(t, out, dst, timeout); v.Payload[0] != byte(i) || len(v.Payload) != 2 {
			t.Fatalf("echo %d = %v", i, v.Payload)
		}
		clk.Advance(20 * time.Millisecond)
	}
	if st := in.Stats(); st.VoiceSent != 5 || st.VoiceReceived != 5 {
		t.Errorf("relaying call sent %d received %d, want 5 and 5", st.VoiceSent, st.VoiceReceived)
	}
	if err := in.RelayVoice(nil); err != nil {
		t.Fatal(err)
	}
	if err := out.SendVoice([]byte{9}); err != nil {
		t.Fatal(err)
	}
	if v := takeOne(t, in, dst, timeout); v.Payload[0] != 9 {
		t.Errorf("after RelayVoice(nil) the server took %v, want [9]", v.Payload)
	}
	if err := in.RelayVoice(out); err == nil {
		t.Error("RelayVoice to another endpoint's call = nil, want an error")
	}
}

// BenchmarkVoiceHotPath is one voice frame sent on a connected call
// and taken by the other end: SendVoice (mini frame, without the
// loop) → socket → reader (batched) → loop → TakeVoice; echo adds the
// server's RelayVoice on the way (there and back). It must not
// allocate (allocs/op 0; a full frame every 3,277 frames, when the mini
// timestamp wraps, goes through the loop and is amortised).
func BenchmarkVoiceHotPath(b *testing.B) {
	for _, dir := range []string{"client-to-server", "server-to-client", "echo"} {
		b.Run(dir, func(b *testing.B) {
			// The wall clock: a fake one allocates as it advances.
			out, in := connectedPair(b, clock.Real())
			from, to := out, in
			switch dir {
			case "server-to-client":
				from, to = in, out
			case "echo": // the server relays it back (RelayVoice)
				if err := in.RelayVoice(in); err != nil {
					b.Fatal(err)
				}
				to = out
			}
			payload := make([]byte, 160)
			dst := make([]Voice, 1)
			timeout := time.NewTimer(time.Hour)
			// The first frame is a full frame; the rest go the fast way.
			if err := from.SendVoice(payload); err != nil {
				b.Fatal(err)
			}
			takeOne(b, to, dst, timeout)
			b.ReportAllocs()
			b.ResetTimer()
			for range b.N {
				if err := from.SendVoice(payload); err != nil {
					b.Fatal(err)
				}
				takeOne(b, to, dst, timeout)
			}
		})
	}
}
