package callaudio

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

// TestDeviceWAVFiles is how iaxcli's -send and -record use the pipeline:
// the microphone is a WAV file, the speaker another, both paced by the
// wall clock. A call to an echo that hangs up after 50 frames records the
// file's tone back; the session finishes when the call ends.
func TestDeviceWAVFiles(t *testing.T) {
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	w, err := audio.CreateWAVSink(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	tone := &audiotest.ToneSource{Freq: toneHz, LevelDB: -6}
	var f audio.Frame
	for i := 0; i < 100; i++ {
		tone.ReadFrame(context.Background(), &f)
		w.WriteFrame(context.Background(), &f)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dial(t, ctx, startPeer(t, ctx), "650")
	dev := Device{Devices: audio.NewDevices(clock.Real()), Source: "wav:" + in, Sink: "wav:" + out,
		Config: Config{Logger: testLogger(t)}}
	s, err := dev.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.Done():
	case <-ctx.Done():
		t.Fatal("session did not finish with the call")
	}
	if err := s.Err(); err != nil {
		t.Errorf("session error: %v", err)
	}
	st := s.Stats()
	t.Logf("stats: %+v", st)
	if st.Received < 45 || st.Sent < 50 {
		t.Errorf("stats = %+v, want ≥ 50 frames sent and about 50 received", st)
	}
	pcm := audiotest.ReadWAV(t, out)
	if len(pcm) < 40*audio.FrameSamples {
		t.Fatalf("recorded %d samples, want ≥ %d", len(pcm), 40*audio.FrameSamples)
	}
	// The echo's middle: skip the jitter buffer's start and the end.
	seg := pcm[len(pcm)/4 : len(pcm)*3/4]
	if m := strict.margin(seg, toneHz); m < 30 {
		t.Errorf("echoed tone in the recording: margin %.1f dB, want ≥ 30", m)
	}
	if _, err := os.Stat(out); err != nil {
		t.Error(err)
	}
}

// TestDeviceBadNames: a device that cannot be opened is an error from
// Open, and Start carries on without audio.
func TestDeviceBadNames(t *testing.T) {
	ctx := context.Background()
	dev := Device{Devices: audio.NewDevices(nil), Source: "nosuch", Sink: "null"}
	if _, err := dev.Open(ctx, nil); !errors.Is(err, ErrDevice) || !errors.Is(err, audio.ErrBadDevice) {
		t.Errorf("Open with source %q: %v, want ErrDevice wrapping ErrBadDevice", dev.Source, err)
	}
	dev = Device{Devices: audio.NewDevices(nil), Source: "null", Sink: "wav:"}
	if _, err := dev.Open(ctx, nil); !errors.Is(err, ErrDevice) {
		t.Errorf("Open with sink %q: %v, want ErrDevice", dev.Sink, err)
	}
	dev.Start(ctx, nil)() // logs, returns a no-op stop
}

// TestSendDoneAtEndOfFile: a WAV microphone sends its frames, then
// SendDone closes while the call goes on.
func TestSendDoneAtEndOfFile(t *testing.T) {
	in := filepath.Join(t.TempDir(), "in.wav")
	w, err := audio.CreateWAVSink(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f audio.Frame
	for i := 0; i < 10; i++ {
		w.WriteFrame(context.Background(), &f)
	}
	w.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dial(t, ctx, startPeer(t, ctx), "601")
	dev := Device{Devices: audio.NewDevices(clock.Real()), Source: "wav:" + in, Sink: "null"}
	s, err := dev.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := c.Wait(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.SendDone():
	case <-ctx.Done():
		t.Fatal("SendDone not closed at the end of the file")
	}
	// Frames captured before the call was answered had no codec yet.
	if st := s.Stats(); st.Sent+st.NotSent != 10 || st.Sent == 0 {
		t.Errorf("sent %d + not sent %d, want 10 in all, some sent", st.Sent, st.NotSent)
	}
	if st := c.State(); st != iax.StateConnected {
		t.Errorf("call state after the file = %v, want connected", st)
	}
}
