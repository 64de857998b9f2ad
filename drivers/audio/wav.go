package audio

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"sync"
)

// WAVSource reads a WAV file as a microphone.
type WAVSource struct {
	h      WAVHeader
	r      io.Reader
	closer io.Closer // the file, when the source opened it

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error

	mu     sync.Mutex // serialises ReadFrame
	pace   pacer
	left   int64 // data bytes still expected; -1: until EOF
	end    error // what the next ReadFrame returns once data ran out
	buf    [2 * FrameSamples]byte
	frames int64
}

// NewWAVSource reads and checks the header from r. With a clock, frames are
// paced as by a capture device; with nil, reads return at once.
func NewWAVSource(r io.Reader, clk Clock) (*WAVSource, error) {
	h, err := ReadWAVHeader(r)
	if err != nil {
		return nil, err
	}
	if err := h.Check(); err != nil {
		return nil, err
	}
	left := int64(h.DataSize)
	if h.DataSize == UnknownDataSize {
		left = -1
	}
	return &WAVSource{h: h, r: r, closed: make(chan struct{}), pace: pacer{clk: clk, lead: 1}, left: left}, nil
}

// OpenWAVSource opens the WAV file at path; see NewWAVSource.
func OpenWAVSource(path string, clk Clock) (*WAVSource, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("audio: open WAV source: %w", err)
	}
	s, err := NewWAVSource(bufio.NewReader(f), clk)
	if err != nil {
		f.Close()
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	s.closer = f
	return s, nil
}

// Header returns the file's header.
func (s *WAVSource) Header() WAVHeader { return s.h }

// ReadFrame returns the next frame of the file. The last frame is padded
// with silence; after it ReadFrame returns io.EOF, or an error wrapping
// ErrTruncated when the file ended before the size its header declares.
func (s *WAVSource) ReadFrame(ctx context.Context, f *Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.end != nil {
		select {
		case <-s.closed:
			return ErrClosed
		default:
			return s.end
		}
	}
	if err := s.pace.wait(ctx, s.closed); err != nil {
		return err
	}
	want := int64(len(s.buf))
	if s.left >= 0 {
		want = min(want, s.left)
	}
	n, err := io.ReadFull(s.r, s.buf[:want])
	if s.left >= 0 {
		s.left -= int64(n)
	}
	switch {
	case err == nil && s.left == 0:
		s.end = io.EOF
	case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
		s.end = io.EOF
		if s.left > 0 {
			s.end = fmt.Errorf("%w: header declares %d data bytes, file ends %d bytes short", ErrTruncated, s.h.DataSize, s.left)
		}
	case err != nil:
		s.end = fmt.Errorf("audio: read WAV: %w", err)
		return s.end
	}
	if n < 2 {
		return s.end
	}
	for i := range f {
		if 2*i+1 < n {
			f[i] = int16(binary.LittleEndian.Uint16(s.buf[2*i:]))
		} else {
			f[i] = 0
		}
	}
	s.frames++
	return nil
}

// PaceByCaller stops the source waiting for its clock (CallerPaced).
func (s *WAVSource) PaceByCaller() {
	s.mu.Lock()
	s.pace.clk = nil
	s.mu.Unlock()
}

// Close closes the file if the source opened it. It is idempotent.
func (s *WAVSource) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		if s.closer != nil {
			s.closeErr = s.closer.Close()
		}
	})
	return s.closeErr
}

// WAVSink writes frames to a WAV file as a speaker.
type WAVSink struct {
	w      io.WriteSeeker
	closer io.Closer

	closeOnce sync.Once
	closed    chan struct{}
	closeErr  error

	mu   sync.Mutex // serialises writes and the final header patch
	pace pacer
	size uint32 // data bytes written
	buf  [2 * FrameSamples]byte
	err  error // sticky write error
}

// maxWAVData keeps the RIFF size (36 + data) within 32 bits.
const maxWAVData = UnknownDataSize - 36

// NewWAVSink writes a header to w and returns a sink appending frames; Close
// patches the sizes in the header. With a clock, frame n is accepted at
// n·20 ms after the first write.
func NewWAVSink(w io.WriteSeeker, clk Clock) (*WAVSink, error) {
	hdr, _ := NewWAVHeader(0).Marshal()
	if _, err := w.Write(hdr); err != nil {
		return nil, fmt.Errorf("audio: write WAV header: %w", err)
	}
	return &WAVSink{w: w, closed: make(chan struct{}), pace: pacer{clk: clk}}, nil
}

// CreateWAVSink creates (or truncates) the file at path; see NewWAVSink.
func CreateWAVSink(path string, clk Clock) (*WAVSink, error) {
	f, err := os.Create(path)
	if err != nil {
		return nil, fmt.Errorf("audio: create WAV sink: %w", err)
	}
	s, err := NewWAVSink(f, clk)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// WriteFrame appends f to the file.
func (s *WAVSink) WriteFrame(ctx context.Context, f *Frame) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.err != nil {
		return s.err
	}
	if uint64(s.size)+uint64(len(s.buf)) > maxWAVData {
		return fmt.Errorf("%w: %d bytes of samples written", ErrTooLong, s.size)
	}
	if err := s.pace.wait(ctx, s.closed); err != nil {
		return err
	}
	for i, v := range f {
		binary.LittleEndian.PutUint16(s.buf[2*i:], uint16(v))
	}
	n, err := s.w.Write(s.buf[:])
	s.size += uint32(n)
	if err != nil {
		s.err = fmt.Errorf("audio: write WAV: %w", err)
		return s.err
	}
	return nil
}

// PaceByCaller stops the sink waiting for its clock (CallerPaced).
func (s *WAVSink) PaceByCaller() {
	s.mu.Lock()
	s.pace.clk = nil
	s.mu.Unlock()
}

// Frames returns how many whole frames were written.
func (s *WAVSink) Frames() int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return int64(s.size) / int64(len(s.buf))
}

// Close patches the header with the final sizes and closes the file if the
// sink created it. It is idempotent and returns the first error.
func (s *WAVSink) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.mu.Lock()
		defer s.mu.Unlock()
		var hdr [wavHeaderSize]byte
		NewWAVHeader(s.size).MarshalTo(hdr[:])
		var errs []error
		if _, err := s.w.Seek(0, io.SeekStart); err != nil {
			errs = append(errs, fmt.Errorf("audio: patch WAV header: %w", err))
		} else if _, err := s.w.Write(hdr[:]); err != nil {
			errs = append(errs, fmt.Errorf("audio: patch WAV header: %w", err))
		}
		if s.closer != nil {
			errs = append(errs, s.closer.Close())
		}
		s.closeErr = errors.Join(errs...)
		if s.err == nil {
			s.err = ErrClosed
		}
	})
	return s.closeErr
}
