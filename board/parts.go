package board

import (
	"strconv"
	"time"

	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/drivers/radio"
)

// Level is a line's active level: the level at which it is asserted
// (the switch on, the key pressed, the modem's STATUS saying powered).
type Level string

const (
	ActiveHigh Level = "high"
	ActiveLow  Level = "low"
)

// Line is one GPIO line of a board: by the name its chip gives it, or,
// where the device tree names none, by its chip's label and offset.
type Line struct {
	// Name is the line's name as the chip reports it; empty for a line
	// named by Chip and Offset.
	Name string
	// Chip is the chip's label ("1c20800.pinctrl"), never its gpiochipN
	// name. Required with Offset; with Name it narrows the search.
	Chip string
	// Offset is the line's number on Chip, used when Name is empty.
	Offset int
	// Active is the level at which the line is asserted. Required.
	Active Level
	// Bias is an input's pull; the zero value asks for none, which lines
	// a test drives through gpio-sim need.
	Bias gpioline.Bias
}

// IsZero reports a line not given at all.
func (l Line) IsZero() bool { return l.Name == "" && l.Chip == "" }

// Spec is the line as gpioline opens it.
func (l Line) Spec() gpioline.Spec {
	return gpioline.Spec{Name: l.Name, Chip: l.Chip, Offset: l.Offset, ActiveLow: l.Active == ActiveLow, Bias: l.Bias}
}

// String names the line: "PWRKEY", or "1c20800.pinctrl:35".
func (l Line) String() string {
	if l.Name != "" {
		return l.Name
	}
	return l.Chip + ":" + strconv.Itoa(l.Offset)
}

// FlightSwitch is a two-position flight-mode switch on a GPIO input. A
// board without one (Board.Flight nil) has a software switch.
type FlightSwitch struct {
	Line Line
	// Debounce is how long the line must stay put after an edge (20 ms
	// is usual).
	Debounce time.Duration
}

// Radio is a cellular modem's power lines and the timing of its
// sequences. DTR, AP_READY and RI are optional.
type Radio struct {
	VBATEn, PWRKey, Reset, WDisable, Status Line
	DTR, APReady, RI                        *Line
	Timing                                  radio.Timing
}

// Codec is an audio codec on an I2C bus, which the board's codec opener
// drives.
type Codec struct {
	// Model names the chip ("tlv320aic3104"), so the opener picks the
	// driver.
	Model string
	// Adapter is the I2C adapter's name as /sys/class/i2c-dev/*/name
	// shows it ("SMBus stub driver"); when empty, Bus is the adapter's
	// number (i2c-N).
	Adapter string
	Bus     int
	// Addr is the 7-bit address.
	Addr uint16
}

// Keypad is an input device whose keys the handset uses.
type Keypad struct {
	// Device is the evdev device's name ("QEMU Virtio Keyboard") or path
	// (/dev/input/event0).
	Device string
	// Keymap maps its key codes to handset keys.
	Keymap keypad.Keymap
}

// ModemPort is the modem's AT command port and its serial settings.
type ModemPort struct {
	Path string // e.g. /dev/ttyUSB2
	Baud int    // e.g. 115200
	// DataBits (5-8), Parity ("none", "even", "odd") and StopBits (1 or
	// 2); zero values are 8, none and 1.
	DataBits int
	Parity   string
	StopBits int
}

// AudioCard is the ALSA card call audio plays on. PulseAudio's default
// sink (and source) is its PCM device.
type AudioCard struct {
	Card   string // the card's name or id ("PinePhone")
	Device int    // the PCM device on it
	// Modules are the card's kernel modules, loaded when the sound server
	// starts (beside phoned, after the banner), not with the board's: a
	// card that takes long to load does not hold up the boot.
	Modules []Module
	// Mic, for a card without a capture side (QEMU's USB audio), is what
	// PulseAudio offers as the microphone instead: "tone:HZ", a sine.
	// Empty: the card's own capture device. The kernel command line's
	// ringo.mic= overrides it (a test's choice).
	Mic string
	// Latency, for a card that cannot keep up with PulseAudio's
	// timer-based scheduling (an emulated one), is the audio it and each
	// call stream keep queued: the card's buffer (two periods) and the
	// streams' buffering (PULSE_LATENCY_MSEC). Zero: PulseAudio's and the
	// agent's own, lower, defaults.
	Latency time.Duration
}

// Storage is where state written at run time persists across reboots.
type Storage struct {
	// Device is the block device (/dev/vda); or Label, the filesystem's
	// label, finds it among the partitions.
	Device, Label string
	FSType        string // e.g. ext4
}

// GPIOSim is a gpio-sim chip the bring-up makes through configfs: the CI
// board's stand-in for real GPIO lines.
type GPIOSim struct {
	// Name is the device's directory in configfs.
	Name string
	// Label is the chip's label, what Lines name as Chip.
	Label string
	// Lines are the line names, by offset.
	Lines []string
}
