package media

import (
	"encoding/binary"
	"fmt"
	"math"
	"runtime"
	"testing"

	"github.com/zaf/g711"
)

// The reference below is built the way ITU-T G.711 presents the laws: as
// tables of decision values (interval edges) and the reconstruction value
// (midpoint) of each interval, segment by segment. It shares no code with
// the bit manipulation in g711.go.

// interval is one quantisation step on a magnitude scale.
type interval struct{ lo, hi int } // [lo, hi)

// ulawIntervals: 14-bit magnitudes. The first step is [0,1) → 0, then 15
// steps of 2 up to 31; segment k (1..7) has 16 steps of 2^(k+1).
func ulawIntervals() []interval {
	iv := []interval{{0, 1}}
	edge := 1
	for range 15 {
		iv = append(iv, interval{edge, edge + 2})
		edge += 2
	}
	for k := 1; k <= 7; k++ {
		for range 16 {
			w := 1 << (k + 1)
			iv = append(iv, interval{edge, edge + w})
			edge += w
		}
	}
	return iv // last edge: 8159, the μ-law overload point
}

// alawIntervals: 12-bit magnitudes (half the 13-bit scale of G.711, whose
// first two segments have steps of 2). Segments 0 and 1 have 16 steps of 1,
// segment k (2..7) 16 steps of 2^(k-1).
func alawIntervals() []interval {
	var iv []interval
	edge := 0
	for k := 0; k <= 7; k++ {
		w := 1
		if k >= 2 {
			w = 1 << (k - 1)
		}
		for range 16 {
			iv = append(iv, interval{edge, edge + w})
			edge += w
		}
	}
	return iv // last edge: 2048
}

// refMagnitude maps a 16-bit sample to sign and magnitude on a scale with
// shift bits dropped; negative samples use -x-1 (one's complement), as the
// ITU-T reference software does.
func refMagnitude(x int16, shift int) (neg bool, m int) {
	if x < 0 {
		return true, (-(int(x) + 1)) / (1 << shift)
	}
	return false, int(x) / (1 << shift)
}

// refIndex finds the interval holding m, overload clipping to the top one.
func refIndex(iv []interval, m int) int {
	for i, v := range iv {
		if m >= v.lo && m < v.hi {
			return i
		}
	}
	return len(iv) - 1
}

// The reference tables, built once.
var refUlaw, refAlaw = ulawIntervals(), alawIntervals()

func refUlawEncode(x int16) byte {
	neg, m := refMagnitude(x, 2)
	code := byte(refIndex(refUlaw, m)) // segment<<4 | step
	if neg {
		code |= 0x80
	}
	return ^code // every bit inverted on the line
}

func refUlawDecode(c byte) int16 {
	y := ^c
	v := refUlaw[y&0x7F]
	mid := (v.lo + v.hi) / 2
	if y&0x7F == 0 {
		mid = 0
	}
	if y&0x80 != 0 {
		return int16(-4 * mid)
	}
	return int16(4 * mid)
}

func refAlawEncode(x int16) byte {
	neg, m := refMagnitude(x, 4)
	code := byte(refIndex(refAlaw, m))
	if !neg {
		code |= 0x80
	}
	return code ^ 0x55 // even bits inverted on the line
}

func refAlawDecode(c byte) int16 {
	y := c ^ 0x55
	v := refAlaw[y&0x7F]
	mid13 := v.lo + v.hi // midpoint on the 13-bit scale
	if y&0x80 == 0 {
		return int16(-8 * mid13)
	}
	return int16(8 * mid13)
}

func TestReferenceTables(t *testing.T) {
	u, a := ulawIntervals(), alawIntervals()
	if len(u) != 128 || u[127].hi != 8159 || len(a) != 128 || a[127].hi != 2048 {
		t.Fatalf("reference tables: μ-law %d steps to %d, A-law %d steps to %d; want 128 to 8159, 128 to 2048",
			len(u), u[127].hi, len(a), a[127].hi)
	}
}

