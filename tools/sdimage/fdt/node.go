package fdt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// Prop returns the value of the named property.
func (n *Node) Prop(name string) ([]byte, bool) {
	for _, p := range n.Props {
		if p.Name == name {
			return p.Value, true
		}
	}
	return nil, false
}

// Strings returns a string-list property (NUL-separated, as compatible
// is), or nil when the node lacks it.
func (n *Node) Strings(name string) []string {
	v, ok := n.Prop(name)
	if !ok {
		return nil
	}
	v = bytes.TrimSuffix(v, []byte{0})
	if len(v) == 0 {
		return []string{}
	}
	return strings.Split(string(v), "\x00")
}

// Cells returns a property as big-endian 32-bit cells.
func (n *Node) Cells(name string) ([]uint32, error) {
	v, ok := n.Prop(name)
	if !ok {
		return nil, fmt.Errorf("%w: %s has no %s", ErrProperty, n.Path(), name)
	}
	if len(v)%4 != 0 {
		return nil, fmt.Errorf("%w: %s %s is %d bytes, not whole cells", ErrProperty, n.Path(), name, len(v))
	}
	out := make([]uint32, len(v)/4)
	for i := range out {
		out[i] = binary.BigEndian.Uint32(v[4*i:])
	}
	return out, nil
}

// Cell returns a one-cell property such as #gpio-cells.
func (n *Node) Cell(name string) (uint32, error) {
	c, err := n.Cells(name)
	if err != nil {
		return 0, err
	}
	if len(c) != 1 {
		return 0, fmt.Errorf("%w: %s %s has %d cells, want 1", ErrProperty, n.Path(), name, len(c))
	}
	return c[0], nil
}

// Path is the node's absolute path, e.g. "/soc/pinctrl@1c20800".
func (n *Node) Path() string {
	if n.Parent == nil {
		return "/"
	}
	if n.Parent.Parent == nil {
		return "/" + n.Name
	}
	return n.Parent.Path() + "/" + n.Name
}

// BaseName is the node name without its unit address ("pinctrl").
func (n *Node) BaseName() string {
	base, _, _ := strings.Cut(n.Name, "@")
	return base
}

// UnitAddress is the part of the name after '@' ("1c20800"), or "".
func (n *Node) UnitAddress() string {
	_, unit, _ := strings.Cut(n.Name, "@")
	return unit
}

// Enabled reports whether the kernel will probe the node: its status and
// every ancestor's is "okay" (or "ok", or absent).
func (n *Node) Enabled() bool {
	for m := n; m != nil; m = m.Parent {
		s := m.Strings("status")
		if s != nil && len(s) > 0 && s[0] != "okay" && s[0] != "ok" {
			return false
		}
	}
	return true
}

// DeviceName is the name Linux gives the platform device it makes for a
// node with a unit address ("1c20800.pinctrl" for pinctrl@1c20800); the
// Allwinner pin controllers label their GPIO chips with it.
func (n *Node) DeviceName() string {
	unit := n.UnitAddress()
	if unit == "" {
		return n.BaseName()
	}
	if unit = strings.TrimLeft(strings.ToLower(unit), "0"); unit == "" {
		unit = "0"
	}
	return unit + "." + n.BaseName()
}
