package fdt

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strings"
)

// Magic is the first word of every DTB.
const Magic = 0xd00dfeed

// Structure block tokens.
const (
	tokenBeginNode = 0x1
	tokenEndNode   = 0x2
	tokenProp      = 0x3
	tokenNop       = 0x4
	tokenEnd       = 0x9
)

// headerSize is the size of a version 17 header.
const headerSize = 40

// The header, all fields big-endian 32-bit words:
//
//	 0 magic             0xd00dfeed
//	 4 totalsize         size of the whole blob
//	 8 off_dt_struct     structure block
//	12 off_dt_strings    strings block
//	16 off_mem_rsvmap    memory reservation block
//	20 version           17
//	24 last_comp_version 16
//	28 boot_cpuid_phys
//	32 size_dt_strings
//	36 size_dt_struct
//
// The structure block is a token stream: BEGIN_NODE name\0 (padded to 4),
// PROP len nameoff value (padded to 4), END_NODE, NOP, and one END.

// Property is a named value. Value is a copy: it keeps no reference into
// the blob it was read from.
type Property struct {
	Name  string
	Value []byte
}

// Node is one node of the tree. The root's Name is "".
type Node struct {
	Name     string
	Props    []Property
	Children []*Node
	Parent   *Node
}

// Reservation is one entry of the memory reservation block.
type Reservation struct{ Address, Size uint64 }

// Tree is a whole device tree.
type Tree struct {
	Root         *Node
	Reservations []Reservation
	BootCPU      uint32
	phandles     map[uint32]*Node
}

// Parse reads a DTB. It checks every offset against the blob and fails
// with an error wrapping ErrFormat rather than reading past it.
func Parse(b []byte) (*Tree, error) {
	if len(b) < headerSize {
		return nil, fmt.Errorf("%w: %d bytes, shorter than the %d-byte header", ErrFormat, len(b), headerSize)
	}
	be := binary.BigEndian
	word := func(off int) uint32 { return be.Uint32(b[off:]) }
	if m := word(0); m != Magic {
		return nil, fmt.Errorf("%w: magic %#08x, want %#08x", ErrFormat, m, uint32(Magic))
	}
	total := int64(word(4))
	if total > int64(len(b)) || total < headerSize {
		return nil, fmt.Errorf("%w: totalsize %d, blob has %d bytes", ErrFormat, total, len(b))
	}
	b = b[:total]
	if v := word(24); v > 17 {
		return nil, fmt.Errorf("%w: last compatible version %d, this reader knows 17", ErrFormat, v)
	}
	block := func(what string, off, size uint32) ([]byte, error) {
		if int64(off)+int64(size) > total {
			return nil, fmt.Errorf("%w: %s block at %d+%d past totalsize %d", ErrFormat, what, off, size, total)
		}
		return b[off : off+size], nil
	}
	structs, err := block("structure", word(8), word(36))
	if err != nil {
		return nil, err
	}
	strs, err := block("strings", word(12), word(32))
	if err != nil {
		return nil, err
	}
	t := &Tree{BootCPU: word(28)}
	if t.Reservations, err = parseReservations(b, word(16)); err != nil {
		return nil, err
	}
	if t.Root, err = parseStruct(structs, strs); err != nil {
		return nil, err
	}
	if err := t.index(); err != nil {
		return nil, err
	}
	return t, nil
}

func parseReservations(b []byte, off uint32) ([]Reservation, error) {
	var out []Reservation
	for p := int64(off); ; p += 16 {
		if p+16 > int64(len(b)) {
			return nil, fmt.Errorf("%w: memory reservation block runs past the blob", ErrFormat)
		}
		r := Reservation{binary.BigEndian.Uint64(b[p:]), binary.BigEndian.Uint64(b[p+8:])}
		if r == (Reservation{}) {
			return out, nil
		}
		out = append(out, r)
	}
}

