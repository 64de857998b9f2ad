package gpioline

import (
	"fmt"
	"time"

	"periph.io/x/conn/v3/driver/driverreg"
	"periph.io/x/conn/v3/gpio"
	"periph.io/x/host/v3/gpioioctl"
)

// System returns an Opener over the kernel's GPIO character devices
// (/dev/gpiochip*). The chips are enumerated on first use, once per
// process: periph's driver registry initialises once.
func System() *Chips {
	return &Chips{load: loadSystem, prime: primeEdges}
}

func loadSystem() ([]Chip, error) {
	st, err := driverreg.Init()
	if err != nil {
		return nil, fmt.Errorf("gpioline: periph driver registry: %w", err)
	}
	for _, f := range append(st.Failed, st.Skipped...) {
		if f.D.String() == "ioctl-gpio" {
			return nil, fmt.Errorf("%w: %v (is /dev/gpiochip* there?)", ErrNoChips, f.Err)
		}
	}
	var chips []Chip
	for _, c := range gpioioctl.Chips {
		chips = append(chips, ioctlChip{c})
	}
	if len(chips) == 0 {
		return nil, fmt.Errorf("%w: no /dev/gpiochip* device", ErrNoChips)
	}
	return chips, nil
}

type ioctlChip struct{ c *gpioioctl.GPIOChip }

func (c ioctlChip) Name() string  { return c.c.Name() }
func (c ioctlChip) Label() string { return c.c.Label() }
func (c ioctlChip) Lines() []gpio.PinIO {
	ls := c.c.Lines()
	out := make([]gpio.PinIO, len(ls))
	for i, l := range ls {
		out[i] = l
	}
	return out
}

// primeEdges makes periph's line open its edge file now, in the opening
// goroutine: its first WaitForEdge creates the file that Halt uses, and a
// Halt from another goroutine during that first call would race with it.
// A wait of a nanosecond returns at once (and drops an edge from before
// the open, which the opener reads the level after anyway).
func primeEdges(p gpio.PinIO) {
	if l, ok := p.(*gpioioctl.GPIOLine); ok {
		l.WaitForEdge(time.Nanosecond)
	}
}