func TestG711KnownCodePoints(t *testing.T) {
	tests := []struct {
		name string
		got  int16
		want int16
	}{
		{"UlawToLinear(0xFF)", UlawToLinear(0xFF), 0},
		{"UlawToLinear(0x7F)", UlawToLinear(0x7F), 0},
		{"UlawToLinear(0x00)", UlawToLinear(0x00), -32124},
		{"UlawToLinear(0x80)", UlawToLinear(0x80), 32124},
		{"AlawToLinear(0xD5)", AlawToLinear(0xD5), 8},
		{"AlawToLinear(0x55)", AlawToLinear(0x55), -8},
		{"AlawToLinear(0xAA)", AlawToLinear(0xAA), 32256},
		{"AlawToLinear(0x2A)", AlawToLinear(0x2A), -32256},
	}
	for _, tt := range tests {
		if tt.got != tt.want {
			t.Errorf("%s = %d, want %d", tt.name, tt.got, tt.want)
		}
	}
	codes := []struct {
		name      string
		got, want byte
	}{
		{"LinearToUlaw(0)", LinearToUlaw(0), 0xFF},
		{"LinearToUlaw(-32124)", LinearToUlaw(-32124), 0x00},
		{"LinearToUlaw(32767)", LinearToUlaw(32767), 0x80},
		{"LinearToUlaw(-32768)", LinearToUlaw(-32768), 0x00},
		{"LinearToAlaw(8)", LinearToAlaw(8), 0xD5},
		{"LinearToAlaw(-8)", LinearToAlaw(-8), 0x55},
		{"LinearToAlaw(32767)", LinearToAlaw(32767), 0xAA},
		{"LinearToAlaw(-32768)", LinearToAlaw(-32768), 0x2A},
	}
	for _, tt := range codes {
		if tt.got != tt.want {
			t.Errorf("%s = %#02x, want %#02x", tt.name, tt.got, tt.want)
		}
	}
}

// TestG711AgainstStandard checks every 16-bit input and every code against
// the decision/reconstruction tables.
func TestG711AgainstStandard(t *testing.T) {
	for c := range 256 {
		if got, want := UlawToLinear(byte(c)), refUlawDecode(byte(c)); got != want {
			t.Errorf("UlawToLinear(%#02x) = %d, want %d", c, got, want)
		}
		if got, want := AlawToLinear(byte(c)), refAlawDecode(byte(c)); got != want {
			t.Errorf("AlawToLinear(%#02x) = %d, want %d", c, got, want)
		}
	}
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		s := int16(x)
		if got, want := LinearToUlaw(s), refUlawEncode(s); got != want {
			t.Fatalf("LinearToUlaw(%d) = %#02x, want %#02x", s, got, want)
		}
		if got, want := LinearToAlaw(s), refAlawEncode(s); got != want {
			t.Fatalf("LinearToAlaw(%d) = %#02x, want %#02x", s, got, want)
		}
	}
}

// TestG711RoundTrip: decoding a code and encoding the result gives the code
// back (except μ-law's negative zero 0x7F, which encodes as 0xFF).
func TestG711RoundTrip(t *testing.T) {
	for c := range 256 {
		want := byte(c)
		if want == 0x7F {
			want = 0xFF
		}
		if got := LinearToUlaw(UlawToLinear(byte(c))); got != want {
			t.Errorf("LinearToUlaw(UlawToLinear(%#02x)) = %#02x, want %#02x", c, got, want)
		}
		if got := LinearToAlaw(AlawToLinear(byte(c))); got != byte(c) {
			t.Errorf("LinearToAlaw(AlawToLinear(%#02x)) = %#02x", c, got)
		}
	}
}

// TestG711MatchesZaf is a regression check against github.com/zaf/g711 for
// every input.
func TestG711MatchesZaf(t *testing.T) {
	for x := math.MinInt16; x <= math.MaxInt16; x++ {
		s := int16(x)
		if got, want := LinearToUlaw(s), g711.EncodeUlawFrame(s); got != want {
			t.Fatalf("LinearToUlaw(%d) = %#02x, zaf %#02x", s, got, want)
		}
		if got, want := LinearToAlaw(s), g711.EncodeAlawFrame(s); got != want {
			t.Fatalf("LinearToAlaw(%d) = %#02x, zaf %#02x", s, got, want)
		}
	}
	for c := range 256 {
		if got, want := UlawToLinear(byte(c)), g711.DecodeUlawFrame(byte(c)); got != want {
			t.Errorf("UlawToLinear(%#02x) = %d, zaf %d", c, got, want)
		}
		if got, want := AlawToLinear(byte(c)), g711.DecodeAlawFrame(byte(c)); got != want {
			t.Errorf("AlawToLinear(%#02x) = %d, zaf %d", c, got, want)
		}
	}
}

