package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/ringo-phone/ringo/drivers/smbus"
	"github.com/ringo-phone/ringo/internal/command"
	"periph.io/x/conn/v3/i2c"
	"periph.io/x/host/v3"
	"periph.io/x/host/v3/gpioioctl"
)

const configfsGPIOSim = "/sys/kernel/config/gpio-sim"

func gpioSim(ctx context.Context, args []string, env command.Env) error {
	fs := gpioSimFlags()
	chip, lines := fs.Lookup("chip").Value, fs.Lookup("lines").Value
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := gpioSimArgs(fs); err != nil {
		return err
	}
	out := env.Stdout
	names := strings.Split(lines.String(), ",")
	chipName := chip.String()
	dev := filepath.Join(configfsGPIOSim, chipName)
	bank := filepath.Join(dev, "bank0")
	if err := os.MkdirAll(bank, 0o755); err != nil {
		return fmt.Errorf("gpiosim: %w (is configfs mounted and gpio-sim loaded?)", err)
	}
	if err := writeAttr(bank, "label", chipName); err != nil {
		return err
	}
	if err := writeAttr(bank, "num_lines", strconv.Itoa(len(names))); err != nil {
		return err
	}
	for i, n := range names {
		line := filepath.Join(bank, fmt.Sprintf("line%d", i))
		if err := os.MkdirAll(line, 0o755); err != nil {
			return fmt.Errorf("gpiosim: %w", err)
		}
		if err := writeAttr(line, "name", n); err != nil {
			return err
		}
	}
	if err := writeAttr(dev, "live", "1"); err != nil {
		return err
	}
	devName, err := os.ReadFile(filepath.Join(bank, "chip_name"))
	if err != nil {
		return fmt.Errorf("gpiosim: %w", err)
	}
	want := strings.TrimSpace(string(devName))

	// periph's GPIO driver enumerates the character devices at Init.
	if _, err := host.Init(); err != nil {
		return fmt.Errorf("gpiosim: periph host init: %w", err)
	}
	for _, c := range gpioioctl.Chips {
		if c.Name() != want {
			continue
		}
		var got []string
		for _, l := range c.Lines() {
			got = append(got, l.Name())
		}
		fmt.Fprintf(out, "%s label %s lines %s\n", c.Name(), c.Label(), strings.Join(got, ","))
		if strings.Join(got, ",") != strings.Join(names, ",") {
			return fmt.Errorf("gpiosim: %s lists lines %q, want %q", want, got, names)
		}
		return nil
	}
	return fmt.Errorf("gpiosim: no GPIO character device %s among %d chips", want, len(gpioioctl.Chips))
}

func writeAttr(dir, name, value string) error {
	if err := os.WriteFile(filepath.Join(dir, name), []byte(value), 0o644); err != nil {
		return fmt.Errorf("gpiosim: %w", err)
	}
	return nil
}

func i2cCheck(ctx context.Context, args []string, env command.Env) error {
	fs, a := i2cFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := a.check(fs); err != nil {
		return err
	}
	out := env.Stdout
	if a.bus < 0 {
		n, err := smbus.Find(smbusStubName)
		if err != nil {
			return fmt.Errorf("i2c: %w (is i2c-stub loaded?)", err)
		}
		a.bus = n
	}
	bus, err := smbus.Open(a.bus)
	if err != nil {
		return fmt.Errorf("i2c: %w", err)
	}
	defer bus.Close()
	dev := &i2c.Dev{Bus: bus, Addr: uint16(a.addr)}
	reg, value := byte(a.reg), byte(a.value)
	if err := dev.Tx([]byte{reg, value}, nil); err != nil {
		return fmt.Errorf("i2c: write reg 0x%02x: %w", reg, err)
	}
	got := make([]byte, 1)
	if err := dev.Tx([]byte{reg}, got); err != nil {
		return fmt.Errorf("i2c: read reg 0x%02x: %w", reg, err)
	}
	fmt.Fprintf(out, "i2c-%d 0x%02x reg 0x%02x wrote 0x%02x read 0x%02x\n", a.bus, a.addr, reg, value, got[0])
	if got[0] != value {
		return fmt.Errorf("i2c: read back 0x%02x, wrote 0x%02x", got[0], value)
	}
	return nil
}

// smbusStubName is the adapter name i2c-stub registers.
const smbusStubName = "SMBus stub driver"
