package hil

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
)

// speakerWAV follows the WAV file QEMU writes the guest's playback to
// (qemu.Config.SoundWAV: 8 kHz 16-bit stereo, its header's sizes still
// zero while QEMU runs) and notes when each part of it appeared on the
// host: QEMU writes in real time while the guest's stream is open, so the
// file's growth is the host-side clock of what the guest played.
type speakerWAV struct {
	path string
	poll time.Duration

	mu      sync.Mutex
	seen    []growth      // sizes in the order they were seen
	changed chan struct{} // closed and replaced when the file grows

	stop chan struct{}
	done chan struct{}
}

// growth is the file's size at a moment.
type growth struct {
	at   time.Time
	size int64
}

// wavHeader is what QEMU's wav audiodev writes before the samples: a
// RIFF header with one fmt chunk.
const wavHeader = 44

// followWAV starts following path; the test's end stops it.
func followWAV(t testing.TB, path string) *speakerWAV {
	w := &speakerWAV{path: path, poll: 10 * time.Millisecond, changed: make(chan struct{}),
		stop: make(chan struct{}), done: make(chan struct{})}
	go w.run()
	t.Cleanup(w.Close)
	return w
}

// run looks at the file's size every poll: QEMU, another process, says
// nothing when it writes.
func (w *speakerWAV) run() {
	defer close(w.done)
	tick := time.NewTicker(w.poll)
	defer tick.Stop()
	var last int64 = -1
	for {
		if fi, err := os.Stat(w.path); err == nil && fi.Size() != last {
			last = fi.Size()
			w.mu.Lock()
			w.seen = append(w.seen, growth{at: time.Now(), size: last})
			close(w.changed)
			w.changed = make(chan struct{})
			w.mu.Unlock()
		}
		select {
		case <-tick.C:
		case <-w.stop:
			return
		}
	}
}

// Close stops following; it is idempotent.
func (w *speakerWAV) Close() {
	select {
	case <-w.stop:
	default:
		close(w.stop)
	}
	<-w.done
}

// Samples returns the left channel of everything written so far (both
// channels carry the same mono call audio).
func (w *speakerWAV) Samples() ([]int16, error) {
	b, err := os.ReadFile(w.path)
	if err != nil {
		return nil, err
	}
	if len(b) < wavHeader {
		return nil, nil
	}
	if !bytes.Equal(b[:4], []byte("RIFF")) || !bytes.Equal(b[8:16], []byte("WAVEfmt ")) || !bytes.Equal(b[36:40], []byte("data")) {
		return nil, fmt.Errorf("%s: not the WAV file QEMU's wav audiodev writes (header % x)", w.path, b[:wavHeader])
	}
	if ch, bits := binary.LittleEndian.Uint16(b[22:]), binary.LittleEndian.Uint16(b[34:]); ch != 2 || bits != 16 {
		return nil, fmt.Errorf("%s: %d channels of %d bits, want 2 of 16 (qemu.Config.SoundWAV)", w.path, ch, bits)
	}
	b = b[wavHeader:]
	out := make([]int16, len(b)/4)
	for i := range out {
		out[i] = int16(binary.LittleEndian.Uint16(b[4*i:]))
	}
	return out, nil
}

// Len is the number of samples written so far.
func (w *speakerWAV) Len() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	if len(w.seen) == 0 {
		return 0
	}
	return int(max(w.seen[len(w.seen)-1].size-wavHeader, 0) / 4)
}

// WrittenAt is when sample i was first seen in the file (zero if not
// yet): within one poll after QEMU wrote it.
func (w *speakerWAV) WrittenAt(i int) time.Time {
	off := int64(wavHeader + 4*(i+1))
	w.mu.Lock()
	defer w.mu.Unlock()
	k := sort.Search(len(w.seen), func(k int) bool { return w.seen[k].size >= off })
	if k == len(w.seen) {
		return time.Time{}
	}
	return w.seen[k].at
}

// FirstSound is the first sample at or after from that is not silence
// (-1 if none yet).
func (w *speakerWAV) FirstSound(from int) int {
	s, err := w.Samples()
	if err != nil {
		return -1
	}
	for i := from; i < len(s); i++ {
		if s[i] > 64 || s[i] < -64 {
			return i
		}
	}
	return -1
}

// toneWindow is how much audio a tone check looks at: a quarter second
// (2000 samples; AnalyzeTone's guard band is then ±16 Hz).
const toneWindow = 2000

// toneMargin is how far the tone must stand above every other bin.
const toneMargin = 30.0

// toneAt is where a clean tone was found.
type toneAt struct {
	Start  int // first sample of the window
	Report audiotest.ToneReport
}

// WaitTone waits until a window of toneWindow samples starting at or
// after from holds freq toneMargin dB above every other bin, and returns
// the first such window. It looks at windows a tenth of a window apart.
// On ctx's end it says the best window it saw.
func (w *speakerWAV) WaitTone(ctx context.Context, from int, freq float64) (toneAt, error) {
	best := toneAt{Start: -1}
	next := from
	for {
		w.mu.Lock()
		changed := w.changed
		w.mu.Unlock()
		s, err := w.Samples()
		if err != nil {
			return best, err
		}
		for ; next+toneWindow <= len(s); next += toneWindow / 10 {
			r := audiotest.AnalyzeTone(s[next:next+toneWindow], freq)
			if best.Start < 0 || r.MarginDB > best.Report.MarginDB {
				best = toneAt{Start: next, Report: r}
			}
			if r.MarginDB >= toneMargin {
				return toneAt{Start: next, Report: r}, nil
			}
		}
		select {
		case <-changed:
		case <-ctx.Done():
			if best.Start < 0 {
				return best, fmt.Errorf("%w: no %.0f Hz tone: the speaker's WAV has %d samples, none after sample %d to look at", ctx.Err(), freq, len(s), from)
			}
			return best, fmt.Errorf("%w: no clean %.0f Hz tone in the speaker's WAV after sample %d (of %d): the best quarter second, at sample %d, stands %.1f dB over %0.f Hz (want %.0f dB)",
				ctx.Err(), freq, from, len(s), best.Start, best.Report.MarginDB, best.Report.OtherHz, toneMargin)
		}
	}
}

var errNoTone = errors.New("no tone")

// bestTone finds the window of samples where freq stands highest over the
// rest, looking at windows a tenth of a window apart.
func bestTone(s []int16, freq float64) (toneAt, error) {
	best := toneAt{Start: -1}
	for i := 0; i+toneWindow <= len(s); i += toneWindow / 10 {
		r := audiotest.AnalyzeTone(s[i:i+toneWindow], freq)
		if best.Start < 0 || r.MarginDB > best.Report.MarginDB {
			best = toneAt{Start: i, Report: r}
		}
	}
	if best.Start < 0 {
		return best, fmt.Errorf("%w: %d samples, fewer than a window of %d", errNoTone, len(s), toneWindow)
	}
	return best, nil
}
