package media

import "errors"

var (
	// ErrBadConfig reports an invalid JitterConfig.
	ErrBadConfig = errors.New("media: bad jitter buffer configuration")
	// ErrBadTone reports a tone that cannot be generated (an unknown DTMF
	// key, a frequency above the Nyquist limit, a bad cadence).
	ErrBadTone = errors.New("media: bad tone")
)
