package agent

import (
	"os"
	"path/filepath"
	"testing"
)

func writeCompatible(t *testing.T, compat string) string {
	t.Helper()
	root := t.TempDir()
	dt := filepath.Join(root, "proc/device-tree")
	if err := os.MkdirAll(dt, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dt, "compatible"), []byte(compat), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

func TestBoardPort(t *testing.T) {
	p, name, ok := boardPort(writeCompatible(t, "linux,dummy-virt\x00"))
	if !ok || name != "qemu-virt" || p.Path != "/dev/hvc0" {
		t.Errorf("qemu-virt: port %+v, board %q, ok %v; want /dev/hvc0 of qemu-virt", p, name, ok)
	}
	if _, _, ok := boardPort(t.TempDir()); ok {
		t.Error("no device tree: got a port, want none")
	}
	if _, _, ok := boardPort(writeCompatible(t, "acme,toaster\x00")); ok {
		t.Error("an unknown board: got a port, want none")
	}
}
