package audio

import (
	"context"

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
