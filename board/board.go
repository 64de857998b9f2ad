package board

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/drivers/radio"
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

// Board describes one kind of handset (or the QEMU and host stand-ins):
// its kernel modules, its network, and its parts. A part the board lacks
// is nil (or empty); Check says what is wrong with a description.
type Board struct {
	Name       string
	Compatible []string // device-tree compatible strings that select it
	Modules    []Module // loaded in order at boot
	Net        *Net     // nil: the board brings up no network by itself

	// GPIOSim are simulated GPIO chips Open makes before opening lines.
	GPIOSim []GPIOSim
	// Flight is the flight-mode switch; nil: a software switch.
	Flight    *FlightSwitch
	Radio     *Radio
	Codec     *Codec
	Keypads   []Keypad
	ModemPort *ModemPort
	Audio     *AudioCard
	Storage   *Storage
	// UI starts the call screen (phoneui) on the serial console at boot,
	// with the shell one key away; ringo.ui=1 or ringo.ui=0 on the kernel
	// command line overrides it. Off on every board for now: the CI
	// board's tests drive the shell, and the PinePhone's console is a
	// developer's UART.
	UI bool
}

// simChip is the label of the CI board's gpio-sim chip.
const simChip = "ringo-board"

// simLines are its lines, by offset.
var simLines = []string{"FLIGHT_MODE", "VBAT_EN", "PWRKEY", "RESET", "W_DISABLE", "STATUS", "DTR", "AP_READY", "RI"}

func simLine(name string) Line { return Line{Name: name, Chip: simChip, Active: ActiveHigh} }

func simLinePtr(name string) *Line { l := simLine(name); return &l }

// QEMUVirt is the CI board: QEMU's arm64 "virt" machine, its GPIO lines
// on a gpio-sim chip (all active high; a test drives the inputs through
// the simulator's pull attribute and reads the outputs' values), the
// codec's registers on i2c-stub at 0x18, keys from the virtio keyboard.
var QEMUVirt = Board{
	Name:       "qemu-virt",
	Compatible: []string{"linux,dummy-virt"},
	Modules: []Module{
		{Name: "configfs"},
		{Name: "virtio_mmio"},
		{Name: "virtio_net"},
		{Name: "virtio_input"},
		// The persistent state: a virtio disk image with an ext4 filesystem.
		{Name: "virtio_blk"},
		// The modem's AT port: a virtio console (/dev/hvc0; the serial
		// console is ttyAMA0) that QEMU joins to modemsim's socket.
		{Name: "virtio_console"},
		// ext4 asks the crypto API for crc32c at mount; nothing loads it
		// on demand in the initramfs.
		{Name: "crc32c_generic"},
		{Name: "ext4"},
		{Name: "evdev"},
		{Name: "uinput"},
		{Name: "i2c-dev"},
		{Name: "gpio-sim"},
		// The audio codec's register file, as the CI board's stand-in for a
		// real I2C codec (the TLV320AIC3104 answers at 0x18).
		{Name: "i2c-stub", Params: "chip_addr=0x18"},
	},
	// QEMU user networking: the guest is 10.0.2.15, the host 10.0.2.2.
	Net:     &Net{Interface: "eth0", Address: "10.0.2.15/24", Gateway: "10.0.2.2"},
	GPIOSim: []GPIOSim{{Name: simChip, Label: simChip, Lines: simLines}},
	Flight:  &FlightSwitch{Line: simLine("FLIGHT_MODE"), Debounce: 20 * time.Millisecond},
	Radio: &Radio{
		VBATEn: simLine("VBAT_EN"), PWRKey: simLine("PWRKEY"), Reset: simLine("RESET"),
		WDisable: simLine("W_DISABLE"), Status: simLine("STATUS"),
		DTR: simLinePtr("DTR"), APReady: simLinePtr("AP_READY"), RI: simLinePtr("RI"),
		Timing: radio.EG25G,
	},
	Codec:   &Codec{Model: "tlv320aic3104", Adapter: "SMBus stub driver", Addr: 0x18},
	Keypads: []Keypad{{Device: "QEMU Virtio Keyboard", Keymap: keypad.DefaultKeymap()}},
	// A virtio console to tools/modemsim on the host.
	ModemPort: &ModemPort{Path: "/dev/hvc0", Baud: 115200},
	// A virtio disk image kept on the host.
	Storage: &Storage{Device: "/dev/vda", FSType: "ext4"},
	// QEMU's usb-audio (card id "Audio") plays into a WAV file on the
	// host; it has no capture side, so the microphone is a 700 Hz tone
	// made in PulseAudio. Emulated, the card and the streams need 60 ms
	// queued to play without gaps (docs/PERFORMANCE.md). Its modules (the
	// XHCI controller, snd-usb-audio) take most of a second under
	// emulation: they load beside phoned, after the banner.
	Audio: &AudioCard{
		Card: "Audio", Device: 0, Mic: "tone:700", Latency: 60 * time.Millisecond,
		Modules: []Module{
			{Name: "xhci-pci"},
			{Name: "snd-usb-audio"},
		},
	},
}

