package radio

import "errors"

var (
	// ErrPowerUp reports a modem whose STATUS did not say powered in
	// time; the message says what STATUS was and for how long.
	ErrPowerUp = errors.New("modem did not power up")
	// ErrPowerDown reports a modem whose STATUS did not say off in time;
	// VBAT was cut anyway.
	ErrPowerDown = errors.New("modem did not power down")
	// ErrState reports an operation the radio's state does not allow
	// (a reset while off).
	ErrState = errors.New("radio: not in a state for that")
	// ErrLine reports a line that could not be read or driven.
	ErrLine = errors.New("radio: line failed")
	// ErrNoLine reports an optional line the board does not have.
	ErrNoLine = errors.New("radio: the board has no such line")
	// ErrBadTiming reports a Timing with a missing or impossible length.
	ErrBadTiming = errors.New("radio: bad timing")
	// ErrBadLines reports a required line missing from Lines.
	ErrBadLines = errors.New("radio: missing line")
	// ErrClosed is returned by every operation, and by Err, after Close.
	ErrClosed = errors.New("radio: closed")
)
