package audio

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
)

// WAV format codes.
const (
	FormatPCM        = 1
	FormatExtensible = 0xFFFE
)

// UnknownDataSize is the data size streaming writers put in a header they
// cannot go back and patch: the samples run to the end of the file.
const UnknownDataSize = 0xFFFFFFFF

// WAVHeader is what Ringo needs from a RIFF/WAVE header. The canonical form
// that Marshal writes is 44 bytes, little-endian:
//
//	 0  "RIFF"  4  RIFF size = 36 + DataSize
//	 8  "WAVE"
//	12  "fmt "  16  fmt size = 16
//	20  format (1 = PCM)  22  channels
//	24  sample rate       28  byte rate = rate·channels·bits/8
//	32  block align = channels·bits/8   34  bits per sample
//	36  "data"  40  DataSize, then the samples
//
// Unmarshal also reads files with other chunks (LIST, fact, ...) before the
// data, and WAVE_FORMAT_EXTENSIBLE fmt chunks, whose sub-format code it
// stores in SubFormat.
type WAVHeader struct {
	Format        uint16 // FormatPCM or FormatExtensible
	SubFormat     uint16 // the format code inside an extensible fmt chunk
	Channels      uint16
	SampleRate    uint32
	ByteRate      uint32
	BlockAlign    uint16
	BitsPerSample uint16
	// DataSize is the byte length of the sample data, or UnknownDataSize.
	DataSize uint32
}

// NewWAVHeader returns the header of an 8 kHz mono 16-bit PCM file holding
// dataSize bytes of samples.
func NewWAVHeader(dataSize uint32) WAVHeader {
	return WAVHeader{
		Format: FormatPCM, Channels: Channels, SampleRate: SampleRate,
		ByteRate: SampleRate * 2, BlockAlign: 2, BitsPerSample: BitsPerSample,
		DataSize: dataSize,
	}
}

// wavHeaderSize is the size of the canonical header.
const wavHeaderSize = 44

// MarshalSize returns 44.
func (h WAVHeader) MarshalSize() int { return wavHeaderSize }

// MarshalTo writes the canonical 44-byte header (always a 16-byte PCM fmt
// chunk with h's fields; SubFormat is not written) into b. It returns
// io.ErrShortBuffer if b is too small.
func (h WAVHeader) MarshalTo(b []byte) (int, error) {
	if len(b) < wavHeaderSize {
		return 0, io.ErrShortBuffer
	}
	le := binary.LittleEndian
	riff := uint32(UnknownDataSize)
	if h.DataSize <= UnknownDataSize-36 {
		riff = 36 + h.DataSize
	}
	copy(b[0:], "RIFF")
	le.PutUint32(b[4:], riff)
	copy(b[8:], "WAVEfmt ")
	le.PutUint32(b[16:], 16)
	le.PutUint16(b[20:], h.Format)
	le.PutUint16(b[22:], h.Channels)
	le.PutUint32(b[24:], h.SampleRate)
	le.PutUint32(b[28:], h.ByteRate)
	le.PutUint16(b[32:], h.BlockAlign)
	le.PutUint16(b[34:], h.BitsPerSample)
	copy(b[36:], "data")
	le.PutUint32(b[40:], h.DataSize)
	return wavHeaderSize, nil
}

// Marshal returns the canonical header.
func (h WAVHeader) Marshal() ([]byte, error) {
	b := make([]byte, wavHeaderSize)
	_, err := h.MarshalTo(b)
	return b, err
}

// Unmarshal parses a header at the start of b, up to and including the data
// chunk's header, and returns how many bytes it used: the offset of the
// first sample. It keeps no reference to b.
func (h *WAVHeader) Unmarshal(b []byte) (int, error) {
	r := bytes.NewReader(b)
	hdr, err := ReadWAVHeader(r)
	if err != nil {
		return 0, err
	}
	*h = hdr
	return len(b) - r.Len(), nil
}

// maxFmtChunk bounds the fmt chunk; real ones are 16, 18 or 40 bytes.
const maxFmtChunk = 1024

