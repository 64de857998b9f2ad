package audio_test

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/internal/clock"
)

func cancelled() context.Context {
	c, cancel := context.WithCancel(context.Background())
	cancel()
	return c
}

// TestPacedSource checks the release times of a paced source without
// goroutines: a read that would have to wait returns at once with a
// cancelled context and consumes nothing; a due read ignores the context.
func TestPacedSource(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	samples := audiotest.Sine(300, -6, 3*audio.FrameSamples)
	path := filepath.Join(t.TempDir(), "in.wav")
	sink, err := audio.CreateWAVSink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		var f audio.Frame
		copy(f[:], samples[i*audio.FrameSamples:])
		sink.WriteFrame(ctx, &f)
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
	src, err := audio.OpenWAVSource(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var f audio.Frame
	read := func() error { return src.ReadFrame(cancelled(), &f) }
	// Frame 0 is captured by 20 ms after the first read.
	if err := read(); !errors.Is(err, context.Canceled) {
		t.Fatalf("read at 0 ms = %v, want context.Canceled", err)
	}
	clk.Advance(19 * time.Millisecond)
	if err := read(); !errors.Is(err, context.Canceled) {
		t.Fatalf("read at 19 ms = %v, want context.Canceled", err)
	}
	clk.Advance(time.Millisecond)
	if err := read(); err != nil || f[1] != samples[1] {
		t.Fatalf("read at 20 ms = %v (sample %d), want frame 0", err, f[1])
	}
	if err := read(); !errors.Is(err, context.Canceled) {
		t.Fatalf("second read at 20 ms = %v, want context.Canceled", err)
	}
	// A late reader catches up without waiting.
	clk.Advance(45 * time.Millisecond)
	for i := 1; i <= 2; i++ {
		if err := read(); err != nil || f[1] != samples[i*audio.FrameSamples+1] {
			t.Fatalf("catch-up read %d = %v", i, err)
		}
	}
	clk.Advance(time.Hour)
	if err := read(); err == nil || err.Error() != "EOF" {
		t.Fatalf("read at the end = %v, want EOF", err)
	}
}

// waitPending lets a goroutine reach its timer: it yields until the fake
// clock has n pending timers (a condition, not a sleep).
func waitPending(t *testing.T, clk *clock.Fake, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() < n {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %d pending timers", n)
		}
		runtime.Gosched()
	}
}

func TestPacedReadBlocksUntilDue(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	src := audio.NewNullSource(clk)
	done := make(chan error, 1)
	go func() {
		var f audio.Frame
		done <- src.ReadFrame(ctx, &f)
	}()
	waitPending(t, clk, 1)
	select {
	case err := <-done:
		t.Fatalf("ReadFrame returned %v before its frame was due", err)
	default:
	}
	clk.Advance(audio.FrameDuration)
	if err := <-done; err != nil {
		t.Fatalf("ReadFrame after 20 ms = %v", err)
	}
	// Close unblocks a waiting reader.
	go func() {
		var f audio.Frame
		done <- src.ReadFrame(ctx, &f)
	}()
	waitPending(t, clk, 1)
	src.Close()
	if err := <-done; !errors.Is(err, audio.ErrClosed) {
		t.Fatalf("ReadFrame after Close = %v, want ErrClosed", err)
	}
	if clk.Pending() != 0 {
		t.Errorf("%d timers left after Close, want 0", clk.Pending())
	}
}

func TestPacedSink(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	sink := audio.NewNullSink(clk)
	var f audio.Frame
	// Frame 0 plays at once, frame 1 at 20 ms.
	if err := sink.WriteFrame(cancelled(), &f); err != nil {
		t.Fatalf("first write = %v", err)
	}
	if err := sink.WriteFrame(cancelled(), &f); !errors.Is(err, context.Canceled) {
		t.Fatalf("second write at 0 ms = %v, want context.Canceled", err)
	}
	clk.Advance(audio.FrameDuration)
	if err := sink.WriteFrame(cancelled(), &f); err != nil {
		t.Fatalf("second write at 20 ms = %v", err)
	}
	if sink.Frames() != 2 {
		t.Errorf("Frames() = %d, want 2", sink.Frames())
	}
	sink.Close()
	if err := sink.WriteFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("write after Close = %v", err)
	}
}

