package board

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// Module is a kernel module the board needs, with its load-time parameters
// (as modprobe takes them, "key=value key2=value2").
type Module struct {
	Name   string
	Params string
	// Optional modules are reported as skipped, not failed, when absent.
	Optional bool
}

// Net is a static IPv4 set-up for one interface.
type Net struct {
	Interface string // e.g. "eth0"
	Address   string // CIDR, e.g. "10.0.2.15/24"
	Gateway   string // e.g. "10.0.2.2"
}

// Board describes one kind of handset (or the QEMU and host stand-ins).
type Board struct {
	Name       string
	Compatible []string // device-tree compatible strings that select it
	Modules    []Module // loaded in order at boot
	Net        *Net     // nil: the board brings up no network by itself
}

// QEMUVirt is the CI board: QEMU's arm64 "virt" machine.
var QEMUVirt = Board{
	Name:       "qemu-virt",
	Compatible: []string{"linux,dummy-virt"},
	Modules: []Module{
		{Name: "configfs"},
		{Name: "virtio_mmio"},
		{Name: "virtio_net"},
		{Name: "virtio_input"},
		{Name: "evdev"},
		{Name: "uinput"},
		{Name: "i2c-dev"},
		{Name: "gpio-sim"},
		// The audio codec's register file, as the CI board's stand-in for a
		// real I2C codec.
		{Name: "i2c-stub", Params: "chip_addr=0x1a"},
	},
	// QEMU user networking: the guest is 10.0.2.15, the host 10.0.2.2.
	Net: &Net{Interface: "eth0", Address: "10.0.2.15/24", Gateway: "10.0.2.2"},
}

// Host is a development machine running the daemons with simulated hardware.
var Host = Board{Name: "host"}

// Known lists the boards Lookup chooses from.
func Known() []Board { return []Board{QEMUVirt, Host} }

// Lookup returns the board whose compatible strings match one of the given
// ones (most specific first, as the device tree lists them).
func Lookup(compatible []string) (Board, error) {
	for _, c := range compatible {
		for _, b := range Known() {
			for _, bc := range b.Compatible {
				if c == bc {
					return b, nil
				}
			}
		}
	}
	return Board{}, fmt.Errorf("%w: compatible %q", ErrUnknownBoard, compatible)
}

// ByName returns the board with the given name (for a -board flag).
func ByName(name string) (Board, error) {
	for _, b := range Known() {
		if b.Name == name {
			return b, nil
		}
	}
	return Board{}, fmt.Errorf("%w: name %q", ErrUnknownBoard, name)
}

// ReadCompatible reads the device tree's compatible strings below root
// ("/" on a device; a test directory in tests). A machine without a device
// tree returns ErrNoDeviceTree.
func ReadCompatible(root string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(root, "proc/device-tree/compatible"))
	if os.IsNotExist(err) {
		return nil, ErrNoDeviceTree
	}
	if err != nil {
		return nil, err
	}
	var out []string
	for _, s := range bytes.Split(b, []byte{0}) {
		if t := strings.TrimSpace(string(s)); t != "" {
			out = append(out, t)
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("%w: empty compatible property", ErrNoDeviceTree)
	}
	return out, nil
}
