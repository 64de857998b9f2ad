package pulse_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
	"github.com/ringo-phone/ringo/internal/clock"
)

const toneHz = 1004

func devices(t *testing.T, srv *pulsetest.Server) *audio.Devices {
	t.Helper()
	d := audio.NewDevices(nil)
	if err := pulse.Register(d, pulse.Config{Server: srv.Addr(), Logger: testLogger(t)}); err != nil {
		t.Fatal(err)
	}
	return d
}

// toneAt finds the 1004 Hz tone in the second half of a recording (the
// first half may hold the stream's start) and checks its margin.
func checkTone(t *testing.T, what string, pcm []int16) {
	t.Helper()
	if len(pcm) < 4000 {
		t.Fatalf("%s: only %d samples", what, len(pcm))
	}
	seg := pcm[len(pcm)/2:]
	rep := audiotest.AnalyzeTone(seg, toneHz)
	t.Logf("%s: %d Hz at %.1f dB, strongest other %.0f Hz at %.1f dB: margin %.1f dB", what, toneHz, rep.PowerDB, rep.OtherHz, rep.OtherDB, rep.MarginDB)
	if rep.MarginDB < 30 {
		t.Errorf("%s: tone margin = %.1f dB, want ≥ 30", what, rep.MarginDB)
	}
}

func TestSinkPlaysToneAtCardPace(t *testing.T) {
	srv := pulsetest.Start(t)
	rec := srv.SinkMonitor(t, "speaker")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	sink, err := devices(t, srv).OpenSink(ctx, "pulse:speaker")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	tone := &audiotest.ToneSource{Freq: toneHz, LevelDB: -6}
	var f audio.Frame
	const frames = 50
	start := time.Now()
	for i := 0; i < frames; i++ {
		tone.ReadFrame(ctx, &f)
		if err := sink.WriteFrame(ctx, &f); err != nil {
			t.Fatalf("WriteFrame %d: %v", i, err)
		}
	}
	// The server asks for audio as it plays: 50 frames take about a
	// second, less the buffer it fills first.
	if el := time.Since(start); el < 800*time.Millisecond || el > 3*time.Second {
		t.Errorf("writing %d frames took %v, want about 1 s (paced by the server)", frames, el)
	}
	st := sink.(*pulse.Sink).Stats()
	t.Logf("sink stats: %+v", st)
	// Underflows are logged, not asserted: a loaded test machine that
	// holds this process off the CPU for 20 ms causes one.
	if st.Frames != frames || st.Silent != 0 || !st.Connected {
		t.Errorf("Stats = %+v, want %d frames, none silent, connected", st, frames)
	}
	// The server splits the asked-for latency between its buffer and the
	// sink; the split depends on the server version.
	if st.Latency < 20*time.Millisecond || st.Latency > 40*time.Millisecond {
		t.Errorf("granted latency = %v, want about 20ms", st.Latency)
	}
	if err := rec.WaitLen(ctx, 6000); err != nil {
		t.Fatal(err)
	}
	checkTone(t, "speaker monitor", rec.Stop())
}

func TestSourceReframesRecording(t *testing.T) {
	srv := pulsetest.Start(t)
	gen := &audiotest.ToneSource{Freq: toneHz, LevelDB: -6}
	var gf audio.Frame
	srv.Play(t, "mic", func(dst []int16) {
		gen.ReadFrame(context.Background(), &gf)
		copy(dst, gf[:])
	})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	src, err := devices(t, srv).OpenSource(ctx, "pulse:mic.monitor")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var pcm []int16
	var f audio.Frame
	const frames = 60
	for i := 0; i < frames; i++ {
		if err := src.ReadFrame(ctx, &f); err != nil {
			t.Fatalf("ReadFrame %d: %v", i, err)
		}
		pcm = append(pcm, f[:]...)
	}
	st := src.(*pulse.Source).Stats()
	if st.Frames != frames || st.Silent != 0 {
		t.Errorf("Stats = %+v, want %d frames, none silent", st, frames)
	}
	checkTone(t, "mic source", pcm)
}