// The PinePhone's GPIO chips (docs/boards/pinephone-1.2.md): the main PIO,
// offset = bank×32 + pin, and the R_PIO, offset = pin.
const (
	pinephonePIO  = "1c20800.pinctrl"
	pinephoneRPIO = "1f02c00.pinctrl"
)

// PinePhone12 is the PINE64 PinePhone 1.2. Its lines carry no names in
// the mainline device tree, so they are named by chip and offset. It has
// no readable flight switch (its kill switches are not wired to
// software): flight mode is a software switch. The codec is the A64's
// own, which the kernel owns (sun8i-codec): there is no I2C codec here,
// only the ALSA card.
var PinePhone12 = Board{
	Name:       "pinephone-1.2",
	Compatible: []string{"pine64,pinephone-1.2"},
	// Debian's kernel builds the phone's drivers as modules and nothing in
	// the image loads modules by alias (there is no udev), so this names
	// every driver the parts need; modprobe brings their dependencies.
	Modules: []Module{
		// The PMIC on the RSB bus: its regulators feed the codec, the
		// LRADC's reference and the USB PHY; the power key.
		{Name: "axp20x-rsb"},
		{Name: "axp20x-regulator"},
		{Name: "axp20x-pek"},
		{Name: "evdev"},
		// The volume keys on the LRADC (built out of tree by
		// initramfs/kernel.sh: Debian leaves the driver out).
		{Name: "sun4i-lradc-keys"},
		// Audio: the A64's codec, digital and analog halves, the I2S the
		// modem's PCM arrives on, DMA, and the card joining them with the
		// speaker amplifier.
		{Name: "sun6i-dma"},
		{Name: "sun8i-codec"},
		{Name: "sun50i-codec-analog"},
		{Name: "sun4i-i2s"},
		{Name: "snd-soc-simple-card"},
		{Name: "snd-soc-simple-amplifier"},
		// The backlight.
		{Name: "pwm-sun4i"},
		{Name: "pwm_bl"},
		// USB host for the modem: its serial ports (AT on ttyUSB2) and
		// its QMI network interface.
		{Name: "phy-sun4i-usb"},
		{Name: "ehci-platform"},
		{Name: "ohci-platform"},
		{Name: "option"},
		{Name: "qmi_wwan"},
		// The USB-C port as a gadget (the MUSB glue is the module named
		// sunxi): ethernet to a laptop (ECM, and RNDIS), for development.
		{Name: "sunxi"},
		{Name: "usb_f_ecm"},
		{Name: "g_ether"},
		// The SD card and the eMMC, for the state partition.
		{Name: "sunxi-mmc"},
		// The ringo-state partition's filesystem (ext4 needs crc32c at
		// mount, which nothing loads on demand).
		{Name: "crc32c_generic"},
		{Name: "ext4"},
	},
	Radio: &Radio{
		VBATEn:   Line{Chip: pinephoneRPIO, Offset: 7, Active: ActiveHigh},  // PL7
		PWRKey:   Line{Chip: pinephonePIO, Offset: 35, Active: ActiveHigh},  // PB3
		Reset:    Line{Chip: pinephonePIO, Offset: 68, Active: ActiveHigh},  // PC4, high = reset asserted
		WDisable: Line{Chip: pinephonePIO, Offset: 232, Active: ActiveHigh}, // PH8, high = RF off
		Status:   Line{Chip: pinephonePIO, Offset: 233, Active: ActiveLow},  // PH9, low = modem on
		DTR:      &Line{Chip: pinephonePIO, Offset: 34, Active: ActiveLow},  // PB2, low = awake
		APReady:  &Line{Chip: pinephonePIO, Offset: 231, Active: ActiveLow}, // PH7, low = host awake
		RI:       &Line{Chip: pinephoneRPIO, Offset: 6, Active: ActiveLow},  // PL6, pulses low
		Timing:   radio.EG25G,
	},
	Keypads: []Keypad{
		// The power key: short is end (hang up, reject), held the power
		// action.
		{Device: "axp20x-pek", Keymap: keypad.Keymap{116: keypad.KeyEnd}},
		// The volume keys, on the LRADC (its driver is not in Debian's
		// kernel; the PinePhone image builds it).
		{Device: "1c21800.lradc", Keymap: keypad.Keymap{115: keypad.KeyVolumeUp, 114: keypad.KeyVolumeDown}},
	},
	ModemPort: &ModemPort{Path: "/dev/ttyUSB2", Baud: 115200},
	Audio:     &AudioCard{Card: "PinePhone"},
	// A partition of the SD card, found by its filesystem label.
	Storage: &Storage{Label: "ringo-state", FSType: "ext4"},
}

// Host is a development machine running the daemons: it has no hardware,
// so flight mode is a software switch, and tests hand phoned the drivers'
// fakes (flightmodetest, radiotest, codectest, keypadtest).
var Host = Board{Name: "host"}

// Known lists the boards Lookup chooses from.
func Known() []Board { return []Board{QEMUVirt, PinePhone12, Host} }

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
	var names []string
	for _, b := range Known() {
		if b.Name == name {
			return b, nil
		}
		names = append(names, b.Name)
	}
	return Board{}, fmt.Errorf("%w: name %q (the boards: %s)", ErrUnknownBoard, name, strings.Join(names, ", "))
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
