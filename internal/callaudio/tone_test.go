package callaudio

import (
	"context"
	"runtime"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/media"
)

// fakeSpeaker is a null sink paced by a fake clock that reports each
// frame written.
type fakeSpeaker struct {
	*audio.NullSink
	wrote chan media.Frame
}

func (s *fakeSpeaker) WriteFrame(ctx context.Context, f *media.Frame) error {
	if err := s.NullSink.WriteFrame(ctx, f); err != nil {
		return err
	}
	s.wrote <- *f
	return nil
}

// TestRingbackUntilEarlyMedia runs the playout in fake time: while the
// call alerts and nothing comes from the network the speaker gets the
// local ringback; voice from the network (early media) replaces it; after
// RingbackAfter without voice the ringback comes back.
func TestRingbackUntilEarlyMedia(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	// The far end rings and sends 10 frames of tone when told to.
	media10 := make(chan struct{})
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Server: &iax.ServerConfig{AllowGuests: true}, PingInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer ep.Close()
	go ep.Serve(ctx, func(ctx context.Context, c *iax.Call) {
		select {
		case <-media10:
		case <-ctx.Done():
			return
		}
		gen, _ := media.NewToneGenerator(media.Tone{Freqs: []float64{toneHz}, Level: -6})
		var f media.Frame
		var p [media.FrameSamples]byte
		for i := 0; i < 10; i++ {
			gen.Read(&f)
			media.EncodeUlaw(p[:], f[:])
			c.SendVoice(p[:])
		}
		<-ctx.Done()
	})
	c := dial(t, ctx, ep.LocalAddr(), "183")
	for c.State() != iax.StateAlerting {
		select {
		case <-c.Events():
		case <-ctx.Done():
			t.Fatal("the call never alerted")
		}
	}

	clk := clock.NewFake(time.Unix(1000, 0))
	speaker := &fakeSpeaker{NullSink: audio.NewNullSink(clk), wrote: make(chan media.Frame, 1)}
	cfg := Config{Clock: clk, Logger: testLogger(t)}
	cfg.defaults()
	jb, err := media.NewJitterBuffer(media.JitterConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	s := newSession(c, &audiotest.ToneSource{Freq: 300, LevelDB: -20}, speaker, jb, cfg)
	arrived := make(chan struct{}, 10)
	s.arrived = func(uint32, *media.Frame, time.Time) { arrived <- struct{}{} }
	s.run(ctx)
	defer s.Close()

	// next lets one more frame period pass and returns what was played;
	// lastPlayed is when the last voice frame was (the session counts a
	// frame before the speaker gets it).
	var lastPlayed time.Time
	var playedSoFar uint64
	next := func() media.Frame {
		t.Helper()
		clk.Advance(media.FrameDuration)
		select {
		case f := <-speaker.wrote:
			if p := s.Stats().Played; p > playedSoFar {
				playedSoFar, lastPlayed = p, clk.Now()
			}
			return f
		case <-ctx.Done():
			t.Fatal("no frame written")
		}
		return media.Frame{}
	}
	is425 := func(f media.Frame) bool {
		return audiotest.Goertzel(f[:], 425) > 100*audiotest.Goertzel(f[:], toneHz)
	}
	<-speaker.wrote // frame 0 is due at once
	for i := 1; i <= 10; i++ {
		if f := next(); !is425(f) {
			t.Fatalf("frame %d while alerting: not the 425 Hz ringback", i)
		}
	}
	if st := s.Stats(); st.Tone != 11 || st.Played != 0 {
		t.Fatalf("after 11 frames alerting: tone %d played %d, want 11, 0", st.Tone, st.Played)
	}

	close(media10)
	// The session takes arrived voice on its tick: wait until the call
	// has received the ten frames (its loop counts them once they are
	// queued for the session), then let the tick take them.
	for n := c.Stats().VoiceReceived; n < 10; n = c.Stats().VoiceReceived {
		if ctx.Err() != nil {
			t.Fatalf("%d of the 10 frames of early media received by the call", n)
		}
		runtime.Gosched()
	}
	tones := uint64(11)
	if is425(next()) {
		tones++
	}
	for i := 0; i < 10; i++ {
		<-arrived
	}
	// The jitter buffer holds its minimum delay and plays the tone.
	var played int
	for i := 0; i < 10; i++ {
		f := next()
		if is425(f) {
			t.Fatalf("frame %d after early media: ringback still playing", i)
		}
		if audiotest.Goertzel(f[:], toneHz) > 1e-4 {
			played++
		}
	}
	if st := s.Stats(); st.Tone != tones || st.Played != 10 || played != 10 {
		t.Errorf("after early media: tone frames %d (want %d), played %d, heard %d (want 10)", st.Tone, tones, st.Played, played)
	}

	// RingbackAfter (200 ms) without voice: the ringback returns.
	back := -1
	var backAt time.Time
	for i := 0; i < 20; i++ {
		if is425(next()) {
			back, backAt = i, clk.Now()
			break
		}
	}
	// Ringback is due 200 ms after the last voice frame played: a frame
	// is chosen on its own tick, so the ringback's first frame is the one
	// of the tick RingbackAfter after it.
	if back < 0 || backAt.Sub(lastPlayed) != cfg.RingbackAfter {
		t.Errorf("ringback came back at frame index %d, %v after the last voice frame played, want %v",
			back, backAt.Sub(lastPlayed), cfg.RingbackAfter)
	}
}
