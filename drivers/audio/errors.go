package audio

import "errors"

var (
	// ErrClosed is returned by reads and writes on a closed endpoint.
	ErrClosed = errors.New("audio: endpoint closed")
	// ErrNotWAV reports input that is not a RIFF/WAVE file.
	ErrNotWAV = errors.New("audio: not a RIFF/WAVE file")
	// ErrBadWAV reports a malformed WAV file (missing or short chunks).
	ErrBadWAV = errors.New("audio: malformed WAV file")
	// ErrUnsupportedFormat reports a WAV file in a format other than
	// 8000 Hz mono 16-bit PCM.
	ErrUnsupportedFormat = errors.New("audio: unsupported WAV format")
	// ErrTruncated reports a WAV file whose sample data ends before the
	// size its header declares.
	ErrTruncated = errors.New("audio: WAV data truncated")
	// ErrTooLong reports a WAV sink reaching the 4 GiB RIFF limit.
	ErrTooLong = errors.New("audio: WAV file size limit reached")
	// ErrBadDevice reports a device name that cannot be parsed or whose
	// backend is not registered.
	ErrBadDevice = errors.New("audio: bad device")
)
