// Package keypad turns a Linux input device (evdev) into a handset's key
// events: digits, *, #, send, end and the volume keys, with long presses
// (a long 0 is '+', a long end is the power action).
//
// The device is found by name ("QEMU Virtio Keyboard", "axp20x-pek") or
// by path (/dev/input/event0), listed and opened with
// github.com/holoplot/go-evdev. Which key code means what is a Keymap the
// board supplies; DefaultKeymap is one for a PC keyboard (and QEMU's
// virtio keyboard driven over QMP).
//
// Keys with a long meaning (0 and end) act when released, or when held
// for the long-press time (default 800 ms) on the injected Clock, never
// both; the other keys act when pressed. The kernel's auto-repeat
// (value 2) is ignored. When the device goes away (unplugged, its driver
// unloaded) the keypad reports Disconnected and looks for it again by
// the same name or path, with a backoff on the Clock, then reports
// Connected. Close stops its goroutines and waits for them.
//
// Package keypadtest holds a fake Keypad for other packages' tests.
package keypad
