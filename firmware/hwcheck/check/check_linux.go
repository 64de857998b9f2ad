package check

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/smbus"
	"github.com/ringo-phone/ringo/internal/command"
	"golang.org/x/sys/unix"
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
	var d time.Duration
	if a.source == "sysfs" {
		read := func() (bool, error) { return sim.Value(a.line) }
		d, err = measurePulse(ctx, a.line, read, realPulseClock(), a.poll, a.timeout)
	} else {
		d, err = tracePulse(ctx, a.line, uint(slices.Index(sim.Lines, a.line)), realPulseClock(), a.timeout)
	}
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

// tracefs is where the kernel's tracing file system is mounted.
const tracefs = "/sys/kernel/tracing"

// kprobeArgs are the kprobes on gpio-sim's set functions, whose second
// and third arguments are the line offset and value (gpio_sim_set) or
// pointers to the mask and the bits (gpio_sim_set_multiple).
func kprobeArgs() ([]string, error) {
	var a1, a2 string
	switch runtime.GOARCH {
	case "arm64":
		a1, a2 = "%x1", "%x2"
	case "amd64":
		a1, a2 = "%si", "%dx"
	default:
		return nil, fmt.Errorf("pulse: no kprobe argument registers known for %s (use -source sysfs)", runtime.GOARCH)
	}
	return []string{
		"p:hwcheck/simset gpio_sim:gpio_sim_set offset=" + a1 + ":u32 value=" + a2 + ":s32",
		"p:hwcheck/simsetm gpio_sim:gpio_sim_set_multiple mask=+0(" + a1 + "):x64 bits=+0(" + a2 + "):x64",
	}, nil
}

func writeTrace(name, v string, flag int) error {
	f, err := os.OpenFile(filepath.Join(tracefs, name), os.O_WRONLY|flag, 0)
	if err != nil {
		return err
	}
	_, err = f.WriteString(v)
	return errors.Join(err, f.Close())
}

// removeProbes disables and removes hwcheck's kprobes, if any.
func removeProbes() {
	writeTrace("events/hwcheck/enable", "0", 0)
	writeTrace("kprobe_events", "-:hwcheck/simset\n", os.O_APPEND)
	writeTrace("kprobe_events", "-:hwcheck/simsetm\n", os.O_APPEND)
}

// tracePulse times a pulse on a gpio-sim line by the kernel's own
// timestamps: kprobes on the simulator's set functions record every set
// with the time it happened, so a starved console process measures as
// well as an idle one. The line is named by its offset: on a board with
// several simulated chips a set on another chip's same offset counts too.
func tracePulse(ctx context.Context, name string, offset uint, c pulseClock, timeout time.Duration) (time.Duration, error) {
	probes, err := kprobeArgs()
	if err != nil {
		return 0, err
	}
	if _, err := os.Stat(filepath.Join(tracefs, "kprobe_events")); err != nil {
		if err := unix.Mount("nodev", tracefs, "tracefs", 0, ""); err != nil {
			return 0, fmt.Errorf("pulse: mount tracefs on %s: %w (is CONFIG_KPROBE_EVENTS set? -source sysfs polls instead)", tracefs, err)
		}
	}
	removeProbes()
	defer removeProbes()
	for _, p := range probes {
		if err := writeTrace("kprobe_events", p+"\n", os.O_APPEND); err != nil {
			return 0, fmt.Errorf("pulse: add kprobe %q: %w (is gpio-sim loaded?)", p, err)
		}
	}
	// Reading the trace must not pause the recording.
	if err := writeTrace("options/pause-on-trace", "0", 0); err != nil {
		return 0, fmt.Errorf("pulse: %w", err)
	}
	if err := writeTrace("trace", "", os.O_TRUNC); err != nil {
		return 0, fmt.Errorf("pulse: clear the trace: %w", err)
	}
	if err := writeTrace("events/hwcheck/enable", "1", 0); err != nil {
		return 0, fmt.Errorf("pulse: enable the kprobes: %w", err)
	}
	start := c.now()
	for {
		b, err := os.ReadFile(filepath.Join(tracefs, "trace"))
		if err != nil {
			return 0, fmt.Errorf("pulse: %w", err)
		}
		d, rose, ok := tracedPulse(parseTraceSets(string(b), offset))
		if ok {
			return d, nil
		}
		if c.now().Sub(start) >= timeout {
			if rose {
				return 0, fmt.Errorf("%w: %s was set high but not low again within %v", ErrNoPulse, name, timeout)
			}
			return 0, fmt.Errorf("%w: nothing set %s high within %v", ErrNoPulse, name, timeout)
		}
		if err := c.sleep(ctx, 20*time.Millisecond); err != nil {
			return 0, fmt.Errorf("pulse: waiting for %s: %w", name, err)
		}
	}
}