func TestG711SliceAPI(t *testing.T) {
	var pcm Frame
	for i := range pcm {
		pcm[i] = int16(i*409 - 32768)
	}
	var enc [FrameSamples]byte
	var dec Frame
	for _, law := range []struct {
		name   string
		encode func([]byte, []int16) int
		decode func([]int16, []byte) int
		one    func(int16) byte
		back   func(byte) int16
	}{
		{"ulaw", EncodeUlaw, DecodeUlaw, LinearToUlaw, UlawToLinear},
		{"alaw", EncodeAlaw, DecodeAlaw, LinearToAlaw, AlawToLinear},
	} {
		if n := law.encode(enc[:], pcm[:]); n != FrameSamples {
			t.Errorf("%s encode = %d, want %d", law.name, n, FrameSamples)
		}
		if n := law.decode(dec[:], enc[:]); n != FrameSamples {
			t.Errorf("%s decode = %d, want %d", law.name, n, FrameSamples)
		}
		for i := range pcm {
			if enc[i] != law.one(pcm[i]) || dec[i] != law.back(enc[i]) {
				t.Fatalf("%s sample %d: slice %#02x/%d, single %#02x/%d", law.name, i, enc[i], dec[i], law.one(pcm[i]), law.back(enc[i]))
			}
		}
		if n := law.encode(enc[:10], pcm[:]); n != 10 {
			t.Errorf("%s encode into 10 bytes = %d, want 10", law.name, n)
		}
		if n := law.decode(dec[:], enc[:7]); n != 7 {
			t.Errorf("%s decode of 7 bytes = %d, want 7", law.name, n)
		}
	}
	allocs := testing.AllocsPerRun(100, func() {
		EncodeUlaw(enc[:], pcm[:])
		DecodeUlaw(dec[:], enc[:])
		EncodeAlaw(enc[:], pcm[:])
		DecodeAlaw(dec[:], enc[:])
	})
	if allocs != 0 {
		t.Errorf("G.711 frame encode+decode allocates %v times, want 0", allocs)
	}
}

// benchFrame is a 1 kHz sine at -6 dBFS, a speech-like spread of codes.
func benchFrame() Frame {
	var f Frame
	for i := range f {
		f[i] = int16(16384 * math.Sin(2*math.Pi*1000*float64(i)/SampleRate))
	}
	return f
}

func BenchmarkG711Frame(b *testing.B) {
	pcm := benchFrame()
	var le [2 * FrameSamples]byte
	for i, s := range pcm {
		binary.LittleEndian.PutUint16(le[2*i:], uint16(s))
	}
	var enc [FrameSamples]byte
	var dec Frame
	for _, law := range []struct {
		name   string
		encode func([]byte, []int16) int
		decode func([]int16, []byte) int
		zenc   func([]byte) []byte
		zdec   func([]byte) []byte
	}{
		{"ulaw", EncodeUlaw, DecodeUlaw, g711.EncodeUlaw, g711.DecodeUlaw},
		{"alaw", EncodeAlaw, DecodeAlaw, g711.EncodeAlaw, g711.DecodeAlaw},
	} {
		b.Run(fmt.Sprintf("%s/ringo", law.name), func(b *testing.B) {
			runtime.GC() // no collection of the other runs' garbage during this one
			b.ReportAllocs()
			for b.Loop() {
				law.encode(enc[:], pcm[:])
				law.decode(dec[:], enc[:])
			}
		})
		b.Run(fmt.Sprintf("%s/zaf", law.name), func(b *testing.B) {
			runtime.GC()
			b.ReportAllocs()
			for b.Loop() {
				law.zdec(law.zenc(le[:]))
			}
		})
	}
}
