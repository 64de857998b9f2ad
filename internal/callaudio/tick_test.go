package callaudio

import (
	"context"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/media"
)

// TestOneTickServesTheCall runs a call to the echo in fake time with the
// null microphone and a null speaker both paced by the session's clock:
// one timer is all that is pending however many frames pass, each frame
// period plays one frame and sends one, and a tick that comes late serves
// every period it missed.
func TestOneTickServesTheCall(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dial(t, ctx, startPeer(t, ctx), "600")
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("call: %v", err)
	}
	clk := clock.NewFake(time.Unix(1000, 0))
	speaker := &fakeSpeaker{NullSink: audio.NewNullSink(clk), wrote: make(chan media.Frame, 1)}
	cfg := Config{Clock: clk, Logger: testLogger(t)}
	cfg.defaults()
	jb, err := media.NewJitterBuffer(media.JitterConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(c, audio.NewNullSource(clk), speaker, jb, cfg)
	s.run(ctx)
	defer s.Close()

	wrote := func(what string) {
		t.Helper()
		select {
		case <-speaker.wrote:
		case <-ctx.Done():
			t.Fatalf("%s: no frame written", what)
		}
	}
	wrote("frame 0, due at once")
	frames := uint64(1)
	for i := 1; i <= 50; i++ {
		if n := clk.Pending(); n != 1 {
			t.Fatalf("frame %d: %d timers pending, want 1 (the session's tick)", i, n)
		}
		clk.Advance(media.FrameDuration)
		wrote("a frame period later")
		frames++
		// The ticks before this one have sent their frames.
		if st := s.Stats(); st.Sent < frames-1 || st.Sent > frames {
			t.Fatalf("after %d frames played: sent %d, want %d or %d", frames, st.Sent, frames-1, frames)
		}
	}
	// Three periods at once: the late tick serves all three.
	clk.Advance(3 * media.FrameDuration)
	for i := 0; i < 3; i++ {
		wrote("a missed period")
		frames++
	}
	select {
	case <-speaker.wrote:
		t.Fatal("a fourth frame after three periods")
	default:
	}
	if st := s.Stats(); st.Sent < frames-1 || st.Tone != 0 || st.Played+st.Silence+st.Concealed != frames {
		t.Errorf("after %d periods: %+v, want every period played once and sent", frames, st)
	}
	if n := clk.Pending(); n != 1 {
		t.Errorf("%d timers pending at the end, want 1", n)
	}
}
