package keypad_test

import (
	"context"
	"fmt"
	"time"

	"github.com/ringo-phone/ringo/drivers/keypad"
)

// wallClock is the real clock, as phoned passes it.
type wallClock struct{}

func (wallClock) Now() time.Time { return time.Now() }
func (wallClock) AfterFunc(d time.Duration, f func()) keypad.Timer {
	return time.AfterFunc(d, f)
}

// A dialer reading QEMU's virtio keyboard: digits collect, send dials.
func ExampleOpen() {
	ctx := context.Background()
	kp, err := keypad.Open(ctx, "QEMU Virtio Keyboard", keypad.DefaultKeymap(), wallClock{})
	if err != nil {
		fmt.Println(err) // keypad: no such input device named "QEMU Virtio Keyboard" (there are: ...)
		return
	}
	defer kp.Close()
	var digits []rune
	for e := range kp.Events() {
		switch e.Kind {
		case keypad.Digit:
			digits = append(digits, e.Digit)
		case keypad.Send:
			fmt.Println("dial", string(digits))
			return
		case keypad.Disconnected:
			fmt.Println(e) // it comes back by itself
		}
	}
}
