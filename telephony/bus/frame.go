package bus

import (
	"encoding/binary"
	"fmt"
	"io"
	"slices"
)

// AppendFrame appends m as a frame (4-byte big-endian length, payload) to
// b. It fails with ErrTooLarge when the payload exceeds max.
func AppendFrame(b []byte, m *Message, max int) ([]byte, error) {
	n := m.MarshalSize()
	if n > max {
		return b, fmt.Errorf("%w: %s of %d bytes, at most %d", ErrTooLarge, m.Op, n, max)
	}
	start := len(b)
	b = binary.BigEndian.AppendUint32(b, uint32(n))
	b = slices.Grow(b, n)[:len(b)+n]
	if _, err := m.MarshalTo(b[start+4:]); err != nil {
		return b[:start], err
	}
	return b, nil
}

// ReadFrame reads one frame from r and returns its payload, reusing buf
// when it is large enough. It checks the length against max before
// reading the payload, so an oversized frame costs four bytes of reading.
func ReadFrame(r io.Reader, buf []byte, max int) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := binary.BigEndian.Uint32(hdr[:])
	if n == 0 {
		return nil, fmt.Errorf("%w: empty frame", ErrShortMessage)
	}
	if uint64(n) > uint64(max) {
		return nil, fmt.Errorf("%w: frame of %d bytes, at most %d", ErrTooLarge, n, max)
	}
	if cap(buf) < int(n) {
		buf = make([]byte, n)
	}
	buf = buf[:n]
	if _, err := io.ReadFull(r, buf); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return nil, err
	}
	return buf, nil
}
