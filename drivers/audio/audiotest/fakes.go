package audiotest

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"

	"github.com/ringo-phone/ringo/drivers/audio"
)

// ErrLeftover is returned by Playback.Close when frames were not read.
var ErrLeftover = errors.New("audiotest: playback closed with frames left")

// Playback is a microphone that plays Samples, frame by frame, then returns
// io.EOF. Like periph's i2ctest.Playback it is strict: Close reports
// ErrLeftover if the test did not consume everything, unless AllowLeftover.
// The last frame is padded with silence. It never blocks.
type Playback struct {
	Samples       []int16
	AllowLeftover bool

	mu     sync.Mutex
	pos    int
	closed bool
}

var _ audio.Source = (*Playback)(nil)

// PaceByCaller does nothing: Playback never waits (audio.CallerPaced).
func (p *Playback) PaceByCaller() {}

// ReadFrame returns the next frame of Samples.
func (p *Playback) ReadFrame(ctx context.Context, f *audio.Frame) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return audio.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if p.pos >= len(p.Samples) {
		return io.EOF
	}
	n := copy(f[:], p.Samples[p.pos:])
	clear(f[n:])
	p.pos += n
	return nil
}

// Close ends playback; it reports ErrLeftover once if samples remain.
func (p *Playback) Close() error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	p.closed = true
	if left := len(p.Samples) - p.pos; left > 0 && !p.AllowLeftover {
		return fmt.Errorf("%w: %d of %d samples not read", ErrLeftover, left, len(p.Samples))
	}
	return nil
}

// Record is a speaker that keeps every frame written to it.
type Record struct {
	mu      sync.Mutex
	samples []int16
	closed  bool
}

var _ audio.Sink = (*Record)(nil)

// PaceByCaller does nothing: Record never waits (audio.CallerPaced).
func (r *Record) PaceByCaller() {}

// WriteFrame appends f.
func (r *Record) WriteFrame(ctx context.Context, f *audio.Frame) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		return audio.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	r.samples = append(r.samples, f[:]...)
	return nil
}

// Samples returns a copy of everything written so far.
func (r *Record) Samples() []int16 {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]int16(nil), r.samples...)
}

// Close ends recording; it is idempotent.
func (r *Record) Close() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.closed = true
	return nil
}

// ToneSource is a microphone playing a continuous sine (frames follow each
// other without phase jumps), for frames frames or, if 0, forever.
type ToneSource struct {
	Freq, LevelDB float64
	Frames        int

	mu     sync.Mutex
	n      int
	closed bool
}

var _ audio.Source = (*ToneSource)(nil)

// PaceByCaller does nothing: ToneSource never waits (audio.CallerPaced).
func (t *ToneSource) PaceByCaller() {}

// ReadFrame writes the next frame of the tone.
func (t *ToneSource) ReadFrame(ctx context.Context, f *audio.Frame) error {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.closed {
		return audio.ErrClosed
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	if t.Frames > 0 && t.n >= t.Frames {
		return io.EOF
	}
	s := sineAt(t.Freq, t.LevelDB, t.n*audio.FrameSamples, audio.FrameSamples)
	copy(f[:], s)
	t.n++
	return nil
}

// Close ends the tone; it is idempotent.
func (t *ToneSource) Close() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.closed = true
	return nil
}
