package check

import (
	"errors"
	"fmt"
	"os"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/keypad"
	"github.com/ringo-phone/ringo/drivers/smbus"
	"periph.io/x/conn/v3/i2c"
)

// linuxProber looks at the running system through the kernel's ABI: the
// GPIO character devices (periph lists who holds each line), i2c-dev,
// /dev/input, /proc/asound and /sys/class/block.
type linuxProber struct{ chips *gpioline.Chips }

func systemProber() (prober, error) { return linuxProber{chips: gpioline.System()}, nil }

func (p linuxProber) line(l board.Line) (string, string, error) {
	pin, err := p.chips.Find(l.Spec())
	if err != nil {
		return "", "", fmt.Errorf("%w; is the board's GPIO driver loaded (see the bring-up report on the console)?", err)
	}
	at := fmt.Sprintf("line %d", pin.Number())
	if l.Chip != "" {
		at = fmt.Sprintf("%s line %d", l.Chip, pin.Number())
	}
	holder := ""
	if c, ok := pin.(interface{ Consumer() string }); ok {
		holder = c.Consumer()
	}
	return at, holder, nil
}

func (linuxProber) i2c(adapter string, n int, addr uint16) (string, error) {
	if adapter != "" {
		var err error
		if n, err = smbus.Find(adapter); err != nil {
			return "", fmt.Errorf("%w; is its module loaded (see the bring-up report)?", err)
		}
	}
	bus, err := smbus.Open(n)
	if err != nil {
		return "", err
	}
	defer bus.Close()
	// Register 0 is read, never written: phoned may be driving the
	// device.
	got := make([]byte, 1)
	if err := (&i2c.Dev{Bus: bus, Addr: addr}).Tx([]byte{0}, got); err != nil {
		return "", fmt.Errorf("i2c-%d 0x%02x does not answer a read of register 0: %w; check its power and address", n, addr, err)
	}
	return fmt.Sprintf("i2c-%d, answering", n), nil
}

func (linuxProber) input(spec string) (string, error) { return keypad.Find(spec) }

func (linuxProber) charDev(path string) error {
	fi, err := os.Stat(path)
	if err != nil {
		return fmt.Errorf("%w; is its driver loaded (see the bring-up report)?", err)
	}
	if fi.Mode()&os.ModeCharDevice == 0 {
		return fmt.Errorf("%s is not a character device (%v)", path, fi.Mode().Type())
	}
	return nil
}

func (linuxProber) blockDev(path, label string) (string, error) {
	if path == "" {
		dev, err := board.FindLabel("/sys/class/block", "/dev", label)
		if err != nil {
			return "", fmt.Errorf("%w; the state is then kept only until a reboot", err)
		}
		return fmt.Sprintf("%s (label %s)", dev, label), nil
	}
	fi, err := os.Stat(path)
	if err != nil {
		return "", fmt.Errorf("%w; without it the state is kept only until a reboot", err)
	}
	if fi.Mode()&os.ModeDevice == 0 || fi.Mode()&os.ModeCharDevice != 0 {
		return "", fmt.Errorf("%s is not a block device (%v)", path, fi.Mode().Type())
	}
	return path, nil
}

// pulseSocket is where the system's PulseAudio listens.
const pulseSocket = "/run/pulse/native"

func (linuxProber) card(name string) (string, error) {
	cards, err := os.ReadFile("/proc/asound/cards")
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		return "", err
	}
	n, ok := board.CardIndex(cards, name)
	if !ok {
		return "", fmt.Errorf("no sound card %q in /proc/asound/cards; is its driver loaded (uinit loads it beside phoned)? Calls are silent without it", name)
	}
	server := "PulseAudio not listening at " + pulseSocket
	if fi, err := os.Stat(pulseSocket); err == nil && fi.Mode()&os.ModeSocket != 0 {
		server = "PulseAudio at " + pulseSocket
	}
	return fmt.Sprintf("card %d, %s", n, server), nil
}
