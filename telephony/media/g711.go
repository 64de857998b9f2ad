package media

import "math/bits"

// G.711 (ITU-T, 1988) compresses each 16-bit sample to one byte on a
// segmented logarithmic scale: a sign bit, a 3-bit segment (chord) number
// and a 4-bit step within the segment, each segment twice as wide as the one
// below. μ-law (North America, Japan) works on 14-bit magnitudes and inverts
// every bit on the line; A-law (elsewhere) works on 13-bit magnitudes and
// inverts the even bits (XOR 0x55).
//
// The 16-bit input is reduced to the codec's resolution by an arithmetic
// right shift (2 bits for μ-law, 3 for A-law, whose first segment is then
// indexed at 4 bits), so a negative sample x is coded with the magnitude of
// ^x = -x-1, as the ITU-T reference software does. Encoding is a lookup in a
// table indexed by the shifted sample; decoding is a 256-entry lookup. The
// tables are computed once when the package is loaded.

var (
	ulawEncode [1 << 14]byte
	alawEncode [1 << 12]byte
	ulawDecode [256]int16
	alawDecode [256]int16
)

// Package-level tables are constant data, filled in before any use.
var _ = buildTables()

func buildTables() bool {
	for i := range ulawEncode {
		// i is the 14-bit two's complement sample as an unsigned index.
		ulawEncode[i] = ulawCompress(int16(uint16(i)<<2) >> 2)
	}
	for i := range alawEncode {
		alawEncode[i] = alawCompress(int16(uint16(i)<<4) >> 4)
	}
	for c := range 256 {
		ulawDecode[c] = ulawExpand(byte(c))
		alawDecode[c] = alawExpand(byte(c))
	}
	return true
}

// ulawCompress codes a 14-bit sample v (-8192..8191).
func ulawCompress(v int16) byte {
	var sign byte
	m := v
	if v < 0 {
		sign, m = 0x80, ^v
	}
	b := int(m) + 33 // bias: segment s then spans b in [32<<s, 64<<s)
	if b > 0x1FFF {
		b = 0x1FFF
	}
	seg := bits.Len(uint(b)) - 6
	step := (b >> (seg + 1)) & 0x0F
	return ^(sign | byte(seg<<4) | byte(step))
}

func ulawExpand(c byte) int16 {
	y := ^c
	seg, step := int(y>>4)&7, int(y&0x0F)
	mag := ((2*step + 33) << seg) - 33 // midpoint of the step, 14-bit scale
	if y&0x80 != 0 {
		return int16(-mag << 2)
	}
	return int16(mag << 2)
}

// alawCompress codes a 12-bit sample v (-2048..2047).
func alawCompress(v int16) byte {
	sign := byte(0x80) // A-law: bit 7 set means positive
	m := int(v)
	if v < 0 {
		sign, m = 0, int(^v)
	}
	var seg, step int
	if m < 16 {
		step = m
	} else {
		seg = bits.Len(uint(m)) - 4
		step = (m >> (seg - 1)) & 0x0F
	}
	return (sign | byte(seg<<4) | byte(step)) ^ 0x55
}

func alawExpand(c byte) int16 {
	y := c ^ 0x55
	seg, step := int(y>>4)&7, int(y&0x0F)
	mag := 2*step + 1 // midpoint, 13-bit scale
	if seg > 0 {
		mag = (2*step + 33) << (seg - 1)
	}
	if y&0x80 == 0 {
		return int16(-mag << 3)
	}
	return int16(mag << 3)
}

// LinearToUlaw encodes one sample as μ-law.
func LinearToUlaw(s int16) byte { return ulawEncode[uint16(s)>>2] }

// UlawToLinear decodes one μ-law byte.
func UlawToLinear(c byte) int16 { return ulawDecode[c] }

// LinearToAlaw encodes one sample as A-law.
func LinearToAlaw(s int16) byte { return alawEncode[uint16(s)>>4] }

