package flightmode

import (
	"strconv"
	"time"
)

// Position is where the switch is.
type Position int

const (
	// Off: flight mode off, the radios may transmit.
	Off Position = iota
	// On: flight mode on.
	On
)

// String returns "off" or "on".
func (p Position) String() string {
	switch p {
	case Off:
		return "off"
	case On:
		return "on"
	}
	return "Position(" + strconv.Itoa(int(p)) + ")"
}

func position(active bool) Position {
	if active {
		return On
	}
	return Off
}

// Event is the switch settling in a new position.
type Event struct {
	Position Position
	// At is when the position settled: for the GPIO switch, the debounce
	// time after the last edge.
	At time.Time
}

// Switch is a flight-mode switch. Its methods are safe for concurrent
// use.
type Switch interface {
	// Position returns the last settled position (the one read at open
	// until the first event).
	Position() Position
	// Events delivers each change of position, in order; it is closed by
	// Close. A reader that falls behind by more than EventBuffer events
	// loses the oldest ones, never the newest.
	Events() <-chan Event
	// Done is closed when the switch stops: Close, or its line failing.
	Done() <-chan struct{}
	// Err says why it stopped: ErrClosed after Close, an error wrapping
	// ErrLine if the line failed; nil while it runs.
	Err() error
	// Close stops the switch and waits for its goroutines. It is
	// idempotent.
	Close() error
}

// EventBuffer is how many events a Switch keeps for a slow reader.
const EventBuffer = 16

// send queues e on ch, dropping the oldest event if the reader is
// EventBuffer behind. The caller is ch's only sender and holds the lock
// that guards closing it.
func send(ch chan Event, e Event) {
	for {
		select {
		case ch <- e:
			return
		default:
		}
		select {
		case <-ch:
		default:
		}
	}
}
