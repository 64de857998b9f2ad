package audiotest

import (
	"context"
	"errors"
	"io"
	"math"
	"os"
	"slices"
	"testing"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/telephony/media"
)

func TestGoertzelScale(t *testing.T) {
	// A full-scale sine on an exact bin (1000 Hz, 800 samples: bin 100).
	p := Goertzel(Sine(1000, 0, 800), 1000)
	if want := 1.0 / 16; math.Abs(p-want)/want > 0.01 {
		t.Errorf("Goertzel(full-scale 1 kHz) = %.5f, want %.5f ±1%%", p, want)
	}
	if p := Goertzel(nil, 1000); p != 0 {
		t.Errorf("Goertzel(nil) = %v, want 0", p)
	}
}

func TestAnalyzePureTone(t *testing.T) {
	r := AnalyzeTone(Sine(1004, -10, 8000), 1004)
	// What remains beside the tone is the Hann window's sidelobe just past
	// the 4-bin guard, about 55 dB down.
	if r.MarginDB < 50 {
		t.Errorf("pure 1004 Hz: margin %.1f dB (other %.0f Hz), want > 50", r.MarginDB, r.OtherHz)
	}
	// -10 dBFS peak: amplitude² = 0.1, /16 in power: -10 - 12.04 dB.
	if want := -10 - 10*math.Log10(16); math.Abs(r.PowerDB-want) > 0.1 {
		t.Errorf("PowerDB = %.2f, want %.2f", r.PowerDB, want)
	}
}

func TestAnalyzeSecondTone(t *testing.T) {
	a, b := Sine(1004, -10, 8000), Sine(2000, -40, 8000)
	for i := range a {
		a[i] += b[i]
	}
	r := AnalyzeTone(a, 1004)
	if r.OtherHz != 2000 || math.Abs(r.MarginDB-30) > 0.2 {
		t.Errorf("1004 Hz -10 dBFS over 2000 Hz -40 dBFS: margin %.2f dB at %.0f Hz, want 30 dB at 2000 Hz", r.MarginDB, r.OtherHz)
	}
	if r := AnalyzeTone(a, 2000); math.Abs(r.MarginDB+30) > 0.2 || math.Abs(r.OtherHz-1004) > 1 {
		t.Errorf("looking for the weaker tone: margin %.2f at %.0f Hz, want -30 at 1004 Hz", r.MarginDB, r.OtherHz)
	}
}

func TestAnalyzeSilence(t *testing.T) {
	r := AnalyzeTone(make([]int16, 800), 1004)
	if r.MarginDB != 0 || r.PowerDB != -200 {
		t.Errorf("silence: margin %v power %v, want 0, -200", r.MarginDB, r.PowerDB)
	}
	if r := AnalyzeTone(nil, 1004); r.MarginDB != 0 {
		t.Errorf("no samples: margin %v, want 0", r.MarginDB)
	}
}

// TestAsteriskMilliwatt detects the tone in μ-law audio captured from
// Asterisk's Milliwatt application.
func TestAsteriskMilliwatt(t *testing.T) {
	ulaw, err := os.ReadFile("testdata/milliwatt.ulaw")
	if err != nil {
		t.Fatal(err)
	}
	if len(ulaw) != 125*audio.FrameSamples {
		t.Fatalf("milliwatt.ulaw has %d bytes, want %d", len(ulaw), 125*audio.FrameSamples)
	}
	pcm := make([]int16, len(ulaw))
	media.DecodeUlaw(pcm, ulaw)
	one := pcm[:8000] // one second: 1 Hz bins
	r := AnalyzeTone(one, 1004)
	if r.MarginDB < 30 {
		t.Errorf("Milliwatt: 1004 Hz margin %.1f dB over %.0f Hz, want ≥ 30", r.MarginDB, r.OtherHz)
	}
	if p1004, p1000 := Goertzel(one, 1004), Goertzel(one, 1000); p1004 < 10*p1000 {
		t.Errorf("Milliwatt: power at 1004 Hz %.3g not 10 dB above 1000 Hz %.3g", p1004, p1000)
	}
	// 0 dBm0 in μ-law peaks near 8031·4·10^(-3.17/20)·√2 ≈ 22 000.
	peak := slices.Max(one)
	if peak < 21000 || peak > 23500 {
		t.Errorf("Milliwatt peak %d, want about 22 000 (0 dBm0)", peak)
	}
	t.Logf("Milliwatt: %+v, peak %d", r, peak)
}

