package pulse

import (
	"context"
	"testing"
	"time"

	"github.com/jfreymuth/pulse/proto"
	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
)

// TestSinkKeepsTargetBuffered asks the server, right after writes, how much
// audio the stream holds: the target length it granted and never more
// (the sink writes only what the server asked for), so the latency is what
// Stats reports.
func TestSinkKeepsTargetBuffered(t *testing.T) {
	srv := pulsetest.Start(t, "speaker")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	as, err := New(Config{Server: srv.Addr()}).OpenSink(ctx, "speaker")
	if err != nil {
		t.Fatal(err)
	}
	s := as.(*Sink)
	defer s.Close()
	s.mu.Lock()
	ps := s.cur
	s.mu.Unlock()
	var f audio.Frame
	for i := 1; i <= 50; i++ {
		if err := s.WriteFrame(ctx, &f); err != nil {
			t.Fatal(err)
		}
		if i%10 != 0 {
			continue
		}
		var rpl proto.GetPlaybackLatencyReply
		if err := ps.cn.request(&proto.GetPlaybackLatency{StreamIndex: ps.index}, &rpl); err != nil {
			t.Fatal(err)
		}
		held := rpl.WriteIndex - rpl.ReadIndex
		t.Logf("after frame %d: %d bytes queued, sink latency %d µs", i, held, rpl.Latency)
		// Right after a write it holds the target, less what it played
		// before the question arrived: never more.
		if held <= 0 || held > int64(ps.tlen) {
			t.Errorf("after frame %d: %d bytes queued in the server, want 1 to the granted target %d", i, held, ps.tlen)
		}
	}
}