// ReadWAVHeader reads a RIFF/WAVE header from r, leaving r at the first
// sample. Chunks other than "fmt " and "data" are skipped. It checks the
// file's structure, not its format: see WAVHeader.Check.
func ReadWAVHeader(r io.Reader) (WAVHeader, error) {
	var h WAVHeader
	var riff [12]byte
	if _, err := io.ReadFull(r, riff[:]); err != nil {
		return h, fmt.Errorf("%w: too short for a RIFF header: %w", ErrNotWAV, err)
	}
	if string(riff[0:4]) != "RIFF" || string(riff[8:12]) != "WAVE" {
		return h, fmt.Errorf("%w: starts with %q...%q (want \"RIFF\"...\"WAVE\")", ErrNotWAV, riff[0:4], riff[8:12])
	}
	haveFmt := false
	for {
		var ch [8]byte
		if _, err := io.ReadFull(r, ch[:]); err != nil {
			if !haveFmt {
				return h, fmt.Errorf("%w: no \"fmt \" chunk", ErrBadWAV)
			}
			return h, fmt.Errorf("%w: no \"data\" chunk", ErrBadWAV)
		}
		id, size := string(ch[0:4]), binary.LittleEndian.Uint32(ch[4:])
		switch id {
		case "fmt ":
			if size < 16 || size > maxFmtChunk {
				return h, fmt.Errorf("%w: \"fmt \" chunk of %d bytes (want 16 to %d)", ErrBadWAV, size, maxFmtChunk)
			}
			b := make([]byte, size+size%2)
			if _, err := io.ReadFull(r, b); err != nil {
				return h, fmt.Errorf("%w: \"fmt \" chunk cut short", ErrBadWAV)
			}
			if err := h.parseFmt(b[:size]); err != nil {
				return h, err
			}
			haveFmt = true
		case "data":
			if !haveFmt {
				return h, fmt.Errorf("%w: \"data\" chunk before \"fmt \"", ErrBadWAV)
			}
			h.DataSize = size
			return h, nil
		default:
			skip := int64(size) + int64(size%2)
			if n, err := io.CopyN(io.Discard, r, skip); err != nil {
				return h, fmt.Errorf("%w: %q chunk declares %d bytes, only %d follow", ErrBadWAV, id, size, n)
			}
		}
	}
}

func (h *WAVHeader) parseFmt(b []byte) error {
	le := binary.LittleEndian
	h.Format = le.Uint16(b[0:])
	h.Channels = le.Uint16(b[2:])
	h.SampleRate = le.Uint32(b[4:])
	h.ByteRate = le.Uint32(b[8:])
	h.BlockAlign = le.Uint16(b[12:])
	h.BitsPerSample = le.Uint16(b[14:])
	h.SubFormat = 0
	if h.Format == FormatExtensible {
		// cbSize(2) validBits(2) channelMask(4) subFormat GUID(16)
		if len(b) < 40 {
			return fmt.Errorf("%w: extensible \"fmt \" chunk of %d bytes (want 40)", ErrBadWAV, len(b))
		}
		h.SubFormat = le.Uint16(b[24:])
	}
	return nil
}

// Check reports whether the header describes 8000 Hz mono 16-bit PCM with
// consistent block align and byte rate, and a data size that is a whole
// number of samples. Errors wrap ErrUnsupportedFormat or ErrBadWAV and say
// what the file holds.
func (h WAVHeader) Check() error {
	pcm := h.Format == FormatPCM || (h.Format == FormatExtensible && h.SubFormat == FormatPCM)
	if !pcm || h.Channels != Channels || h.SampleRate != SampleRate || h.BitsPerSample != BitsPerSample {
		return fmt.Errorf("%w: %s (want 8000 Hz mono 16-bit PCM; Ringo does not resample)", ErrUnsupportedFormat, h.describe())
	}
	if h.BlockAlign != 2 || h.ByteRate != 2*SampleRate {
		return fmt.Errorf("%w: block align %d, byte rate %d (want 2, 16000)", ErrBadWAV, h.BlockAlign, h.ByteRate)
	}
	if h.DataSize%2 != 0 && h.DataSize != UnknownDataSize {
		return fmt.Errorf("%w: data size %d is not a whole number of 2-byte samples", ErrBadWAV, h.DataSize)
	}
	return nil
}

func (h WAVHeader) describe() string {
	format := fmt.Sprintf("format %#04x", h.Format)
	switch {
	case h.Format == FormatPCM, h.Format == FormatExtensible && h.SubFormat == FormatPCM:
		format = "PCM"
	case h.Format == 3, h.Format == FormatExtensible && h.SubFormat == 3:
		format = "float"
	case h.Format == 6:
		format = "A-law"
	case h.Format == 7:
		format = "μ-law"
	}
	ch := fmt.Sprintf("%d channels", h.Channels)
	switch h.Channels {
	case 1:
		ch = "mono"
	case 2:
		ch = "stereo"
	}
	return fmt.Sprintf("%d Hz %s %d-bit %s", h.SampleRate, ch, h.BitsPerSample, format)
}