func TestNullUnpaced(t *testing.T) {
	src, sink := audio.NewNullSource(nil), audio.NewNullSink(nil)
	f := audio.Frame{1, 2, 3}
	for range 1000 {
		if err := src.ReadFrame(ctx, &f); err != nil || f != (audio.Frame{}) {
			t.Fatalf("null ReadFrame = %v, frame %v", err, f[:3])
		}
		if err := sink.WriteFrame(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	if sink.Frames() != 1000 {
		t.Errorf("Frames() = %d", sink.Frames())
	}
	if src.Close() != nil || src.Close() != nil || sink.Close() != nil || sink.Close() != nil {
		t.Error("Close is not idempotent")
	}
	if err := src.ReadFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("ReadFrame after Close = %v", err)
	}
}

// fakePulse stands in for the PulseAudio backend registered later.
type fakePulse struct{ args []string }

func (p *fakePulse) OpenSource(_ context.Context, arg string) (audio.Source, error) {
	p.args = append(p.args, "source:"+arg)
	return &audiotest.Playback{AllowLeftover: true}, nil
}

func (p *fakePulse) OpenSink(_ context.Context, arg string) (audio.Sink, error) {
	p.args = append(p.args, "sink:"+arg)
	return &audiotest.Record{}, nil
}

func TestDevices(t *testing.T) {
	d := audio.NewDevices(nil)
	if got := d.Names(); !slices.Equal(got, []string{"null", "wav"}) {
		t.Errorf("Names() = %q", got)
	}
	src, err := d.OpenSource(ctx, "null")
	if _, ok := src.(*audio.NullSource); err != nil || !ok {
		t.Errorf("OpenSource(null) = %T, %v", src, err)
	}
	path := filepath.Join(t.TempDir(), "x.wav")
	sink, err := d.OpenSink(ctx, "wav:"+path)
	if err != nil {
		t.Fatal(err)
	}
	var f audio.Frame
	sink.WriteFrame(ctx, &f)
	sink.Close()
	src, err = d.OpenSource(ctx, "wav:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := readAll(t, src); len(got) != audio.FrameSamples || err.Error() != "EOF" {
		t.Errorf("wav device round trip: %d samples, %v", len(got), err)
	}
	src.Close()

	errs := []struct{ device, msg string }{
		{"", `"" has no backend`},
		{":x", `":x" has no backend`},
		{"pulse", `"pulse": no backend "pulse" in this build (have null, wav)`},
		{"null:x", "null takes no argument"},
		{"wav:", "wav needs a path"},
	}
	for _, e := range errs {
		_, err1 := d.OpenSource(ctx, e.device)
		_, err2 := d.OpenSink(ctx, e.device)
		for _, err := range []error{err1, err2} {
			if !errors.Is(err, audio.ErrBadDevice) || !strings.Contains(err.Error(), e.msg) {
				t.Errorf("open %q = %v, want ErrBadDevice with %q", e.device, err, e.msg)
			}
		}
	}

	p := &fakePulse{}
	if err := d.Register("pulse", p); err != nil {
		t.Fatal(err)
	}
	if _, err := d.OpenSource(ctx, "pulse"); err != nil {
		t.Error(err)
	}
	if _, err := d.OpenSink(ctx, "pulse:alsa_output.usb:1"); err != nil {
		t.Error(err)
	}
	if want := []string{"source:", "sink:alsa_output.usb:1"}; !slices.Equal(p.args, want) {
		t.Errorf("pulse backend got %q, want %q", p.args, want)
	}
	for _, name := range []string{"pulse", "", "a:b", "a b"} {
		if err := d.Register(name, p); !errors.Is(err, audio.ErrBadDevice) {
			t.Errorf("Register(%q) = %v, want ErrBadDevice", name, err)
		}
	}
	if b, a, err := audio.ParseDevice("wav:/a:b.wav"); b != "wav" || a != "/a:b.wav" || err != nil {
		t.Errorf("ParseDevice(wav:/a:b.wav) = %q %q %v", b, a, err)
	}
}

// TestPaceByCaller: the null and WAV endpoints, paced by a clock that
// never moves, take and give frames at once after PaceByCaller (a
// cancelled context proves nothing waits) and arm no timer.
func TestPaceByCaller(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	path := filepath.Join(t.TempDir(), "out.wav")
	wavSink, err := audio.CreateWAVSink(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	sinks := map[string]audio.Sink{"null": audio.NewNullSink(clk), "wav": wavSink}
	sources := map[string]audio.Source{"null": audio.NewNullSource(clk)}
	var f audio.Frame
	for name, s := range sinks {
		s.(audio.CallerPaced).PaceByCaller()
		for i := range 5 {
			if err := s.WriteFrame(cancelled(), &f); err != nil {
				t.Fatalf("%s sink: frame %d after PaceByCaller: %v, want taken at once", name, i, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Fatal(err)
		}
	}
	if err := audio.NewNullSource(clk).ReadFrame(cancelled(), &f); err == nil {
		t.Fatal("a paced null source gave its first frame before it was captured: the test proves nothing")
	}
	for name, s := range sources {
		s.(audio.CallerPaced).PaceByCaller()
		for i := range 5 {
			if err := s.ReadFrame(cancelled(), &f); err != nil {
				t.Fatalf("%s source: frame %d after PaceByCaller: %v, want given at once", name, i, err)
			}
		}
		s.Close()
	}
	in, err := audio.OpenWAVSource(path, clk)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	in.PaceByCaller()
	for i := range 5 {
		if err := in.ReadFrame(cancelled(), &f); err != nil {
			t.Fatalf("wav source: frame %d after PaceByCaller: %v, want given at once", i, err)
		}
	}
	if n := clk.Pending(); n != 0 {
		t.Errorf("%d timers pending, want none", n)
	}
}
