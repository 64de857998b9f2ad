package check

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/smbus"
	"github.com/ringo-phone/ringo/internal/command"
	"periph.io/x/conn/v3/i2c"
)

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
	sim, err := board.CreateGPIOSim("/", board.GPIOSim{Name: chipName, Label: chipName, Lines: names})
	if err != nil {
		return fmt.Errorf("gpiosim: %w", err)
	}
	// periph's GPIO driver enumerates the character devices once, now
	// that the chip is live.
	chips, err := gpioline.System().List()
	if err != nil {
		return fmt.Errorf("gpiosim: %w", err)
	}
	for _, c := range chips {
		if c.Name != sim.Chip {
			continue
		}
		fmt.Fprintf(out, "%s label %s lines %s\n", c.Name, c.Label, strings.Join(c.Lines, ","))
		if strings.Join(c.Lines, ",") != strings.Join(names, ",") {
			return fmt.Errorf("gpiosim: %s lists lines %q, want %q", sim.Chip, c.Lines, names)
		}
		return nil
	}
	return fmt.Errorf("gpiosim: no GPIO character device %s among %d chips", sim.Chip, len(chips))
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

func i2cRead(ctx context.Context, args []string, env command.Env) error {
	fs, a, regs := i2cReadFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := a.check(fs, *regs); err != nil {
		return err
	}
	if a.bus < 0 {
		n, err := smbus.Find(smbusStubName)
		if err != nil {
			return fmt.Errorf("i2c-read: %w (is i2c-stub loaded?)", err)
		}
		a.bus = n
	}
	bus, err := smbus.Open(a.bus)
	if err != nil {
		return fmt.Errorf("i2c-read: %w", err)
	}
	defer bus.Close()
	dev := &i2c.Dev{Bus: bus, Addr: uint16(a.addr)}
	out := make([]string, 0, len(a.regs))
	for _, reg := range a.regs {
		got := make([]byte, 1)
		if err := dev.Tx([]byte{reg}, got); err != nil {
			return fmt.Errorf("i2c-read: i2c-%d 0x%02x register %d: %w", a.bus, a.addr, reg, err)
		}
		out = append(out, fmt.Sprintf("%d=0x%02x", reg, got[0]))
	}
	fmt.Fprintf(env.Stdout, "i2c-%d 0x%02x %s\n", a.bus, a.addr, strings.Join(out, " "))
	return nil
}

func pulse(ctx context.Context, args []string, env command.Env) error {
	fs, a := pulseFlags()
	if a.board == "" && env.Getenv != nil {
		a.board = env.Getenv("RINGO_BOARD")
	}
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if err := a.check(fs); err != nil {
		return err
	}
	b, err := pulseBoard(a.board)
	if err != nil {
		return fmt.Errorf("pulse: %w", err)
	}
	var sim board.SimChip
	found := false
	for _, s := range b.GPIOSim {
		if slices.Contains(s.Lines, a.line) {
			if sim, err = board.CreateGPIOSim("/", s); err != nil {
				return fmt.Errorf("pulse: %w", err)
			}
			found = true
			break
		}
	}
	if !found {
		return fmt.Errorf("pulse: %s has no simulated line %s (hwsim lines lists them)", b.Name, a.line)
	}
	read := func() (bool, error) { return sim.Value(a.line) }
	d, err := measurePulse(ctx, a.line, read, realPulseClock(), a.poll, a.timeout)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "%s high for %d ms\n", a.line, d.Milliseconds())
	return nil
}

func pulseBoard(name string) (board.Board, error) {
	if name != "" {
		return board.ByName(name)
	}
	compat, err := board.ReadCompatible("/")
	if err != nil {
		return board.Board{}, fmt.Errorf("%w (name the board with -board)", err)
	}
	return board.Lookup(compat)
}
