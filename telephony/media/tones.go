package media

import (
	"fmt"
	"math"
	"strings"
	"time"
)

// Tone describes a locally generated call-progress or keypad tone: one or
// two sine components of equal level, switched by a repeating on/off
// cadence, for a limited or unlimited time.
type Tone struct {
	// Freqs are the component frequencies in Hz (one or two, each below
	// 4000 Hz).
	Freqs []float64
	// Level is the level of each component in dB relative to full scale
	// (a sine peaking at ±32767 is 0 dBFS); it must be negative enough for
	// the sum not to clip.
	Level float64
	// Cadence lists on, off, on, off... durations, repeated; empty means
	// continuously on. Durations are rounded to whole samples.
	Cadence []time.Duration
	// Duration stops the tone after that long; 0 plays until the caller
	// stops asking.
	Duration time.Duration
}

// TonePlan selects the national call-progress tones.
type TonePlan int

const (
	// TonesEurope: 425 Hz (ITU-T E.180, CEPT countries).
	TonesEurope TonePlan = iota
	// TonesNorthAmerica: precise tone plan dual tones.
	TonesNorthAmerica
)

// The levels used by the presets: call-progress tones are quiet, keypad
// feedback a little louder.
const (
	progressLevel = -16.0 // dBFS per component
	keypadLevel   = -13.0
)

// Ringback is the tone the caller hears while the far end rings, played
// locally when the network sends no audio: Europe 425 Hz 1 s on 4 s off,
// North America 440+480 Hz 2 s on 4 s off.
func Ringback(p TonePlan) Tone {
	if p == TonesNorthAmerica {
		return Tone{Freqs: []float64{440, 480}, Level: progressLevel, Cadence: []time.Duration{2 * time.Second, 4 * time.Second}}
	}
	return Tone{Freqs: []float64{425}, Level: progressLevel, Cadence: []time.Duration{time.Second, 4 * time.Second}}
}

// Busy is the busy tone: Europe 425 Hz, North America 480+620 Hz, both
// 0.5 s on 0.5 s off.
func Busy(p TonePlan) Tone {
	half := 500 * time.Millisecond
	if p == TonesNorthAmerica {
		return Tone{Freqs: []float64{480, 620}, Level: progressLevel, Cadence: []time.Duration{half, half}}
	}
	return Tone{Freqs: []float64{425}, Level: progressLevel, Cadence: []time.Duration{half, half}}
}

var (
	dtmfKeys = [4]string{"123A", "456B", "789C", "*0#D"}
	dtmfRow  = [4]float64{697, 770, 852, 941}
	dtmfCol  = [4]float64{1209, 1336, 1477, 1633}
)

// DTMF is the keypad feedback tone for key (0-9, *, #, A-D; a-d accepted)
// lasting d: its row and column frequencies together.
func DTMF(key rune, d time.Duration) (Tone, error) {
	if key >= 'a' && key <= 'd' {
		key -= 'a' - 'A'
	}
	for r, row := range dtmfKeys {
		if c := strings.IndexRune(row, key); c >= 0 {
			return Tone{Freqs: []float64{dtmfRow[r], dtmfCol[c]}, Level: keypadLevel, Duration: d}, nil
		}
	}
	return Tone{}, fmt.Errorf("%w: %q is not a DTMF key (want 0-9, *, #, A-D)", ErrBadTone, key)
}

// ToneGenerator renders a Tone frame by frame. It is not safe for
// concurrent use; Read does not allocate.
type ToneGenerator struct {
	amp    float64
	freqs  [2]float64
	nfreq  int
	bounds []int64 // cumulative cadence edges in samples; last = period
	total  int64   // samples to play; 0 = unlimited
	n      int64   // samples produced
}

// NewToneGenerator validates t and returns a generator at its start.
func NewToneGenerator(t Tone) (*ToneGenerator, error) {
	if len(t.Freqs) == 0 || len(t.Freqs) > 2 {
		return nil, fmt.Errorf("%w: %d frequencies (want 1 or 2)", ErrBadTone, len(t.Freqs))
	}
	g := &ToneGenerator{nfreq: len(t.Freqs)}
	for i, f := range t.Freqs {
		if !(f > 0 && f < SampleRate/2) {
			return nil, fmt.Errorf("%w: frequency %v Hz (want 0 < f < %d)", ErrBadTone, f, SampleRate/2)
		}
		g.freqs[i] = f
	}
	g.amp = 32767 * math.Pow(10, t.Level/20)
	if math.IsNaN(g.amp) || g.amp*float64(len(t.Freqs)) > 32767 {
		return nil, fmt.Errorf("%w: level %v dBFS clips with %d components", ErrBadTone, t.Level, len(t.Freqs))
	}
	if len(t.Cadence)%2 != 0 {
		return nil, fmt.Errorf("%w: cadence has %d entries (want on/off pairs)", ErrBadTone, len(t.Cadence))
	}
	var edge int64
	for _, d := range t.Cadence {
		if d < 0 {
			return nil, fmt.Errorf("%w: negative cadence duration %v", ErrBadTone, d)
		}
		edge += samples(d)
		g.bounds = append(g.bounds, edge)
	}
	if len(g.bounds) > 0 && edge == 0 {
		return nil, fmt.Errorf("%w: cadence of zero length", ErrBadTone)
	}
	if t.Duration < 0 {
		return nil, fmt.Errorf("%w: negative duration %v", ErrBadTone, t.Duration)
	}
	g.total = samples(t.Duration)
	return g, nil
}

// samples converts d to a whole number of samples, rounding to nearest.
func samples(d time.Duration) int64 {
	return (int64(d)*SampleRate + int64(time.Second)/2) / int64(time.Second)
}

// on reports whether sample n falls in an "on" part of the cadence.
func (g *ToneGenerator) on(n int64) bool {
	if len(g.bounds) == 0 {
		return true
	}
	pos := n % g.bounds[len(g.bounds)-1]
	for i, b := range g.bounds {
		if pos < b {
			return i%2 == 0
		}
	}
	return false
}

// Read writes the next frame of the tone into dst. It returns false, with dst
// silent, once the tone's Duration has passed (a frame straddling the end is
// silent after it and still reported as true).
func (g *ToneGenerator) Read(dst *Frame) bool {
	if g.total > 0 && g.n >= g.total {
		*dst = Frame{}
		return false
	}
	for i := range dst {
		n := g.n + int64(i)
		if (g.total > 0 && n >= g.total) || !g.on(n) {
			dst[i] = 0
			continue
		}
		var v float64
		for _, f := range g.freqs[:g.nfreq] {
			// Phase from the sample count, reduced exactly for whole-Hz
			// frequencies, so long tones do not drift.
			v += math.Sin(2 * math.Pi * math.Mod(f*float64(n), SampleRate) / SampleRate)
		}
		dst[i] = int16(math.Round(g.amp * v))
	}
	g.n += FrameSamples
	return true
}

// Elapsed is how much of the tone has been read.
func (g *ToneGenerator) Elapsed() time.Duration {
	return time.Duration(g.n) * time.Second / SampleRate
}
