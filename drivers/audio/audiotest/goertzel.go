package audiotest

import (
	"math"
	"math/cmplx"

	"github.com/ringo-phone/ringo/drivers/audio"
)

// Goertzel returns the power of frequency freq (Hz) in samples taken at
// audio.SampleRate, after a Hann window: the squared magnitude of that one
// DFT term, normalised so that a full-scale sine at an exact bin gives about
// 1/16 (the window's coherent gain squared times 1/4). freq need not fall on
// a bin.
func Goertzel(samples []int16, freq float64) float64 {
	n := len(samples)
	if n == 0 {
		return 0
	}
	w := 2 * math.Pi * freq / audio.SampleRate
	coeff := 2 * math.Cos(w)
	var s1, s2 float64
	for i, v := range samples {
		x := float64(v) / 32768 * hann(i, n)
		s0 := x + coeff*s1 - s2
		s2, s1 = s1, s0
	}
	p := s1*s1 + s2*s2 - coeff*s1*s2
	return p / (float64(n) * float64(n))
}

func hann(i, n int) float64 {
	if n == 1 {
		return 1
	}
	return 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/float64(n-1))
}

// ToneReport compares a tone with the rest of the spectrum.
type ToneReport struct {
	Freq     float64 // the tone looked for, Hz
	PowerDB  float64 // its power, dB (relative to the Goertzel scale)
	OtherHz  float64 // the strongest other bin
	OtherDB  float64 // its power, dB
	MarginDB float64 // PowerDB - OtherDB
}

// minPower keeps logarithms finite for digital silence (-200 dB).
const minPower = 1e-20

// AnalyzeTone measures freq (by Goertzel) against every other spectrum bin
// of samples farther than 4·SampleRate/len(samples) Hz from freq, where the
// Hann window's main lobe has died away. The other bins come from a
// zero-padded FFT (spacing SampleRate/2^k ≤ SampleRate/len(samples)) on
// the same scale as Goertzel. A pure tone measures a margin of about 55 dB
// (the window's sidelobe just past the guard); a tone through G.711 about 50.
func AnalyzeTone(samples []int16, freq float64) ToneReport {
	r := ToneReport{Freq: freq, OtherDB: 10 * math.Log10(minPower)}
	r.PowerDB = 10 * math.Log10(max(Goertzel(samples, freq), minPower))
	n := len(samples)
	if n == 0 {
		r.MarginDB = r.PowerDB - r.OtherDB
		return r
	}
	size := 1
	for size < n {
		size <<= 1
	}
	x := make([]complex128, size)
	for i, v := range samples {
		x[i] = complex(float64(v)/32768*hann(i, n), 0)
	}
	fft(x)
	guard := 4 * float64(audio.SampleRate) / float64(n)
	bin := float64(audio.SampleRate) / float64(size)
	norm := float64(n) * float64(n)
	for k := 0; k <= size/2; k++ {
		f := float64(k) * bin
		if math.Abs(f-freq) <= guard {
			continue
		}
		p := (real(x[k])*real(x[k]) + imag(x[k])*imag(x[k])) / norm
		if db := 10 * math.Log10(max(p, minPower)); db > r.OtherDB {
			r.OtherDB, r.OtherHz = db, f
		}
	}
	r.MarginDB = r.PowerDB - r.OtherDB
	return r
}

// fft transforms x in place; len(x) is a power of two.
func fft(x []complex128) {
	n := len(x)
	for i, j := 1, 0; i < n; i++ { // bit-reversal permutation
		bit := n >> 1
		for ; j&bit != 0; bit >>= 1 {
			j ^= bit
		}
		j |= bit
		if i < j {
			x[i], x[j] = x[j], x[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		step := cmplx.Exp(complex(0, -2*math.Pi/float64(size)))
		for start := 0; start < n; start += size {
			w := complex(1, 0)
			for k := range size / 2 {
				a, b := x[start+k], w*x[start+k+size/2]
				x[start+k], x[start+k+size/2] = a+b, a-b
				w *= step
			}
		}
	}
}

// Sine returns n samples of a sine at freq Hz with peak amplitude
// 32767·10^(levelDB/20), starting at phase 0.
func Sine(freq, levelDB float64, n int) []int16 { return sineAt(freq, levelDB, 0, n) }

// sineAt returns samples start..start+n-1 of the sine.
func sineAt(freq, levelDB float64, start, n int) []int16 {
	amp := 32767 * math.Pow(10, levelDB/20)
	out := make([]int16, n)
	for i := range out {
		ph := 2 * math.Pi * math.Mod(freq*float64(start+i), audio.SampleRate) / audio.SampleRate
		out[i] = int16(math.Round(amp * math.Sin(ph)))
	}
	return out
}
