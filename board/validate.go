package board

import (
	"errors"
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/radio"
)

// Check reports everything wrong with the description at once, each
// problem a DataError naming the board and the part, joined with
// errors.Join; nil if the board can be brought up as written.
func (b Board) Check() error {
	c := checker{board: b.Name, lines: map[string]string{}}
	if b.Name == "" {
		c.board = "(unnamed)"
		c.bad("name", "the board has no name")
	}
	for _, s := range b.GPIOSim {
		c.sim(s)
	}
	if f := b.Flight; f != nil {
		c.line("flight switch", "switch", f.Line, true)
		if f.Debounce <= 0 {
			c.bad("flight switch", "debounce %v: give how long the line must stay put after an edge (20ms is usual)", f.Debounce)
		}
	}
	if r := b.Radio; r != nil {
		for _, l := range []struct {
			role string
			l    Line
		}{{"VBAT_EN", r.VBATEn}, {"PWRKEY", r.PWRKey}, {"RESET", r.Reset}, {"W_DISABLE", r.WDisable}, {"STATUS", r.Status}} {
			c.line("radio", l.role, l.l, true)
		}
		for _, l := range []struct {
			role string
			l    *Line
		}{{"DTR", r.DTR}, {"AP_READY", r.APReady}, {"RI", r.RI}} {
			if l.l != nil {
				c.line("radio", l.role, *l.l, true)
			}
		}
		if err := r.Timing.Check(); err != nil {
			c.wrap("radio", strings.TrimPrefix(strings.TrimPrefix(err.Error(), radio.ErrBadTiming.Error()), ": "), err)
		}
	}
	if k := b.Codec; k != nil {
		if k.Model == "" {
			c.bad("codec", "no model: name the chip (e.g. tlv320aic3104) so the right driver opens it")
		}
		if k.Addr == 0 || k.Addr > 0x7f {
			c.bad("codec", "I2C address 0x%02x: give the 7-bit address (0x18 for the TLV320AIC3104)", k.Addr)
		}
		if k.Adapter == "" && k.Bus < 0 {
			c.bad("codec", "bus %d: give the I2C adapter's name or its number (i2c-N)", k.Bus)
		}
	}
	devices := map[string]bool{}
	for _, k := range b.Keypads {
		part := "keypad " + k.Device
		if k.Device == "" {
			c.bad("keypad", "no device: give the input device's name or its /dev/input path")
			continue
		}
		if devices[k.Device] {
			c.bad(part, "listed twice")
		}
		devices[k.Device] = true
		if err := k.Keymap.Check(); err != nil {
			c.wrap(part, err.Error(), err)
		}
	}
	if p := b.ModemPort; p != nil {
		switch {
		case p.Path == "":
			c.bad("modem port", "no path: give the AT port's device (e.g. /dev/ttyUSB2)")
		case p.Baud <= 0:
			c.bad("modem port", "baud rate %d: give the port's speed (e.g. 115200)", p.Baud)
		case p.DataBits != 0 && (p.DataBits < 5 || p.DataBits > 8):
			c.bad("modem port", "%d data bits: give 5 to 8", p.DataBits)
		case p.Parity != "" && p.Parity != "none" && p.Parity != "even" && p.Parity != "odd":
			c.bad("modem port", "parity %q: give none, even or odd", p.Parity)
		case p.StopBits != 0 && p.StopBits != 1 && p.StopBits != 2:
			c.bad("modem port", "%d stop bits: give 1 or 2", p.StopBits)
		}
	}
	if a := b.Audio; a != nil && a.Card == "" {
		c.bad("audio card", "no card: give the ALSA card's name or id")
	}
	if s := b.Storage; s != nil {
		if s.Device == "" && s.Label == "" {
			c.bad("storage", "no device and no label: give the block device or the filesystem's label")
		}
		if s.FSType == "" {
			c.bad("storage", "no filesystem type: give it (e.g. ext4)")
		}
	}
	return errors.Join(c.errs...)
}

type checker struct {
	board string
	errs  []error
	lines map[string]string // a line's identity → the part and role using it
}

func (c *checker) bad(part, format string, args ...any) {
	c.errs = append(c.errs, &DataError{Board: c.board, Part: part, Problem: fmt.Sprintf(format, args...)})
}

func (c *checker) wrap(part, problem string, err error) {
	c.errs = append(c.errs, &DataError{Board: c.board, Part: part, Problem: problem, Err: err})
}

// line checks one line of a part and that no other part uses it.
func (c *checker) line(part, role string, l Line, required bool) {
	if l.IsZero() {
		if required {
			c.bad(part, "line %s missing: name it by its line name, or by its chip's label and offset", role)
		}
		return
	}
	switch l.Active {
	case ActiveHigh, ActiveLow:
	case "":
		c.bad(part, "line %s (%s) has no active level: give high or low", role, l)
	default:
		c.bad(part, "line %s (%s): unknown active level %q: give high or low", role, l, l.Active)
	}
	if err := l.Spec().Check(); err != nil {
		c.wrap(part, fmt.Sprintf("line %s: %s", role, strings.TrimPrefix(err.Error(), gpioline.ErrBadSpec.Error()+": ")), err)
		return
	}
	key := "name " + l.Name
	if l.Name == "" {
		key = fmt.Sprintf("chip %s offset %d", l.Chip, l.Offset)
	}
	use := part + " " + role
	if part == "flight switch" {
		use = part
	}
	if prev, ok := c.lines[key]; ok {
		c.bad(part, "line %s (%s) is named twice: %s uses it too", role, l, prev)
		return
	}
	c.lines[key] = use
}

func (c *checker) sim(s GPIOSim) {
	part := "gpio-sim " + s.Name
	if s.Name == "" {
		c.bad("gpio-sim", "no name: give the configfs directory's name")
		return
	}
	if len(s.Lines) == 0 {
		c.bad(part, "no lines: give the line names, by offset")
	}
	seen := map[string]bool{}
	for i, n := range s.Lines {
		switch {
		case n == "":
			c.bad(part, "line %d has no name", i)
		case seen[n]:
			c.bad(part, "line name %s given twice", n)
		}
		seen[n] = true
	}
}
