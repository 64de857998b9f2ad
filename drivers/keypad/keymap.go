package keypad

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Key is a handset key, what a Keymap maps an evdev key code to.
type Key int

// The handset's keys.
const (
	Key0 Key = iota + 1
	Key1
	Key2
	Key3
	Key4
	Key5
	Key6
	Key7
	Key8
	Key9
	KeyStar
	KeyHash
	KeySend
	KeyEnd
	KeyVolumeUp
	KeyVolumeDown
)

var keyNames = map[Key]string{
	Key0: "0", Key1: "1", Key2: "2", Key3: "3", Key4: "4",
	Key5: "5", Key6: "6", Key7: "7", Key8: "8", Key9: "9",
	KeyStar: "*", KeyHash: "#", KeySend: "send", KeyEnd: "end",
	KeyVolumeUp: "volume-up", KeyVolumeDown: "volume-down",
}

// String returns the key's name: "0"-"9", "*", "#", "send", "end",
// "volume-up", "volume-down".
func (k Key) String() string {
	if n, ok := keyNames[k]; ok {
		return n
	}
	return "Key(" + strconv.Itoa(int(k)) + ")"
}

func (k Key) valid() bool { _, ok := keyNames[k]; return ok }

// ParseKey returns the key named s (see Key.String).
func ParseKey(s string) (Key, error) {
	for k, n := range keyNames {
		if n == s {
			return k, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (the keys: 0-9, *, #, send, end, volume-up, volume-down)", ErrBadKey, s)
}

// digit is the character a key dials, or 0 for keys that dial none.
func (k Key) digit() rune {
	switch {
	case k >= Key0 && k <= Key9:
		return '0' + rune(k-Key0)
	case k == KeyStar:
		return '*'
	case k == KeyHash:
		return '#'
	}
	return 0
}

// Keymap maps evdev key codes (EV_KEY codes, as linux/input-event-codes.h
// numbers them: KEY_1 is 2, KEY_POWER 116) to handset keys. Codes it
// does not list are ignored.
type Keymap map[uint16]Key

// Check reports ErrBadKeymap for an empty keymap or a code mapped to no
// key.
func (m Keymap) Check() error {
	if len(m) == 0 {
		return fmt.Errorf("%w: it maps no key code (give at least one, e.g. DefaultKeymap())", ErrBadKeymap)
	}
	var bad []string
	for code, k := range m {
		if !k.valid() {
			bad = append(bad, fmt.Sprintf("code %d → %s", code, k))
		}
	}
	if len(bad) > 0 {
		sort.Strings(bad)
		return fmt.Errorf("%w: %s maps to no handset key", ErrBadKeymap, strings.Join(bad, ", "))
	}
	return nil
}

// pcKeys is DefaultKeymap with the kernel's names for the codes (a Linux
// test checks them against go-evdev's table).
var pcKeys = []struct {
	code uint16
	name string
	key  Key
}{
	{11, "KEY_0", Key0}, {2, "KEY_1", Key1}, {3, "KEY_2", Key2}, {4, "KEY_3", Key3},
	{5, "KEY_4", Key4}, {6, "KEY_5", Key5}, {7, "KEY_6", Key6}, {8, "KEY_7", Key7},
	{9, "KEY_8", Key8}, {10, "KEY_9", Key9},
	{82, "KEY_KP0", Key0}, {79, "KEY_KP1", Key1}, {80, "KEY_KP2", Key2}, {81, "KEY_KP3", Key3},
	{75, "KEY_KP4", Key4}, {76, "KEY_KP5", Key5}, {77, "KEY_KP6", Key6}, {71, "KEY_KP7", Key7},
	{72, "KEY_KP8", Key8}, {73, "KEY_KP9", Key9},
	{55, "KEY_KPASTERISK", KeyStar},
	{43, "KEY_BACKSLASH", KeyHash}, // where a UK keyboard has '#'
	{28, "KEY_ENTER", KeySend}, {96, "KEY_KPENTER", KeySend}, {31, "KEY_S", KeySend},
	{1, "KEY_ESC", KeyEnd}, {18, "KEY_E", KeyEnd},
	{115, "KEY_VOLUMEUP", KeyVolumeUp}, {103, "KEY_UP", KeyVolumeUp},
	{114, "KEY_VOLUMEDOWN", KeyVolumeDown}, {108, "KEY_DOWN", KeyVolumeDown},
}

// DefaultKeymap is a keymap for a PC keyboard, and so for QEMU's virtio
// keyboard driven over QMP. Plain keys only, no shift:
//
//	0-9          the digit row and the numeric keypad
//	*            keypad *        (KEY_KPASTERISK; QMP qcode "kp_multiply")
//	#            backslash       (KEY_BACKSLASH, the UK keyboard's # key; qcode "backslash")
//	send         Enter, keypad Enter, S
//	end          Esc, E          (held: power)
//	volume up    Volume Up, Up arrow
//	volume down  Volume Down, Down arrow
//
// Each call returns a new map.
func DefaultKeymap() Keymap {
	m := make(Keymap, len(pcKeys))
	for _, k := range pcKeys {
		m[k.code] = k.key
	}
	return m
}
