package board

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"testing"
)

const asoundCards = ` 0 [PinePhone      ]: simple-card - PinePhone
                      PinePhone
 1 [Audio          ]: USB-Audio - QEMU USB Audio
                      QEMU QEMU USB Audio at usb-0000:00:01.0-1, full speed
`

func TestCardIndex(t *testing.T) {
	for _, tc := range []struct {
		card string
		n    int
		ok   bool
	}{
		{"Audio", 1, true},          // by id
		{"QEMU USB Audio", 1, true}, // by name
		{"PinePhone", 0, true},
		{"USB-Audio", 0, false}, // a driver, not a card
		{"Missing", 0, false},
	} {
		if n, ok := CardIndex([]byte(asoundCards), tc.card); n != tc.n || ok != tc.ok {
			t.Errorf("CardIndex(%q) = %d, %v, want %d, %v", tc.card, n, ok, tc.n, tc.ok)
		}
	}
}

func fakeExt(label string) []byte {
	b := make([]byte, 4096)
	binary.LittleEndian.PutUint16(b[sbOffset+sbMagicOff:], extMagic)
	copy(b[sbOffset+sbLabelOff:], label)
	return b
}

func TestFindLabel(t *testing.T) {
	sys, dev := t.TempDir(), t.TempDir()
	for name, body := range map[string][]byte{
		"mmcblk0p1": fakeExt("boot"),
		"mmcblk0p2": fakeExt("ringo-state"),
		"mmcblk0p3": make([]byte, 4096), // no filesystem
		"loop0":     nil,                // too short
	} {
		os.Mkdir(filepath.Join(sys, name), 0o755)
		if err := os.WriteFile(filepath.Join(dev, name), body, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	got, err := FindLabel(sys, dev, "ringo-state")
	if err != nil || got != filepath.Join(dev, "mmcblk0p2") {
		t.Errorf("findLabel = %q, %v; want mmcblk0p2", got, err)
	}
	if _, err := FindLabel(sys, dev, "nothing"); err == nil {
		t.Error("findLabel of a missing label: no error")
	}
	if l, ok := ExtLabel(bytes.NewReader(fakeExt("0123456789abcdef"))); !ok || l != "0123456789abcdef" {
		t.Errorf("a 16-byte label = %q %v", l, ok)
	}
}
