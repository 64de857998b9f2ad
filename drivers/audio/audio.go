package audio

import (
	"context"
	"time"

	"github.com/ringo-phone/ringo/telephony/media"
)

// Frame is 20 ms of 8 kHz mono signed 16-bit PCM.
type Frame = media.Frame

// The PCM format of every endpoint.
const (
	SampleRate    = media.SampleRate
	FrameSamples  = media.FrameSamples
	FrameDuration = media.FrameDuration
	BitsPerSample = 16
	Channels      = 1
)

// Source is a microphone: it captures frames.
type Source interface {
	// ReadFrame fills f with the next frame. It blocks until the frame is
	// available and returns ctx.Err() if ctx ends first, ErrClosed after
	// Close, and io.EOF at the end of a finite source. A failed or
	// cancelled read consumes nothing.
	ReadFrame(ctx context.Context, f *Frame) error
	// Close releases the device and unblocks a pending ReadFrame. It is
	// idempotent.
	Close() error
}

// Sink is a speaker: it plays frames.
type Sink interface {
	// WriteFrame queues f for playback. It blocks while the device is
	// full and returns ctx.Err() if ctx ends first and ErrClosed after
	// Close; a failed or cancelled write plays nothing.
	WriteFrame(ctx context.Context, f *Frame) error
	// Close flushes and releases the device and unblocks a pending
	// WriteFrame. It is idempotent.
	Close() error
}

// CallerPaced is implemented by endpoints with no rhythm of their own —
// the null device, WAV files, the test fakes — which a caller may serve
// from its own 20 ms tick instead of waiting on their clocks. After
// PaceByCaller their ReadFrame and WriteFrame no longer wait for a clock
// (they return at once) and the caller calls them once per frame period:
// a call's audio then costs one timer for microphone, speaker and network
// together rather than one per endpoint and frame. Hardware (pulse) does
// not implement it: the sound card's rhythm is the one to follow.
type CallerPaced interface {
	PaceByCaller()
}

// StreamStats counts what happened to one device stream, for backends
// that keep counters (pulse does: its Sink and Source have a Stats method
// returning them).
type StreamStats struct {
	// Frames went to (sink) or came from (source) the device.
	Frames uint64
	// Silent frames were discarded (sink) or made up (source) while the
	// device was away.
	Silent uint64
	// Underflows (sink): the device ran out of audio to play.
	// Overflows (source): recorded audio was dropped because nobody read it.
	Underflows, Overflows uint64
	// Losses counts broken connections to the device, Reconnects
	// successful returns.
	Losses, Reconnects uint64
	// Connected says whether the stream is up now.
	Connected bool
	// Latency is the delay the device adds as granted: for a sink the
	// audio queued ahead of the speaker on average (buffer and sink
	// latency), for a source the record fragment.
	Latency time.Duration
}