func TestBadDevice(t *testing.T) {
	srv := pulsetest.Start(t, "speaker")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := devices(t, srv)
	if _, err := d.OpenSink(ctx, "pulse:nosuchsink"); !errors.Is(err, pulse.ErrStream) {
		t.Errorf("OpenSink(pulse:nosuchsink) error = %v, want ErrStream", err)
	}
	if _, err := d.OpenSource(ctx, "pulse:nosuchsource"); !errors.Is(err, pulse.ErrStream) {
		t.Errorf("OpenSource(pulse:nosuchsource) error = %v, want ErrStream", err)
	}
	srv.Kill()
	if _, err := d.OpenSink(ctx, "pulse:speaker"); !errors.Is(err, pulse.ErrConnect) {
		t.Errorf("OpenSink with the server down: error = %v, want ErrConnect", err)
	}
}

func testLogger(t *testing.T) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t *testing.T }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSpace(string(b)))
	return len(b), nil
}

// TestSurvivesServerRestart kills the server under a playing sink and a
// recording source: both go on at 20 ms a frame with silence, and carry
// audio again once a new server is up on the same socket.
func TestSurvivesServerRestart(t *testing.T) {
	srv := pulsetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	d := devices(t, srv)
	sink, err := d.OpenSink(ctx, "pulse:speaker")
	if err != nil {
		t.Fatal(err)
	}
	defer sink.Close()
	src, err := d.OpenSource(ctx, "pulse:mic.monitor")
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()

	type progress struct{ sink, src audio.StreamStats }
	prog := make(chan progress, 4096)
	errc := make(chan error, 2)
	wctx, stop := context.WithCancel(ctx)
	defer stop()
	go func() { // the call's playout: a tone, written continuously
		tone := &audiotest.ToneSource{Freq: toneHz, LevelDB: -6}
		var f audio.Frame
		for {
			tone.ReadFrame(wctx, &f)
			if err := sink.WriteFrame(wctx, &f); err != nil {
				errc <- err
				return
			}
			select {
			case prog <- progress{sink: sink.(*pulse.Sink).Stats(), src: src.(*pulse.Source).Stats()}:
			default:
			}
		}
	}()
	go func() { // the call's microphone: read continuously
		var f audio.Frame
		for {
			if err := src.ReadFrame(wctx, &f); err != nil {
				errc <- err
				return
			}
		}
	}()
	waitFor := func(what string, ok func(p progress) bool) progress {
		t.Helper()
		for {
			select {
			case p := <-prog:
				if ok(p) {
					return p
				}
			case err := <-errc:
				t.Fatalf("waiting for %s: a stream failed: %v", what, err)
			case <-ctx.Done():
				t.Fatalf("waiting for %s: %v", what, ctx.Err())
			}
		}
	}
	waitFor("playback", func(p progress) bool { return p.sink.Frames >= 10 })
	srv.Kill()
	p := waitFor("paced silence", func(p progress) bool { return p.sink.Silent >= 10 && p.src.Silent >= 5 })
	if p.sink.Connected || p.sink.Losses != 1 || p.src.Connected || p.src.Losses != 1 {
		t.Errorf("after the kill: sink %+v, source %+v; want both lost once, not connected", p.sink, p.src)
	}
	srv.Restart()
	p = waitFor("reconnection", func(p progress) bool { return p.sink.Reconnects == 1 && p.src.Reconnects == 1 })
	// Recorded from the reconnection on, and long enough that the half
	// checkTone looks at is past the stream's start: a recorder started
	// with the server hears the silence before the sink is back, which
	// on a loaded machine can reach into that half.
	rec := srv.SinkMonitor(t, "speaker")
	base := p.sink.Frames
	waitFor("playback after the restart", func(p progress) bool { return p.sink.Frames >= base+25 })
	if err := rec.WaitLen(ctx, 8000); err != nil {
		t.Fatal(err)
	}
	checkTone(t, "speaker monitor after the restart", rec.Stop())
}

