package fdt

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
)

func testTree(t testing.TB) (*Tree, []byte) {
	t.Helper()
	b, err := os.ReadFile("testdata/claims.dtb")
	if err != nil {
		t.Fatal(err)
	}
	tr, err := Parse(b)
	if err != nil {
		t.Fatalf("Parse(testdata/claims.dtb) = %v", err)
	}
	return tr, b
}

func TestParse(t *testing.T) {
	tr, _ := testTree(t)
	if got, want := tr.Root.Strings("compatible"), []string{"ringo,test-1.2", "ringo,test"}; !slices.Equal(got, want) {
		t.Errorf("root compatible = %q, want %q", got, want)
	}
	if got := tr.Root.Strings("model"); !slices.Equal(got, []string{"Ringo fdt test"}) {
		t.Errorf("model = %q", got)
	}
	if got, want := tr.Reservations, []Reservation{{0x40000000, 0x10000}}; !slices.Equal(got, want) {
		t.Errorf("reservations = %x, want %x", got, want)
	}
	pio := tr.Find("/soc/pinctrl@1c20800")
	if pio == nil {
		t.Fatal(`Find("/soc/pinctrl@1c20800") = nil`)
	}
	if got := pio.Path(); got != "/soc/pinctrl@1c20800" {
		t.Errorf("Path() = %q", got)
	}
	if got := pio.DeviceName(); got != "1c20800.pinctrl" {
		t.Errorf("DeviceName() = %q, want 1c20800.pinctrl", got)
	}
	if n, err := pio.Cell("#gpio-cells"); err != nil || n != 3 {
		t.Errorf("#gpio-cells = %d, %v; want 3", n, err)
	}
	if tr.Find("/soc/nothing") != nil || tr.Find("soc") != nil {
		t.Error("Find found a node that is not there")
	}
	// The uart's pinctrl-0 is the phandle of uart0-pins.
	uart := tr.Find("/soc/serial@1c28000")
	ph, err := uart.Cells("pinctrl-0")
	if err != nil || len(ph) != 1 {
		t.Fatalf("pinctrl-0 = %v, %v", ph, err)
	}
	if n, err := tr.ByPhandle(ph[0]); err != nil || n.Path() != "/soc/pinctrl@1c20800/uart0-pins" {
		t.Errorf("ByPhandle(%#x) = %v, %v", ph[0], n, err)
	}
	if _, err := tr.ByPhandle(0xdead); !errors.Is(err, ErrPhandle) {
		t.Errorf("ByPhandle(0xdead) err = %v, want ErrPhandle", err)
	}
	if tr.Find("/soc/camera@1cb0000/sensor").Enabled() {
		t.Error("a node under a disabled parent is enabled")
	}
	if !tr.Find("/panel").Enabled() {
		t.Error(`status = "ok" is not enabled`)
	}
}

func TestClaims(t *testing.T) {
	tr, _ := testTree(t)
	got, err := tr.Claims()
	if err != nil {
		t.Fatal(err)
	}
	// Worked out by hand from testdata/claims.dts: bank letter - 'A'
	// (- 'L' on the R controller) times 32 plus the pin.
	want := []string{
		"1c20800.pinctrl:40 by /soc/serial@1c28000 pinctrl-0 uart0-pins (pinmux)",  // PB8
		"1c20800.pinctrl:41 by /soc/serial@1c28000 pinctrl-0 uart0-pins (pinmux)",  // PB9
		"1c20800.pinctrl:116 by /leds/led-0 gpios (property)",                      // PD20
		"1c20800.pinctrl:119 by /panel reset-gpio (property)",                      // PD23
		"1c20800.pinctrl:232 by /soc/pinctrl@1c20800/hog-w-disable gpio-hog (hog)", // PH8
		"1f02c00.pinctrl:0 by /soc/rsb@1f03400 pinctrl-0 r-rsb-pins (pinmux)",      // PL0
		"1f02c00.pinctrl:1 by /soc/rsb@1f03400 pinctrl-0 r-rsb-pins (pinmux)",      // PL1
		"1f02c00.pinctrl:7 by /vbat gpio (property)",                               // PL7
		"2d.gpio:5 by /leds/led-0 gpios (property)",                                // after an empty entry
	}
	var lines []string
	for _, c := range got {
		lines = append(lines, c.String())
	}
	if !slices.Equal(lines, want) {
		t.Errorf("Claims() =\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(want, "\n"))
	}
	// The disabled camera's lines (PE0-PE2, 128-130) are nobody's.
	for _, c := range got {
		if c.Chip == "1c20800.pinctrl" && c.Offset >= 128 && c.Offset <= 130 {
			t.Errorf("disabled node claims %v", c)
		}
	}
}

// mutate returns a copy of b with the 32-bit big-endian word at off set.
func mutate(b []byte, off int, v uint32) []byte {
	c := bytes.Clone(b)
	binary.BigEndian.PutUint32(c[off:], v)
	return c
}

func TestParseErrors(t *testing.T) {
	_, good := testTree(t)
	structOff := int(binary.BigEndian.Uint32(good[8:]))
	cases := map[string][]byte{
		"short":                 good[:20],
		"bad magic":             mutate(good, 0, 0xfeedd00d),
		"totalsize past end":    mutate(good, 4, uint32(len(good)+1)),
		"struct block past end": mutate(good, 36, uint32(len(good))),
		"strings past end":      mutate(good, 12, uint32(len(good)-2)),
		"newer format":          mutate(good, 24, 18),
		"unknown token":         mutate(good, structOff, 0x7),
		"property first":        mutate(good, structOff, tokenProp),
		// The structure block one word shorter: it ends before its END.
		"no end token": mutate(good, 36, binary.BigEndian.Uint32(good[36:])-4),
	}
	for name, b := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := Parse(b); !errors.Is(err, ErrFormat) {
				t.Errorf("Parse = %v, want an error wrapping ErrFormat", err)
			}
		})
	}
}