func TestPlaybackStrict(t *testing.T) {
	ctx := context.Background()
	p := &Playback{Samples: Sine(500, -6, 200)}
	var f audio.Frame
	if err := p.ReadFrame(ctx, &f); err != nil || f[0] != p.Samples[0] || f[159] != p.Samples[159] {
		t.Fatalf("first frame: %v", err)
	}
	if err := p.Close(); !errors.Is(err, ErrLeftover) || err.Error() != "audiotest: playback closed with frames left: 40 of 200 samples not read" {
		t.Errorf("Close with 40 samples left = %v", err)
	}
	if err := p.ReadFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("ReadFrame after Close = %v, want ErrClosed", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("second Close = %v, want nil", err)
	}

	p = &Playback{Samples: Sine(500, -6, 200)}
	p.ReadFrame(ctx, &f)
	if err := p.ReadFrame(ctx, &f); err != nil || f[39] != p.Samples[199] || f[40] != 0 || f[159] != 0 {
		t.Errorf("padded last frame: err %v, f[39]=%d f[40]=%d", err, f[39], f[40])
	}
	if err := p.ReadFrame(ctx, &f); err != io.EOF {
		t.Errorf("ReadFrame at end = %v, want io.EOF", err)
	}
	if err := p.Close(); err != nil {
		t.Errorf("Close after everything read = %v", err)
	}
	p = &Playback{Samples: make([]int16, 500), AllowLeftover: true}
	if err := p.Close(); err != nil {
		t.Errorf("Close with AllowLeftover = %v", err)
	}
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	p = &Playback{Samples: make([]int16, 160)}
	if err := p.ReadFrame(cctx, &f); !errors.Is(err, context.Canceled) {
		t.Errorf("ReadFrame with cancelled ctx = %v", err)
	}
}

func TestRecordAndToneSource(t *testing.T) {
	ctx := context.Background()
	src := &ToneSource{Freq: 1004, LevelDB: -10, Frames: 3}
	var rec Record
	var f audio.Frame
	for {
		err := src.ReadFrame(ctx, &f)
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if err := rec.WriteFrame(ctx, &f); err != nil {
			t.Fatal(err)
		}
	}
	if got, want := rec.Samples(), Sine(1004, -10, 480); !slices.Equal(got, want) {
		t.Errorf("recorded tone differs from Sine: %d samples", len(got))
	}
	rec.Close()
	src.Close()
	if err := rec.WriteFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("WriteFrame after Close = %v", err)
	}
	if err := src.ReadFrame(ctx, &f); !errors.Is(err, audio.ErrClosed) {
		t.Errorf("ReadFrame after Close = %v", err)
	}
}

// TestFFTMatchesGoertzel: the FFT bins agree with Goertzel at bin centres.
func TestFFTMatchesGoertzel(t *testing.T) {
	s := Sine(697, -6, 256)
	for i := range s {
		s[i] += int16(i%7*300 - 900)
	}
	x := make([]complex128, len(s))
	for i, v := range s {
		x[i] = complex(float64(v)/32768*hann(i, len(s)), 0)
	}
	fft(x)
	for _, k := range []int{0, 1, 22, 23, 64, 128} {
		f := float64(k) * audio.SampleRate / float64(len(s))
		p := (real(x[k])*real(x[k]) + imag(x[k])*imag(x[k])) / float64(len(s)*len(s))
		if g := Goertzel(s, f); math.Abs(p-g) > 1e-9*max(1, g) {
			t.Errorf("bin %d (%.1f Hz): FFT %.6g, Goertzel %.6g", k, f, p, g)
		}
	}
}