func parseStruct(s, strs []byte) (*Node, error) {
	p := 0
	next := func() (uint32, error) {
		if p+4 > len(s) {
			return 0, fmt.Errorf("%w: structure block ends without an END token", ErrFormat)
		}
		v := binary.BigEndian.Uint32(s[p:])
		p += 4
		return v, nil
	}
	cstring := func(buf []byte, at int, what string) (string, int, error) {
		if at < 0 || at > len(buf) {
			return "", 0, fmt.Errorf("%w: %s at %d outside its block", ErrFormat, what, at)
		}
		n := bytes.IndexByte(buf[at:], 0)
		if n < 0 {
			return "", 0, fmt.Errorf("%w: %s at %d has no terminating NUL", ErrFormat, what, at)
		}
		return string(buf[at : at+n]), n, nil
	}
	var root, cur *Node
	for {
		tok, err := next()
		if err != nil {
			return nil, err
		}
		switch tok {
		case tokenBeginNode:
			name, n, err := cstring(s, p, "node name")
			if err != nil {
				return nil, err
			}
			p = align4(p + n + 1)
			nd := &Node{Name: name, Parent: cur}
			if cur == nil {
				if root != nil {
					return nil, fmt.Errorf("%w: a second root node %q", ErrFormat, name)
				}
				root = nd
			} else {
				cur.Children = append(cur.Children, nd)
			}
			cur = nd
		case tokenEndNode:
			if cur == nil {
				return nil, fmt.Errorf("%w: END_NODE outside any node", ErrFormat)
			}
			cur = cur.Parent
		case tokenProp:
			if cur == nil {
				return nil, fmt.Errorf("%w: property outside any node", ErrFormat)
			}
			size, err := next()
			if err != nil {
				return nil, err
			}
			nameoff, err := next()
			if err != nil {
				return nil, err
			}
			if int64(p)+int64(size) > int64(len(s)) {
				return nil, fmt.Errorf("%w: property of %d bytes runs past the structure block", ErrFormat, size)
			}
			name, _, err := cstring(strs, int(nameoff), "property name")
			if err != nil {
				return nil, err
			}
			v := make([]byte, size)
			copy(v, s[p:])
			p = align4(p + int(size))
			cur.Props = append(cur.Props, Property{Name: name, Value: v})
		case tokenNop:
		case tokenEnd:
			if cur != nil || root == nil {
				return nil, fmt.Errorf("%w: END inside a node or before the root", ErrFormat)
			}
			return root, nil
		default:
			return nil, fmt.Errorf("%w: unknown token %#x at %d", ErrFormat, tok, p-4)
		}
	}
}

func align4(n int) int { return (n + 3) &^ 3 }

// index records every node's phandle.
func (t *Tree) index() error {
	t.phandles = map[uint32]*Node{}
	var err error
	t.Walk(func(n *Node) {
		for _, name := range []string{"phandle", "linux,phandle"} {
			v, ok := n.Prop(name)
			if !ok {
				continue
			}
			if len(v) != 4 {
				err = fmt.Errorf("%w: %s %s is %d bytes, want 4", ErrProperty, n.Path(), name, len(v))
				return
			}
			t.phandles[binary.BigEndian.Uint32(v)] = n
		}
	})
	return err
}

// Walk calls f for every node, parents before their children, in the
// blob's order.
func (t *Tree) Walk(f func(*Node)) {
	var walk func(*Node)
	walk = func(n *Node) {
		f(n)
		for _, c := range n.Children {
			walk(c)
		}
	}
	if t.Root != nil {
		walk(t.Root)
	}
}

// ByPhandle returns the node with the given phandle.
func (t *Tree) ByPhandle(ph uint32) (*Node, error) {
	n, ok := t.phandles[ph]
	if !ok {
		return nil, fmt.Errorf("%w: %#x", ErrPhandle, ph)
	}
	return n, nil
}

// Find returns the node at an absolute path such as "/soc/pinctrl@1c20800",
// or nil.
func (t *Tree) Find(path string) *Node {
	if t.Root == nil || len(path) == 0 || path[0] != '/' {
		return nil
	}
	n := t.Root
	for _, part := range strings.Split(path[1:], "/") {
		if part == "" {
			continue
		}
		var found *Node
		for _, c := range n.Children {
			if c.Name == part {
				found = c
				break
			}
		}
		if found == nil {
			return nil
		}
		n = found
	}
	return n
}

// Marshal writes the tree as a version 17 DTB: reservations, then the
// structure block, then the strings block (each name stored once, in
// order of first use).
func (t *Tree) Marshal() []byte {
	var st, strs bytes.Buffer
	names := map[string]uint32{}
	be := binary.BigEndian
	put := func(v uint32) { _ = binary.Write(&st, be, v) }
	pad := func() {
		for st.Len()%4 != 0 {
			st.WriteByte(0)
		}
	}
	var emit func(*Node)
	emit = func(n *Node) {
		put(tokenBeginNode)
		st.WriteString(n.Name)
		st.WriteByte(0)
		pad()
		for _, p := range n.Props {
			off, ok := names[p.Name]
			if !ok {
				off = uint32(strs.Len())
				names[p.Name] = off
				strs.WriteString(p.Name)
				strs.WriteByte(0)
			}
			put(tokenProp)
			put(uint32(len(p.Value)))
			put(off)
			st.Write(p.Value)
			pad()
		}
		for _, c := range n.Children {
			emit(c)
		}
		put(tokenEndNode)
	}
	if t.Root != nil {
		emit(t.Root)
	}
	put(tokenEnd)

	rsv := headerSize
	structOff := rsv + 16*(len(t.Reservations)+1)
	stringsOff := structOff + st.Len()
	total := stringsOff + strs.Len()
	out := make([]byte, headerSize, total)
	for i, v := range []uint32{Magic, uint32(total), uint32(structOff), uint32(stringsOff), uint32(rsv),
		17, 16, t.BootCPU, uint32(strs.Len()), uint32(st.Len())} {
		be.PutUint32(out[4*i:], v)
	}
	for _, r := range append(t.Reservations, Reservation{}) {
		out = be.AppendUint64(out, r.Address)
		out = be.AppendUint64(out, r.Size)
	}
	out = append(out, st.Bytes()...)
	return append(out, strs.Bytes()...)
}
