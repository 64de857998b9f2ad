package board_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/drivers/radio"
)

func TestKnownBoardsAreValid(t *testing.T) {
	names, compat := map[string]bool{}, map[string]string{}
	for _, b := range board.Known() {
		if err := b.Check(); err != nil {
			t.Errorf("board %s: Check() = %v", b.Name, err)
		}
		if names[b.Name] {
			t.Errorf("two boards are named %s", b.Name)
		}
		names[b.Name] = true
		for _, c := range b.Compatible {
			if other, ok := compat[c]; ok {
				t.Errorf("boards %s and %s both claim %s", other, b.Name, c)
			}
			compat[c] = b.Name
		}
	}
}

func line(name string) board.Line { return board.Line{Name: name, Active: board.ActiveHigh} }

// validRadio is a radio with every line, for tests to break one thing of.
func validRadio() *board.Radio {
	return &board.Radio{VBATEn: line("VBAT_EN"), PWRKey: line("PWRKEY"), Reset: line("RESET"),
		WDisable: line("W_DISABLE"), Status: line("STATUS"), Timing: radio.EG25G}
}

func TestCheckNamesBoardAndPart(t *testing.T) {
	for _, tc := range []struct {
		name string
		edit func(*board.Board)
		want string
	}{
		{"line named twice", func(b *board.Board) {
			b.Flight = &board.FlightSwitch{Line: line("STATUS"), Debounce: 20e6}
		}, "board t: radio: line STATUS (STATUS) is named twice: flight switch uses it too"},
		{"same chip offset twice", func(b *board.Board) {
			b.Radio.Reset = board.Line{Chip: "1c20800.pinctrl", Offset: 35, Active: board.ActiveHigh}
			b.Radio.PWRKey = board.Line{Chip: "1c20800.pinctrl", Offset: 35, Active: board.ActiveHigh}
		}, "board t: radio: line RESET (1c20800.pinctrl:35) is named twice: radio PWRKEY uses it too"},
		{"missing required line", func(b *board.Board) { b.Radio.Reset = board.Line{} },
			"board t: radio: line RESET missing: name it by its line name, or by its chip's label and offset"},
		{"unknown level", func(b *board.Board) { b.Radio.Status.Active = "hi" },
			`board t: radio: line STATUS (STATUS): unknown active level "hi": give high or low`},
		{"no level", func(b *board.Board) { b.Radio.VBATEn.Active = "" },
			"board t: radio: line VBAT_EN (VBAT_EN) has no active level: give high or low"},
		{"zero pulse", func(b *board.Board) { b.Radio.Timing.PowerOnPulse = 0 },
			"board t: radio: PowerOnPulse is 0s: give how long PWRKEY is held to power on (550ms on the EG25-G)"},
		{"zero debounce", func(b *board.Board) { b.Flight = &board.FlightSwitch{Line: line("FLIGHT_MODE")} },
			"board t: flight switch: debounce 0s: give how long the line must stay put after an edge (20ms is usual)"},
		{"name and offset", func(b *board.Board) { b.Radio.RI = &board.Line{Name: "RI", Offset: 6, Active: board.ActiveLow} },
			"board t: radio: line RI: line RI has both a name and offset 6 (give one)"},
		{"codec address", func(b *board.Board) { b.Codec = &board.Codec{Model: "tlv320aic3104", Adapter: "x", Addr: 0x80} },
			"board t: codec: I2C address 0x80: give the 7-bit address (0x18 for the TLV320AIC3104)"},
		{"empty keymap", func(b *board.Board) { b.Keypads = []board.Keypad{{Device: "kbd"}} },
			"board t: keypad kbd: keypad: bad keymap: it maps no key code"},
		{"keypad twice", func(b *board.Board) {
			k := board.Keypad{Device: "kbd", Keymap: keypad.DefaultKeymap()}
			b.Keypads = []board.Keypad{k, k}
		}, "board t: keypad kbd: listed twice"},
		{"gpio-sim line twice", func(b *board.Board) { b.GPIOSim = []board.GPIOSim{{Name: "s", Lines: []string{"A", "A"}}} },
			"board t: gpio-sim s: line name A given twice"},
		{"modem parity", func(b *board.Board) { b.ModemPort = &board.ModemPort{Path: "/dev/ttyS2", Baud: 115200, Parity: "mark"} },
			`board t: modem port: parity "mark": give none, even or odd`},
		{"storage", func(b *board.Board) { b.Storage = &board.Storage{FSType: "ext4"} },
			"board t: storage: no device and no label: give the block device or the filesystem's label"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b := board.Board{Name: "t", Radio: validRadio()}
			tc.edit(&b)
			err := b.Check()
			var de *board.DataError
			if !errors.Is(err, board.ErrInvalid) || !errors.As(err, &de) || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("Check() = %v\nwant %q", err, tc.want)
			}
		})
	}
}

// Every problem is reported at once, one a line.
func TestCheckReportsAll(t *testing.T) {
	b := board.Board{Name: "t", Radio: validRadio()}
	b.Radio.Reset = board.Line{}
	b.Radio.Timing.ResetPulse = 0
	err := b.Check()
	if got := strings.Count(err.Error(), "\n") + 1; got != 2 {
		t.Errorf("Check() reported %d problems, want 2:\n%v", got, err)
	}
	if !errors.Is(err, radio.ErrBadTiming) {
		t.Errorf("Check() = %v, want it to wrap radio.ErrBadTiming", err)
	}
}
