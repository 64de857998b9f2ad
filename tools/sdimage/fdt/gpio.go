package fdt

import (
	"fmt"
	"sort"
	"strconv"
	"strings"
)

// Line is one GPIO line as user space names it: the chip's label and the
// line's offset on that chip.
type Line struct {
	Chip   string // e.g. "1c20800.pinctrl"
	Offset int
}

func (l Line) String() string { return fmt.Sprintf("%s:%d", l.Chip, l.Offset) }

// ClaimKind says how the kernel takes a line.
type ClaimKind int

const (
	// ByProperty: a *-gpios, *-gpio, gpios or gpio property of a node
	// (its driver requests the line when it probes).
	ByProperty ClaimKind = iota
	// ByHog: a gpio-hog child of the controller (requested at boot).
	ByHog
	// ByPinmux: a pin group that a node's pinctrl-N state muxes to a
	// peripheral function.
	ByPinmux
)

func (k ClaimKind) String() string {
	switch k {
	case ByProperty:
		return "property"
	case ByHog:
		return "hog"
	case ByPinmux:
		return "pinmux"
	}
	return "ClaimKind(" + strconv.Itoa(int(k)) + ")"
}

// Claim is a line that the kernel owns for a node.
type Claim struct {
	Line
	Kind ClaimKind
	Node string // path of the node that claims it
	What string // the property, e.g. "reset-gpios", or "pinctrl-0 uart3-pins"
}

func (c Claim) String() string {
	return fmt.Sprintf("%s by %s %s (%s)", c.Line, c.Node, c.What, c.Kind)
}

// notGPIORefs are properties whose names look like GPIO references but
// are not phandle lists of GPIO specifiers.
var notGPIORefs = map[string]bool{
	"gpio-controller": true, "#gpio-cells": true, "gpio-ranges": true,
	"gpio-ranges-group-names": true, "gpio-line-names": true, "gpio-hog": true,
	"gpio-reserved-ranges": true, "ngpios": true,
}

func isGPIORef(name string) bool {
	if notGPIORefs[name] || strings.HasPrefix(name, "#") {
		return false
	}
	return name == "gpios" || name == "gpio" ||
		strings.HasSuffix(name, "-gpios") || strings.HasSuffix(name, "-gpio")
}

// Claims lists every GPIO line that an enabled node of the tree claims,
// by property, hog or pin mux, sorted by line. Disabled nodes (status
// other than "okay", or under a disabled parent) claim nothing: the kernel
// does not probe them.
func (t *Tree) Claims() ([]Claim, error) {
	var out []Claim
	var err error
	t.Walk(func(n *Node) {
		if err != nil || !n.Enabled() {
			return
		}
		var c []Claim
		if _, hog := n.Prop("gpio-hog"); hog {
			c, err = t.hogClaims(n)
		} else {
			c, err = t.propertyClaims(n)
			if err == nil {
				var m []Claim
				m, err = t.pinmuxClaims(n)
				c = append(c, m...)
			}
		}
		out = append(out, c...)
	})
	if err != nil {
		return nil, err
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Chip != out[j].Chip {
			return out[i].Chip < out[j].Chip
		}
		return out[i].Offset < out[j].Offset
	})
	return out, nil
}

// propertyClaims reads n's GPIO reference properties: lists of
// <phandle arg...>, the number of args being the controller's #gpio-cells;
// a zero phandle is an empty entry of one cell.
func (t *Tree) propertyClaims(n *Node) ([]Claim, error) {
	var out []Claim
	for _, p := range n.Props {
		if !isGPIORef(p.Name) {
			continue
		}
		cells, err := n.Cells(p.Name)
		if err != nil {
			return nil, err
		}
		for i := 0; i < len(cells); {
			ph := cells[i]
			i++
			if ph == 0 {
				continue
			}
			ctl, err := t.ByPhandle(ph)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", n.Path(), p.Name, err)
			}
			nc, err := ctl.Cell("#gpio-cells")
			if err != nil {
				return nil, fmt.Errorf("%s %s names %s, which is no GPIO controller: %w", n.Path(), p.Name, ctl.Path(), err)
			}
			if i+int(nc) > len(cells) {
				return nil, fmt.Errorf("%w: %s %s: %s takes %d cells, %d left", ErrProperty, n.Path(), p.Name, ctl.Path(), nc, len(cells)-i)
			}
			off, err := specifierOffset(ctl, cells[i:i+int(nc)])
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", n.Path(), p.Name, err)
			}
			i += int(nc)
			out = append(out, Claim{Line: Line{ctl.DeviceName(), off}, Kind: ByProperty, Node: n.Path(), What: p.Name})
		}
	}
	return out, nil
}