// build makes a tree in Go: a root with the given children.
func build(children ...*Node) *Tree {
	root := &Node{Children: children}
	for _, c := range children {
		c.Parent = root
	}
	return &Tree{Root: root}
}

func cells(v ...uint32) []byte {
	var b []byte
	for _, x := range v {
		b = binary.BigEndian.AppendUint32(b, x)
	}
	return b
}

func TestClaimsErrors(t *testing.T) {
	ctl := func(ph, ncells uint32) *Node {
		props := []Property{{"compatible", []byte("allwinner,sun50i-a64-pinctrl\x00")}, {"gpio-controller", nil}, {"phandle", cells(ph)}}
		if ncells > 0 {
			props = append(props, Property{"#gpio-cells", cells(ncells)})
		}
		return &Node{Name: "pinctrl@1c20800", Props: props}
	}
	user := func(v []byte) *Node { return &Node{Name: "user", Props: []Property{{"reset-gpios", v}}} }
	cases := []struct {
		name string
		tree *Tree
		want error
	}{
		{"unknown phandle", build(ctl(1, 3), user(cells(2, 0, 1, 0))), ErrPhandle},
		{"no #gpio-cells", build(ctl(1, 0), user(cells(1, 0, 1, 0))), ErrProperty},
		{"short specifier", build(ctl(1, 3), user(cells(1, 0, 1))), ErrProperty},
		{"odd bytes", build(ctl(1, 3), user([]byte{0, 0, 0, 1, 0})), ErrProperty},
		{"pin past 31", build(ctl(1, 3), user(cells(1, 0, 32, 0))), ErrProperty},
		{"four cells", build(ctl(1, 4), user(cells(1, 0, 1, 0, 0))), ErrProperty},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Through the blob, so the phandle index is built as Parse builds it.
			tr, err := Parse(c.tree.Marshal())
			if err != nil {
				t.Fatal(err)
			}
			if _, err := tr.Claims(); !errors.Is(err, c.want) {
				t.Errorf("Claims() = %v, want %v", err, c.want)
			}
		})
	}
}

// dump renders a tree as text, to compare two trees.
func dump(t *Tree) string {
	var b strings.Builder
	fmt.Fprintf(&b, "cpu %d rsv %x\n", t.BootCPU, t.Reservations)
	t.Walk(func(n *Node) {
		fmt.Fprintf(&b, "%s\n", n.Path())
		for _, p := range n.Props {
			fmt.Fprintf(&b, "  %s = %x\n", p.Name, p.Value)
		}
	})
	return b.String()
}

func TestMarshalRoundTrip(t *testing.T) {
	tr, _ := testTree(t)
	m := tr.Marshal()
	again, err := Parse(m)
	if err != nil {
		t.Fatalf("Parse(Marshal(t)) = %v", err)
	}
	if got, want := dump(again), dump(tr); got != want {
		t.Errorf("Parse(Marshal(t)) =\n%s\nwant\n%s", got, want)
	}
	if !bytes.Equal(again.Marshal(), m) {
		t.Error("Marshal is not stable across a round trip")
	}
}

func FuzzParse(f *testing.F) {
	_, good := testTree(f)
	f.Add(good)
	f.Add(build(&Node{Name: "a", Props: []Property{{"gpios", cells(1, 2, 3, 4)}}}).Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		tr, err := Parse(b)
		if err != nil {
			if !errors.Is(err, ErrFormat) && !errors.Is(err, ErrProperty) {
				t.Fatalf("Parse error %v wraps neither ErrFormat nor ErrProperty", err)
			}
			return
		}
		m := tr.Marshal()
		again, err := Parse(m)
		if err != nil {
			t.Fatalf("Parse(Marshal(Parse(b))) = %v", err)
		}
		if dump(again) != dump(tr) || !bytes.Equal(again.Marshal(), m) {
			t.Fatal("round trip changed the tree")
		}
		_, _ = tr.Claims() // must not panic
	})
}

func BenchmarkParse(b *testing.B) {
	_, good := testTree(b)
	b.SetBytes(int64(len(good)))
	for b.Loop() {
		if _, err := Parse(good); err != nil {
			b.Fatal(err)
		}
	}
}
