package main

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
	"github.com/ringo-phone/ringo/telephony/media"
)

// micHz is the tone the tests play as the handset's microphone.
const micHz = 700

// TestStackAudio runs the agent's audio through a private PulseAudio
// server: the speaker is the null sink "speaker", the microphone the
// monitor of the null sink "mic", which the test feeds with a 700 Hz tone.
// 601's 1004 Hz tone is heard, the microphone comes back from 600's echo,
// and 602 records the microphone in the WAV iaxpbx writes.
func TestStackAudio(t *testing.T) {
	srv := pulsetest.Start(t)
	s := newStackWith(t, "s3cret", srv.Env(), "-audio-source", "pulse:mic.monitor", "-audio-sink", "pulse:speaker")
	s.waitReg("Home")
	mic := srv.Play(t, "mic", pulsetest.SineFrames(micHz))
	defer mic.Stop()
	speaker := srv.SinkMonitor(t, "speaker")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()

	id := s.dial("601")
	s.waitCall(id, "Connected")
	speaker.ExpectTone(t, ctx, "601 at the speaker", 1004, 30)
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")

	id = s.dial("600")
	s.waitCall(id, "Connected")
	speaker.ExpectTone(t, ctx, "the microphone echoed by 600", micHz, 30)
	s.ctl("hangup", id)
	s.waitCall(id, "HangupLocal")

	id = s.dial("602")
	s.waitCall(id, "Connected")
	rec := s.pbx.WaitLine(`msg=recording .*file=(\S+)`, waitLimit)[1]
	// Two seconds of the microphone, measured by the recording's length.
	waitWAVFrames(t, ctx, rec, 100)
	s.ctl("hangup", id)
	s.pbx.WaitLine(`msg=recorded `, waitLimit)
	samples := audiotest.ReadWAV(t, rec)
	best := 0.0
	for off := 0; off+media.SampleRate <= len(samples); off += media.SampleRate / 2 {
		best = math.Max(best, audiotest.AnalyzeTone(samples[off:off+media.SampleRate], micHz).MarginDB)
	}
	if best < 30 {
		t.Errorf("602's recording (%d samples): best 1 s window holds %d Hz %.1f dB over the rest, want ≥ 30", len(samples), micHz, best)
	}
}

// waitWAVFrames waits until the WAV file being written holds n frames
// (its data grows as iaxpbx writes; the header is fixed up at the end).
func waitWAVFrames(t *testing.T, ctx context.Context, path string, n int) {
	t.Helper()
	for {
		if fi, err := statSize(path); err == nil && fi >= int64(44+n*media.FrameSamples*2) {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("%s never reached %d frames", path, n)
		case <-time.After(20 * time.Millisecond): // polling a file another process writes
		}
	}
}

func statSize(path string) (int64, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return 0, err
	}
	return fi.Size(), nil
}
