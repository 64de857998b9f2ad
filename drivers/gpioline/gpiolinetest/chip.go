package gpiolinetest

import (
	"testing"

	"periph.io/x/conn/v3/gpio"
)

// Chip is a fake GPIO chip of Pins, for gpioline.NewChips.
type Chip struct {
	tb          testing.TB
	name, label string
	pins        []*Pin
}

// NewChip returns a chip labelled label whose lines, by offset, have the
// given names ("" for an unnamed line). Its kernel name is "fake-" +
// label.
func NewChip(tb testing.TB, label string, clk Clock, lines ...string) *Chip {
	c := &Chip{tb: tb, name: "fake-" + label, label: label}
	for i, n := range lines {
		c.pins = append(c.pins, NewPin(tb, n, i, clk))
	}
	return c
}

// Name implements gpioline.Chip.
func (c *Chip) Name() string { return c.name }

// Label implements gpioline.Chip.
func (c *Chip) Label() string { return c.label }

// Lines implements gpioline.Chip.
func (c *Chip) Lines() []gpio.PinIO {
	out := make([]gpio.PinIO, len(c.pins))
	for i, p := range c.pins {
		out[i] = p
	}
	return out
}

// Pin returns the line named name; an unknown name fails the test now.
func (c *Chip) Pin(name string) *Pin {
	c.tb.Helper()
	for _, p := range c.pins {
		if p.name == name {
			return p
		}
	}
	c.tb.Fatalf("gpiolinetest: chip %s has no line %q", c.label, name)
	return nil
}

// At returns the line at offset; an offset out of range fails the test.
func (c *Chip) At(offset int) *Pin {
	c.tb.Helper()
	if offset < 0 || offset >= len(c.pins) {
		c.tb.Fatalf("gpiolinetest: chip %s has %d lines, no offset %d", c.label, len(c.pins), offset)
		return nil
	}
	return c.pins[offset]
}
