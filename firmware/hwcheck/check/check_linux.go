package check

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"unsafe"

	"github.com/ringo-phone/ringo/internal/command"
	"golang.org/x/sys/unix"
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
	bus, addr, reg, value := &a.bus, &a.addr, &a.reg, &a.value
	if *bus < 0 {
		n, err := findAdapter("SMBus stub driver")
		if err != nil {
			return err
		}
		*bus = n
	}
	f, err := os.OpenFile(fmt.Sprintf("/dev/i2c-%d", *bus), os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("i2c: %w", err)
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := unix.IoctlSetInt(fd, ioctlI2CSlave, int(*addr)); err != nil {
		return fmt.Errorf("i2c: select 0x%02x: %w", *addr, err)
	}
	if err := smbusWriteByteData(fd, byte(*reg), byte(*value)); err != nil {
		return fmt.Errorf("i2c: write reg 0x%02x: %w", *reg, err)
	}
	got, err := smbusReadByteData(fd, byte(*reg))
	if err != nil {
		return fmt.Errorf("i2c: read reg 0x%02x: %w", *reg, err)
	}
	fmt.Fprintf(out, "i2c-%d 0x%02x reg 0x%02x wrote 0x%02x read 0x%02x\n", *bus, *addr, *reg, *value, got)
	if got != byte(*value) {
		return fmt.Errorf("i2c: read back 0x%02x, wrote 0x%02x", got, *value)
	}
	return nil
}

func findAdapter(name string) (int, error) {
	paths, _ := filepath.Glob("/sys/class/i2c-dev/i2c-*/name")
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil || strings.TrimSpace(string(b)) != name {
			continue
		}
		return strconv.Atoi(strings.TrimPrefix(filepath.Base(filepath.Dir(p)), "i2c-"))
	}
	return 0, fmt.Errorf("i2c: no adapter named %q (is i2c-stub loaded?)", name)
}

// SMBus transfers through the I2C_SMBUS ioctl (linux/i2c-dev.h): i2c-stub
// speaks SMBus only, not plain I2C_RDWR.
const (
	smbusRead       = 1
	smbusWrite      = 0
	smbusByteData   = 2
	ioctlI2CSMBus   = 0x0720
	ioctlI2CSlave   = 0x0703
	smbusBlockBytes = 34
)

type smbusArgs struct {
	readWrite uint8
	command   uint8
	size      uint32
	data      *[smbusBlockBytes]byte
}

func smbusAccess(fd int, rw, cmd uint8, size uint32, data *[smbusBlockBytes]byte) error {
	a := smbusArgs{readWrite: rw, command: cmd, size: size, data: data}
	_, _, errno := unix.Syscall(unix.SYS_IOCTL, uintptr(fd), ioctlI2CSMBus, uintptr(unsafe.Pointer(&a)))
	if errno != 0 {
		return errno
	}
	return nil
}

func smbusWriteByteData(fd int, reg, v byte) error {
	var d [smbusBlockBytes]byte
	d[0] = v
	return smbusAccess(fd, smbusWrite, reg, smbusByteData, &d)
}

func smbusReadByteData(fd int, reg byte) (byte, error) {
	var d [smbusBlockBytes]byte
	err := smbusAccess(fd, smbusRead, reg, smbusByteData, &d)
	return d[0], err
}