// AlawToLinear decodes one A-law byte.
func AlawToLinear(c byte) int16 { return alawDecode[c] }

// EncodeUlaw encodes min(len(dst), len(src)) samples of src as μ-law into dst
// and returns that count. It does not allocate.
func EncodeUlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for len(src) >= 8 && len(dst) >= 8 { // unrolled: one bounds check per 8
		s, d := src[:8:8], dst[:8:8]
		d[0] = ulawEncode[uint16(s[0])>>2]
		d[1] = ulawEncode[uint16(s[1])>>2]
		d[2] = ulawEncode[uint16(s[2])>>2]
		d[3] = ulawEncode[uint16(s[3])>>2]
		d[4] = ulawEncode[uint16(s[4])>>2]
		d[5] = ulawEncode[uint16(s[5])>>2]
		d[6] = ulawEncode[uint16(s[6])>>2]
		d[7] = ulawEncode[uint16(s[7])>>2]
		src, dst = src[8:], dst[8:]
	}
	for i := range min(len(dst), len(src)) {
		dst[i] = ulawEncode[uint16(src[i])>>2]
	}
	return n
}

// DecodeUlaw decodes min(len(dst), len(src)) μ-law bytes of src into dst and
// returns that count. It does not allocate.
func DecodeUlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for len(src) >= 8 && len(dst) >= 8 {
		c, d := src[:8:8], dst[:8:8]
		d[0] = ulawDecode[c[0]]
		d[1] = ulawDecode[c[1]]
		d[2] = ulawDecode[c[2]]
		d[3] = ulawDecode[c[3]]
		d[4] = ulawDecode[c[4]]
		d[5] = ulawDecode[c[5]]
		d[6] = ulawDecode[c[6]]
		d[7] = ulawDecode[c[7]]
		src, dst = src[8:], dst[8:]
	}
	for i := range min(len(dst), len(src)) {
		dst[i] = ulawDecode[src[i]]
	}
	return n
}

// EncodeAlaw encodes min(len(dst), len(src)) samples of src as A-law into dst
// and returns that count. It does not allocate.
func EncodeAlaw(dst []byte, src []int16) int {
	n := min(len(dst), len(src))
	for len(src) >= 8 && len(dst) >= 8 { // unrolled: one bounds check per 8
		s, d := src[:8:8], dst[:8:8]
		d[0] = alawEncode[uint16(s[0])>>4]
		d[1] = alawEncode[uint16(s[1])>>4]
		d[2] = alawEncode[uint16(s[2])>>4]
		d[3] = alawEncode[uint16(s[3])>>4]
		d[4] = alawEncode[uint16(s[4])>>4]
		d[5] = alawEncode[uint16(s[5])>>4]
		d[6] = alawEncode[uint16(s[6])>>4]
		d[7] = alawEncode[uint16(s[7])>>4]
		src, dst = src[8:], dst[8:]
	}
	for i := range min(len(dst), len(src)) {
		dst[i] = alawEncode[uint16(src[i])>>4]
	}
	return n
}

// DecodeAlaw decodes min(len(dst), len(src)) A-law bytes of src into dst and
// returns that count. It does not allocate.
func DecodeAlaw(dst []int16, src []byte) int {
	n := min(len(dst), len(src))
	for len(src) >= 8 && len(dst) >= 8 {
		c, d := src[:8:8], dst[:8:8]
		d[0] = alawDecode[c[0]]
		d[1] = alawDecode[c[1]]
		d[2] = alawDecode[c[2]]
		d[3] = alawDecode[c[3]]
		d[4] = alawDecode[c[4]]
		d[5] = alawDecode[c[5]]
		d[6] = alawDecode[c[6]]
		d[7] = alawDecode[c[7]]
		src, dst = src[8:], dst[8:]
	}
	for i := range min(len(dst), len(src)) {
		dst[i] = alawDecode[src[i]]
	}
	return n
}
