package keypad

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"
)

// Kind is what an Event says.
type Kind int

// The kinds of Event.
const (
	// Digit: a digit, * or # key, or '+' from a long press of 0; the
	// character is in Event.Digit.
	Digit Kind = iota + 1
	// Send: the call (send) key.
	Send
	// End: the end (hang-up) key, released before the long-press time.
	End
	// VolumeUp and VolumeDown: the volume keys.
	VolumeUp
	VolumeDown
	// Power: the end key held for the long-press time.
	Power
	// Connected: the input device is open; Event.Device is its path.
	Connected
	// Disconnected: the input device went away; Event.Err says why. The
	// keypad is looking for it again.
	Disconnected
)

var kindNames = [...]string{"", "digit", "send", "end", "volume-up", "volume-down", "power", "connected", "disconnected"}

func (k Kind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Event is one thing the keypad reports.
type Event struct {
	Kind   Kind
	Digit  rune      // Digit: '0'-'9', '*', '#' or '+'
	Time   time.Time // when it happened, on the keypad's Clock
	Device string    // Connected, Disconnected: the device's path
	Err    error     // Disconnected: why
}

// String reads like the event: "digit 5", "send", "connected
// /dev/input/event0", "disconnected /dev/input/event0: no such device".
func (e Event) String() string {
	switch e.Kind {
	case Digit:
		return "digit " + string(e.Digit)
	case Connected:
		return "connected " + e.Device
	case Disconnected:
		return fmt.Sprintf("disconnected %s: %v", e.Device, e.Err)
	}
	return e.Kind.String()
}

// Linux input event types and key values (linux/input-event-codes.h).
const (
	evKey = 0x01 // EV_KEY

	keyUp     = 0
	keyDown   = 1
	keyRepeat = 2
)

// inputEvent is a struct input_event without its timestamp (the keypad
// times presses on its own Clock).
type inputEvent struct {
	typ, code uint16
	value     int32
}

// eventDecoder splits a stream of struct input_event into events. The
// struct is a timeval (two C longs: word bytes each) then __u16 type,
// __u16 code, __s32 value, in the machine's byte order: 24 bytes on
// 64-bit Linux, 16 on 32-bit.
type eventDecoder struct {
	order binary.ByteOrder
	word  int
	rest  []byte // a partial event from the last read
}

func (d *eventDecoder) size() int { return 2*d.word + 8 }

// decode appends the whole events in b (after any partial one left
// from before) to out.
func (d *eventDecoder) decode(b []byte, out []inputEvent) []inputEvent {
	if len(d.rest) > 0 {
		b = append(d.rest, b...)
		d.rest = nil
	}
	n := d.size()
	for len(b) >= n {
		e := b[2*d.word : n]
		out = append(out, inputEvent{
			typ:   d.order.Uint16(e[0:2]),
			code:  d.order.Uint16(e[2:4]),
			value: int32(d.order.Uint32(e[4:8])),
		})
		b = b[n:]
	}
	if len(b) > 0 {
		d.rest = append([]byte(nil), b...)
	}
	return out
}