// hogClaims reads a gpio-hog node: its gpios property is a list of
// specifiers without phandles, for the parent controller.
func (t *Tree) hogClaims(n *Node) ([]Claim, error) {
	ctl := n.Parent
	if ctl == nil {
		return nil, fmt.Errorf("%w: gpio-hog at the root", ErrProperty)
	}
	nc, err := ctl.Cell("#gpio-cells")
	if err != nil {
		return nil, fmt.Errorf("gpio hog %s: parent is no GPIO controller: %w", n.Path(), err)
	}
	cells, err := n.Cells("gpios")
	if err != nil {
		return nil, err
	}
	if nc == 0 || len(cells)%int(nc) != 0 {
		return nil, fmt.Errorf("%w: gpio hog %s: %d cells of gpios, not a multiple of #gpio-cells %d", ErrProperty, n.Path(), len(cells), nc)
	}
	var out []Claim
	for i := 0; i < len(cells); i += int(nc) {
		off, err := specifierOffset(ctl, cells[i:i+int(nc)])
		if err != nil {
			return nil, fmt.Errorf("gpio hog %s: %w", n.Path(), err)
		}
		out = append(out, Claim{Line: Line{ctl.DeviceName(), off}, Kind: ByHog, Node: n.Path(), What: "gpio-hog"})
	}
	return out, nil
}

// pinmuxClaims reads n's pinctrl-N states: each names pin configuration
// nodes under a pin controller, whose "pins" (or the older
// "allwinner,pins") list pins by name, e.g. "PB3".
func (t *Tree) pinmuxClaims(n *Node) ([]Claim, error) {
	var out []Claim
	for _, p := range n.Props {
		if _, err := strconv.Atoi(strings.TrimPrefix(p.Name, "pinctrl-")); err != nil || !strings.HasPrefix(p.Name, "pinctrl-") {
			continue
		}
		phs, err := n.Cells(p.Name)
		if err != nil {
			return nil, err
		}
		for _, ph := range phs {
			cfg, err := t.ByPhandle(ph)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", n.Path(), p.Name, err)
			}
			ctl := cfg.Parent
			for ctl != nil {
				if _, ok := ctl.Prop("gpio-controller"); ok {
					break
				}
				ctl = ctl.Parent
			}
			pins := cfg.Strings("pins")
			if pins == nil {
				pins = cfg.Strings("allwinner,pins")
			}
			if ctl == nil || pins == nil {
				continue // not a GPIO pin controller's group (or groups only)
			}
			for _, name := range pins {
				off, err := pinOffset(ctl, name)
				if err != nil {
					return nil, fmt.Errorf("%s %s: %w", n.Path(), p.Name, err)
				}
				out = append(out, Claim{Line: Line{ctl.DeviceName(), off}, Kind: ByPinmux, Node: n.Path(), What: p.Name + " " + cfg.Name})
			}
		}
	}
	return out, nil
}

// isSunxi reports whether ctl is an Allwinner pin controller.
func isSunxi(ctl *Node) bool {
	for _, c := range ctl.Strings("compatible") {
		if strings.HasPrefix(c, "allwinner,") && strings.HasSuffix(c, "-pinctrl") {
			return true
		}
	}
	return false
}

// firstBank is the letter of a sunxi controller's first bank: the R_PIO
// controllers ("...-r-pinctrl") start at L, the main ones at A.
func firstBank(ctl *Node) byte {
	for _, c := range ctl.Strings("compatible") {
		if strings.HasSuffix(c, "-r-pinctrl") {
			return 'L'
		}
	}
	return 'A'
}

// specifierOffset turns a GPIO specifier into the line's offset on its
// chip: <bank pin flags> on Allwinner controllers (32 lines a bank),
// <offset flags> on two-cell controllers.
func specifierOffset(ctl *Node, args []uint32) (int, error) {
	switch {
	case len(args) == 3 && isSunxi(ctl):
		if args[1] >= 32 {
			return 0, fmt.Errorf("%w: %s pin %d of bank %d is past 31", ErrProperty, ctl.Path(), args[1], args[0])
		}
		return int(args[0])*32 + int(args[1]), nil
	case len(args) == 2:
		return int(args[0]), nil
	}
	return 0, fmt.Errorf("%w: %s: a %d-cell GPIO specifier this reader cannot map to a line", ErrProperty, ctl.Path(), len(args))
}

// pinOffset maps an Allwinner pin name ("PH9") to its offset on ctl.
func pinOffset(ctl *Node, name string) (int, error) {
	if !isSunxi(ctl) {
		return 0, fmt.Errorf("%w: %s: pin %q on a controller this reader does not know", ErrProperty, ctl.Path(), name)
	}
	if len(name) < 3 || name[0] != 'P' || name[1] < firstBank(ctl) || name[1] > 'Z' {
		return 0, fmt.Errorf("%w: %s: pin name %q is not P<bank><number> from bank %c", ErrProperty, ctl.Path(), name, firstBank(ctl))
	}
	pin, err := strconv.Atoi(name[2:])
	if err != nil || pin < 0 || pin >= 32 {
		return 0, fmt.Errorf("%w: %s: pin name %q has no number 0-31", ErrProperty, ctl.Path(), name)
	}
	return int(name[1]-firstBank(ctl))*32 + pin, nil
}
