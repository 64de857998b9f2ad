//go:build linux

package keypad

import (
	"errors"
	"strings"
	"testing"

	evdev "github.com/holoplot/go-evdev"
)

// The default keymap's codes are the kernel's numbers for the keys its
// documentation names, as go-evdev's generated table has them.
func TestDefaultKeymapCodes(t *testing.T) {
	for _, k := range pcKeys {
		if got, ok := evdev.KEYFromString[k.name]; !ok || uint16(got) != k.code {
			t.Errorf("%s is code %d here, go-evdev says %d (known %t)", k.name, k.code, got, ok)
		}
	}
	if evKey != evdev.EV_KEY {
		t.Errorf("evKey = %d, go-evdev's EV_KEY = %d", evKey, evdev.EV_KEY)
	}
}

func TestOpenEvdevErrors(t *testing.T) {
	_, err := openEvdev("/dev/input/no-such-event99")
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), "is the evdev module loaded") {
		t.Errorf("absent path: %v, want ErrNoDevice with a hint", err)
	}
	_, err = openEvdev("/dev/null")
	if err == nil || !strings.Contains(err.Error(), "/dev/null is not a usable input device") {
		t.Errorf("/dev/null: %v, want 'not a usable input device'", err)
	}
	_, err = openEvdev("Ringo No Such Keyboard")
	if !errors.Is(err, ErrNoDevice) || !strings.Contains(err.Error(), `named "Ringo No Such Keyboard"`) {
		t.Errorf("absent name: %v, want ErrNoDevice naming it", err)
	}
}
