package media

import (
	"errors"
	"math"
	"slices"
	"testing"
	"time"
)

func TestDTMFFrequencies(t *testing.T) {
	// Keypad layout and the two frequency groups, from ITU-T Q.23.
	want := map[rune][2]float64{
		'1': {697, 1209}, '2': {697, 1336}, '3': {697, 1477}, 'A': {697, 1633},
		'4': {770, 1209}, '5': {770, 1336}, '6': {770, 1477}, 'B': {770, 1633},
		'7': {852, 1209}, '8': {852, 1336}, '9': {852, 1477}, 'C': {852, 1633},
		'*': {941, 1209}, '0': {941, 1336}, '#': {941, 1477}, 'D': {941, 1633},
		'd': {941, 1633},
	}
	for key, f := range want {
		tone, err := DTMF(key, 100*time.Millisecond)
		if err != nil || !slices.Equal(tone.Freqs, f[:]) || tone.Duration != 100*time.Millisecond {
			t.Errorf("DTMF(%q) = %v, %v; want %v for 100ms", key, tone, err, f)
		}
	}
	for _, key := range []rune{'E', 'x', ' ', '½'} {
		if _, err := DTMF(key, time.Second); !errors.Is(err, ErrBadTone) {
			t.Errorf("DTMF(%q) error = %v, want ErrBadTone", key, err)
		}
	}
}

// render reads n frames, returning the samples and Read's answers.
func render(t *testing.T, tone Tone, n int) ([]int16, []bool) {
	t.Helper()
	g, err := NewToneGenerator(tone)
	if err != nil {
		t.Fatal(err)
	}
	var out []int16
	var oks []bool
	var f Frame
	for range n {
		oks = append(oks, g.Read(&f))
		out = append(out, f[:]...)
	}
	return out, oks
}

func TestToneSamples(t *testing.T) {
	tone := Tone{Freqs: []float64{697, 1209}, Level: -13}
	got, _ := render(t, tone, 10)
	amp := 32767 * math.Pow(10, -13.0/20)
	for n, v := range got {
		x := 2 * math.Pi * float64(n) / SampleRate
		want := amp * (math.Sin(697*x) + math.Sin(1209*x))
		if math.Abs(float64(v)-want) > 0.5+1e-6 {
			t.Fatalf("sample %d = %d, want %.2f", n, v, want)
		}
	}
}

func TestToneLevel(t *testing.T) {
	// One second of a continuous 425 Hz tone at -16 dBFS: RMS = peak/√2.
	got, _ := render(t, Tone{Freqs: []float64{425}, Level: -16}, 50)
	var sum float64
	for _, v := range got {
		sum += float64(v) * float64(v)
	}
	rms := math.Sqrt(sum / float64(len(got)))
	want := 32767 * math.Pow(10, -16.0/20) / math.Sqrt2
	if math.Abs(rms-want) > 0.5 {
		t.Errorf("RMS = %.2f, want %.2f", rms, want)
	}
}

// onFrames marks each frame that holds any non-zero sample.
func onFrames(s []int16) []bool {
	var on []bool
	for i := 0; i < len(s); i += FrameSamples {
		on = append(on, slices.ContainsFunc(s[i:i+FrameSamples], func(v int16) bool { return v != 0 }))
	}
	return on
}

func TestToneCadences(t *testing.T) {
	tests := []struct {
		name     string
		tone     Tone
		on, off  int // frames
		wantFreq []float64
	}{
		{"busy Europe", Busy(TonesEurope), 25, 25, []float64{425}},
		{"busy North America", Busy(TonesNorthAmerica), 25, 25, []float64{480, 620}},
		{"ringback Europe", Ringback(TonesEurope), 50, 200, []float64{425}},
		{"ringback North America", Ringback(TonesNorthAmerica), 100, 200, []float64{440, 480}},
	}
	for _, tt := range tests {
		if !slices.Equal(tt.tone.Freqs, tt.wantFreq) {
			t.Errorf("%s: Freqs %v, want %v", tt.name, tt.tone.Freqs, tt.wantFreq)
		}
		period := tt.on + tt.off
		s, oks := render(t, tt.tone, period+1) // one period and the restart
		for i, on := range onFrames(s) {
			if want := i%period < tt.on; on != want {
				t.Errorf("%s: frame %d on = %v, want %v", tt.name, i, on, want)
				break
			}
		}
		if slices.Contains(oks, false) {
			t.Errorf("%s: Read returned false for an endless tone", tt.name)
		}
	}
}

func TestToneDuration(t *testing.T) {
	tone, err := DTMF('5', 90*time.Millisecond) // 720 samples: 4.5 frames
	if err != nil {
		t.Fatal(err)
	}
	s, oks := render(t, tone, 7)
	if want := []bool{true, true, true, true, true, false, false}; !slices.Equal(oks, want) {
		t.Errorf("Read results %v, want %v", oks, want)
	}
	lastOn := -1
	for i, v := range s {
		if v != 0 {
			lastOn = i
		}
	}
	if lastOn < 700 || lastOn >= 720 {
		t.Errorf("last non-zero sample %d, want within [700, 720)", lastOn)
	}
	g, _ := NewToneGenerator(tone)
	var f Frame
	for g.Read(&f) {
	}
	if got := g.Elapsed(); got != 100*time.Millisecond {
		t.Errorf("Elapsed = %v, want 100ms (5 frames)", got)
	}
}

func TestToneErrors(t *testing.T) {
	for _, tone := range []Tone{
		{},
		{Freqs: []float64{1, 2, 3}, Level: -20},
		{Freqs: []float64{4000}, Level: -20},
		{Freqs: []float64{-5}, Level: -20},
		{Freqs: []float64{math.NaN()}, Level: -20},
		{Freqs: []float64{400, 500}, Level: 0},
		{Freqs: []float64{400}, Level: math.NaN()},
		{Freqs: []float64{400}, Level: -20, Cadence: []time.Duration{time.Second}},
		{Freqs: []float64{400}, Level: -20, Cadence: []time.Duration{-time.Second, time.Second}},
		{Freqs: []float64{400}, Level: -20, Cadence: []time.Duration{0, 0}},
		{Freqs: []float64{400}, Level: -20, Duration: -1},
	} {
		if _, err := NewToneGenerator(tone); !errors.Is(err, ErrBadTone) {
			t.Errorf("NewToneGenerator(%+v) error = %v, want ErrBadTone", tone, err)
		}
	}
}

func TestToneReadZeroAllocs(t *testing.T) {
	g, err := NewToneGenerator(Busy(TonesNorthAmerica))
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	if a := testing.AllocsPerRun(100, func() { g.Read(&f) }); a != 0 {
		t.Errorf("Read allocates %v times, want 0", a)
	}
}
