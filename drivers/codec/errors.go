package codec

import "errors"

var (
	// ErrBadRoute reports a Route value that names no route.
	ErrBadRoute = errors.New("codec: no such route")
	// ErrBadVolume reports a volume outside 0–100.
	ErrBadVolume = errors.New("codec: volume out of range")
	// ErrBadAddress reports an I2C address outside the 7-bit range.
	ErrBadAddress = errors.New("codec: I2C address out of the 7-bit range")
	// ErrNoBus reports a nil bus given to a constructor.
	ErrNoBus = errors.New("codec: no I2C bus")
	// ErrNoAnswer reports a codec that does not answer on its bus.
	ErrNoAnswer = errors.New("codec: no answer")
)
