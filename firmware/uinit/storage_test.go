package main

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSeedConfig(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	write := func(dir, rel, body string, perm os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), perm); err != nil {
			t.Fatal(err)
		}
	}
	write(src, "Asterisk.conf", "image default", 0o600)
	write(src, "Telephony.conf", "policy", 0o644)
	write(src, "services/Telephony/iaxagent", "svc", 0o644)
	write(dst, "Asterisk.conf", "changed at run time", 0o600)

	copied, err := seedConfig(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Telephony.conf", filepath.Join("services", "Telephony", "iaxagent")}
	if !slices.Equal(copied, want) {
		t.Errorf("copied %q, want %q", copied, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "Asterisk.conf")); string(b) != "changed at run time" {
		t.Errorf("Asterisk.conf = %q: a file already on the state disk was overwritten", b)
	}
	if fi, err := os.Stat(filepath.Join(dst, "Telephony.conf")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("Telephony.conf copied as %v, %v; want 0644", fi, err)
	}
	if copied, err := seedConfig(src, dst); err != nil || len(copied) != 0 {
		t.Errorf("second seed copied %q, %v; want nothing", copied, err)
	}
	if _, err := seedConfig(filepath.Join(src, "missing"), dst); err == nil {
		t.Error("seeding from a missing directory: no error")
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
	got, err := findLabel(sys, dev, "ringo-state")
	if err != nil || got != filepath.Join(dev, "mmcblk0p2") {
		t.Errorf("findLabel = %q, %v; want mmcblk0p2", got, err)
	}
	if _, err := findLabel(sys, dev, "nothing"); err == nil {
		t.Error("findLabel of a missing label: no error")
	}
	if l, ok := extLabel(bytes.NewReader(fakeExt("0123456789abcdef"))); !ok || l != "0123456789abcdef" {
		t.Errorf("a 16-byte label = %q %v", l, ok)
	}
}
