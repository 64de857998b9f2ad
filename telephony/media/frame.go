package media

import "time"

// The frame format shared by codecs, the jitter buffer and audio endpoints.
const (
	SampleRate    = 8000                  // samples per second
	FrameSamples  = 160                   // samples per frame
	FrameDuration = 20 * time.Millisecond // duration of one frame
)

// Frame is 20 ms of 8 kHz mono signed 16-bit PCM.
type Frame [FrameSamples]int16