// TestCancelAndClose: a cancelled write or read consumes nothing, Close
// unblocks a pending one with ErrClosed, and Close is idempotent.
func TestCancelAndClose(t *testing.T) {
	srv := pulsetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	d := devices(t, srv)
	sink, err := d.OpenSink(ctx, "pulse:speaker")
	if err != nil {
		t.Fatal(err)
	}
	src, err := d.OpenSource(ctx, "pulse:mic.monitor")
	if err != nil {
		t.Fatal(err)
	}
	done, stop := context.WithCancel(ctx)
	stop()
	var f audio.Frame
	if err := sink.WriteFrame(done, &f); !errors.Is(err, context.Canceled) {
		t.Errorf("WriteFrame(cancelled) = %v, want context.Canceled", err)
	}
	if err := src.ReadFrame(done, &f); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFrame(cancelled) = %v, want context.Canceled", err)
	}
	if st := sink.(*pulse.Sink).Stats(); st.Frames != 0 {
		t.Errorf("sink frames after a cancelled write = %d, want 0", st.Frames)
	}
	if st := src.(*pulse.Source).Stats(); st.Frames != 0 {
		t.Errorf("source frames after a cancelled read = %d, want 0", st.Frames)
	}
	// Fill the sink until it blocks, then close it from another goroutine.
	blocked := make(chan error, 1)
	go func() {
		for {
			if err := sink.WriteFrame(ctx, &f); err != nil {
				blocked <- err
				return
			}
		}
	}()
	read := make(chan error, 1)
	go func() {
		for {
			if err := src.ReadFrame(ctx, &f); err != nil {
				read <- err
				return
			}
		}
	}()
	sink.Close()
	src.Close()
	if err := <-blocked; !errors.Is(err, audio.ErrClosed) {
		t.Errorf("WriteFrame across Close = %v, want ErrClosed", err)
	}
	if err := <-read; !errors.Is(err, audio.ErrClosed) {
		t.Errorf("ReadFrame across Close = %v, want ErrClosed", err)
	}
	if err := sink.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
	if err := src.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

// TestSilencePacedByClock: with the server gone, the sink takes one frame
// per 20 ms of the injected clock, and reconnects on the same clock's
// backoff once a server is back.
func TestSilencePacedByClock(t *testing.T) {
	srv := pulsetest.Start(t, "speaker")
	clk := clock.NewFake(time.Unix(1000, 0))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	b := pulse.New(pulse.Config{Server: srv.Addr(), Clock: clk, Logger: testLogger(t)})
	as, err := b.OpenSink(ctx, "speaker")
	if err != nil {
		t.Fatal(err)
	}
	sink := as.(*pulse.Sink)
	defer sink.Close()
	wrote := make(chan audio.StreamStats, 1)
	go func() {
		var f audio.Frame
		for sink.WriteFrame(ctx, &f) == nil {
			select {
			case wrote <- sink.Stats():
			case <-ctx.Done():
				return
			}
		}
	}()
	next := func() audio.StreamStats {
		t.Helper()
		select {
		case st := <-wrote:
			return st
		case <-ctx.Done():
			t.Fatal("no frame taken")
		}
		return audio.StreamStats{}
	}
	for next().Frames < 5 { // the server plays
	}
	srv.Kill()
	// Frames in flight when the server died may still count as sent; the
	// first silent one is due at once.
	st := next()
	for st.Silent == 0 {
		st = next()
	}
	for want := uint64(2); want <= 5; want++ {
		clk.Advance(audio.FrameDuration)
		if st = next(); st.Silent != want || st.Connected {
			t.Fatalf("after %d frame periods down: %+v, want %d silent, not connected", want-1, st, want)
		}
	}
	srv.Restart()
	// The backoff starts at 100 ms: after it, the link reconnects and the
	// server paces again (silent frames go on meanwhile, one per period).
	for !st.Connected {
		clk.Advance(audio.FrameDuration)
		st = next()
	}
	base := st.Frames
	for st.Frames < base+10 {
		st = next()
	}
	if st.Reconnects != 1 || st.Losses != 1 {
		t.Errorf("stats = %+v, want one loss, one reconnection", st)
	}
}
