package callaudio

import "errors"

var (
	// ErrFormat reports voice in a format the pipeline cannot code (only
	// G.711 μ-law and A-law are supported).
	ErrFormat = errors.New("callaudio: unsupported voice format")
	// ErrDevice reports an audio endpoint that could not be opened or
	// failed during the call.
	ErrDevice = errors.New("callaudio: audio device")
)
