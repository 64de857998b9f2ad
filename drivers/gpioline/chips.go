package gpioline

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
	"sync"

	"periph.io/x/conn/v3/gpio"
)

// Chip is one GPIO chip as Chips sees it.
type Chip interface {
	// Name is the kernel's name for the chip ("gpiochip0"); messages use
	// it, lookups do not.
	Name() string
	// Label is the chip's label ("1c20800.pinctrl"), what a Spec names.
	Label() string
	// Lines returns the chip's lines by offset.
	Lines() []gpio.PinIO
}

// Opener opens lines; the board's bring-up takes one.
type Opener interface {
	OpenInput(s Spec) (*In, error)
	OpenOutput(s Spec, active bool) (*Out, error)
}

// ChipInfo describes a chip for listings.
type ChipInfo struct {
	Name, Label string
	// Lines holds the lines' names by offset ("" for an unnamed line).
	Lines []string
}

// Chips opens lines on a set of chips, each line at most once at a time.
// Its methods are safe for concurrent use.
type Chips struct {
	load func() ([]Chip, error)
	// prime is called on each input before it is handed out (System
	// uses it to make periph's halt safe to call from another goroutine).
	prime func(gpio.PinIO)

	mu     sync.Mutex
	loaded bool
	chips  []Chip
	err    error
	open   map[gpio.PinIO]string // what holds each open line
}

// NewChips returns an Opener over the given chips (fakes, or any other
// implementation of Chip).
func NewChips(chips ...Chip) *Chips {
	return &Chips{load: func() ([]Chip, error) { return chips, nil }}
}

func (c *Chips) get() ([]Chip, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.loaded {
		c.chips, c.err = c.load()
		c.loaded = true
	}
	return c.chips, c.err
}

// List describes the chips.
func (c *Chips) List() ([]ChipInfo, error) {
	chips, err := c.get()
	if err != nil {
		return nil, err
	}
	out := make([]ChipInfo, 0, len(chips))
	for _, ch := range chips {
		info := ChipInfo{Name: ch.Name(), Label: ch.Label()}
		for _, l := range ch.Lines() {
			info.Lines = append(info.Lines, lineName(ch, l))
		}
		out = append(out, info)
	}
	return out, nil
}

// lineName is a line's own name: periph renames a line whose name another
// chip already registered to "<chip>-<name>".
func lineName(ch Chip, l gpio.PinIO) string {
	return strings.TrimPrefix(l.Name(), ch.Name()+"-")
}

// Find returns the pin s names, without opening it.
func (c *Chips) Find(s Spec) (gpio.PinIO, error) {
	if err := s.Check(); err != nil {
		return nil, err
	}
	chips, err := c.get()
	if err != nil {
		return nil, err
	}
	if s.Chip != "" {
		var found []Chip
		for _, ch := range chips {
			if ch.Label() == s.Chip {
				found = append(found, ch)
			}
		}
		switch len(found) {
		case 0:
			return nil, fmt.Errorf("chip %s %w (chips: %s)", s.Chip, ErrNotFound, describe(chips))
		case 1:
		default:
			return nil, fmt.Errorf("%w: %d chips are labelled %s", ErrAmbiguous, len(found), s.Chip)
		}
		ch := found[0]
		lines := ch.Lines()
		if s.Name == "" {
			if s.Offset >= len(lines) {
				return nil, fmt.Errorf("line %d %w on chip %s: it has %d lines", s.Offset, ErrNotFound, s.Chip, len(lines))
			}
			return lines[s.Offset], nil
		}
		for _, l := range lines {
			if lineName(ch, l) == s.Name {
				return l, nil
			}
		}
		return nil, fmt.Errorf("line %s %w on chip %s (its named lines: %s)", s.Name, ErrNotFound, s.Chip, named(ch))
	}
	var hits []string
	var pin gpio.PinIO
	for _, ch := range chips {
		for _, l := range ch.Lines() {
			if lineName(ch, l) == s.Name {
				hits = append(hits, ch.Label())
				pin = l
			}
		}
	}
	switch len(hits) {
	case 0:
		return nil, fmt.Errorf("line %s %w on any GPIO chip (chips: %s)", s.Name, ErrNotFound, describe(chips))
	case 1:
		return pin, nil
	}
	return nil, fmt.Errorf("%w: line %s is on chips %s: name the chip", ErrAmbiguous, s.Name, strings.Join(hits, ", "))
}

func describe(chips []Chip) string {
	if len(chips) == 0 {
		return "none"
	}
	var s []string
	for _, ch := range chips {
		s = append(s, ch.Name()+" "+strconv.Quote(ch.Label()))
	}
	sort.Strings(s)
	return strings.Join(s, ", ")
}

func named(ch Chip) string {
	var s []string
	for _, l := range ch.Lines() {
		if n := lineName(ch, l); n != "" {
			s = append(s, n)
		}
	}
	if len(s) == 0 {
		return "none: name this chip's lines by offset"
	}
	return strings.Join(s, ", ")
}

// take marks p open for s, or says who holds it.
func (c *Chips) take(p gpio.PinIO, s Spec) (release func(), err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if holder, ok := c.open[p]; ok {
		return nil, fmt.Errorf("%w: line %s is already open as %s", ErrBusy, s, holder)
	}
	if c.open == nil {
		c.open = map[gpio.PinIO]string{}
	}
	c.open[p] = s.String()
	return func() {
		if cl, ok := p.(interface{ Close() }); ok {
			cl.Close()
		}
		c.mu.Lock()
		delete(c.open, p)
		c.mu.Unlock()
	}, nil
}

// OpenInput opens the line s names as an input.
func (c *Chips) OpenInput(s Spec) (*In, error) {
	p, err := c.Find(s)
	if err != nil {
		return nil, err
	}
	release, err := c.take(p, s)
	if err != nil {
		return nil, err
	}
	in, err := NewInput(p, s, release)
	if err != nil {
		release()
		return nil, err
	}
	if c.prime != nil {
		c.prime(p)
	}
	return in, nil
}

// OpenOutput opens the line s names as an output at the given level.
func (c *Chips) OpenOutput(s Spec, active bool) (*Out, error) {
	p, err := c.Find(s)
	if err != nil {
		return nil, err
	}
	release, err := c.take(p, s)
	if err != nil {
		return nil, err
	}
	out, err := NewOutput(p, s, active, release)
	if err != nil {
		release()
		return nil, err
	}
	return out, nil
}
