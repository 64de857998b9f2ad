package keypadtest

import (
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/keypad"
)

func drain(k *Keypad) []string {
	var out []string
	for {
		select {
		case e, ok := <-k.Events():
			if !ok {
				return out
			}
			out = append(out, e.String())
		default:
			return out
		}
	}
}

func TestFake(t *testing.T) {
	k := New(t, "/dev/input/event3")
	at := time.Unix(100, 0)
	k.Now = func() time.Time { return at }
	k.Press("12+#")
	k.Key(keypad.Send)
	k.Unplug(errors.New("no such device"))
	if k.Device() != "" {
		t.Errorf("Device() unplugged = %q", k.Device())
	}
	k.Replug("/dev/input/event4")
	k.Key(keypad.Power)
	if k.Pending() != 9 {
		t.Errorf("Pending() = %d, want 9", k.Pending())
	}
	got := strings.Join(drain(k), "|")
	want := "connected /dev/input/event3|digit 1|digit 2|digit +|digit #|send|" +
		"disconnected /dev/input/event3: no such device|connected /dev/input/event4|power"
	if got != want {
		t.Errorf("events = %q\nwant %q", got, want)
	}
	k.Close()
	k.Close()
	if _, ok := <-k.Events(); ok {
		t.Error("Events open after Close")
	}
}

// The fake's strictness: each misuse fails the test that made it.
func TestFakeStrict(t *testing.T) {
	for _, tc := range []struct {
		name string
		do   func(*Keypad)
		want string
	}{
		{"send after close", func(k *Keypad) { k.Close(); k.Press("1") }, "sent after Close"},
		{"bad digit", func(k *Keypad) { k.Press("1a"); k.Close() }, `'a' is no keypad digit`},
		{"digit as key", func(k *Keypad) { k.Key(keypad.Digit); k.Close() }, "use Press for digits"},
		{"nobody reads", func(k *Keypad) { k.Press(strings.Repeat("1", Buffered)); k.Close() }, "events wait unread"},
		{"never closed", func(k *Keypad) {}, "was never closed"},
	} {
		rec := &recorder{TB: t}
		func() {
			defer rec.cleanup()
			tc.do(New(rec, "/dev/input/event0"))
		}()
		if !strings.Contains(rec.errs, tc.want) {
			t.Errorf("%s: errors %q, want one saying %q", tc.name, rec.errs, tc.want)
		}
	}
}

// recorder is a testing.TB that collects errors and cleanups instead of
// failing the real test.
type recorder struct {
	testing.TB
	errs     string
	cleanups []func()
}

func (r *recorder) Helper()                        {}
func (r *recorder) Errorf(format string, a ...any) { r.errs += " " + fmt.Sprintf(format, a...) }
func (r *recorder) Cleanup(f func())               { r.cleanups = append(r.cleanups, f) }
func (r *recorder) cleanup() {
	for i := len(r.cleanups) - 1; i >= 0; i-- {
		r.cleanups[i]()
	}
}
