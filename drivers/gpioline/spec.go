package gpioline

import (
	"fmt"
	"strconv"

	"periph.io/x/conn/v3/gpio"
)

// Bias is the pull resistor an input asks for.
type Bias int

const (
	// AsIs asks for no bias: the line keeps what it has. Lines a test
	// drives through gpio-sim must use it.
	AsIs Bias = iota
	// PullUp asks for the pull-up resistor.
	PullUp
	// PullDown asks for the pull-down resistor.
	PullDown
)

// String returns "as-is", "pull-up" or "pull-down".
func (b Bias) String() string {
	switch b {
	case AsIs:
		return "as-is"
	case PullUp:
		return "pull-up"
	case PullDown:
		return "pull-down"
	}
	return "Bias(" + strconv.Itoa(int(b)) + ")"
}

func (b Bias) pull() gpio.Pull {
	switch b {
	case PullUp:
		return gpio.PullUp
	case PullDown:
		return gpio.PullDown
	}
	return gpio.PullNoChange
}

// Spec names one line and how it is used.
type Spec struct {
	// Name is the line's name as its chip reports it. Empty for a line
	// named by Chip and Offset.
	Name string
	// Chip is the label of the line's chip ("1c20800.pinctrl"), never
	// its gpiochipN name, which moves between boots. Required with
	// Offset; with Name it narrows the search to that chip.
	Chip string
	// Offset is the line's number on Chip, used when Name is empty.
	Offset int
	// ActiveLow says the line is active (asserted, on, pressed) when low.
	ActiveLow bool
	// Bias is the pull an input asks for; outputs ignore it.
	Bias Bias
}

// String names the line for messages: "PWRKEY", or "1c20800.pinctrl:35"
// for an unnamed one.
func (s Spec) String() string {
	if s.Name != "" {
		return s.Name
	}
	return s.Chip + ":" + strconv.Itoa(s.Offset)
}

// Check reports a Spec that cannot name a line.
func (s Spec) Check() error {
	switch {
	case s.Name == "" && s.Chip == "":
		return fmt.Errorf("%w: no line name and no chip label (give the line's name, or its chip's label and offset)", ErrBadSpec)
	case s.Name == "" && s.Offset < 0:
		return fmt.Errorf("%w: offset %d on chip %s is negative", ErrBadSpec, s.Offset, s.Chip)
	case s.Name != "" && s.Offset != 0:
		return fmt.Errorf("%w: line %s has both a name and offset %d (give one)", ErrBadSpec, s.Name, s.Offset)
	case s.Bias < AsIs || s.Bias > PullDown:
		return fmt.Errorf("%w: line %s: unknown bias %v", ErrBadSpec, s, s.Bias)
	}
	return nil
}

// Level returns the electrical level of a line that is, or is not,
// active: "high" or "low", for messages such as "STATUS still high".
func Level(activeLow, active bool) string {
	if active != activeLow {
		return "high"
	}
	return "low"
}
