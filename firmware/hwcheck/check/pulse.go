package check

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
)

const (
	pulseUsage   = "-line NAME [-board NAME] [-source trace|sysfs] [-timeout 30s] [-poll 1ms]"
	i2cReadUsage = "[-bus N] [-addr 0x18] -regs 47,51[,...]"
)

// ErrNoPulse reports a line that did not rise and fall in time.
var ErrNoPulse = errors.New("no pulse")

// pulseArgs are the pulse check's flags.
type pulseArgs struct {
	line, board   string
	source        string
	timeout, poll time.Duration
}

func pulseFlags() (*flag.FlagSet, *pulseArgs) {
	fs := flag.NewFlagSet("hwcheck pulse", flag.ContinueOnError)
	a := &pulseArgs{}
	fs.StringVar(&a.line, "line", "", "the simulated output line's `name`, e.g. PWRKEY (required)")
	fs.StringVar(&a.board, "board", "", "board `name` (default: chosen by the device tree's compatible string; env RINGO_BOARD)")
	fs.StringVar(&a.source, "source", "trace", "how the pulse is timed: `trace` (the kernel's timestamps of the simulator's sets, through kprobes) or sysfs (polls the line's value every -poll)")
	fs.DurationVar(&a.timeout, "timeout", 30*time.Second, "how long to wait for the whole pulse")
	fs.DurationVar(&a.poll, "poll", time.Millisecond, "how often the line's value is read")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hwcheck pulse %s\n", pulseUsage)
		fmt.Fprintln(fs.Output(), "Waits for a gpio-sim line to go high, then low, and prints how long it was high.")
		fmt.Fprintln(fs.Output(), "Start it before the pulse: only sets after it starts count.")
		fs.PrintDefaults()
	}
	return fs, a
}

func (a *pulseArgs) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: pulse: unexpected arguments %q", command.ErrUsage, fs.Args())
	}
	if a.line == "" {
		return fmt.Errorf("%w: pulse: -line is required, e.g. -line PWRKEY", command.ErrUsage)
	}
	if a.source != "trace" && a.source != "sysfs" {
		return fmt.Errorf("%w: pulse: -source %q: want trace or sysfs", command.ErrUsage, a.source)
	}
	if a.timeout <= 0 || a.poll <= 0 {
		return fmt.Errorf("%w: pulse: -timeout %v and -poll %v must be positive", command.ErrUsage, a.timeout, a.poll)
	}
	return nil
}

// lineReader reads a line's level.
type lineReader func() (high bool, err error)

// pulseClock is the time the pulse measurement polls on.
type pulseClock struct {
	now   func() time.Time
	sleep func(context.Context, time.Duration) error
}

func realPulseClock() pulseClock {
	return pulseClock{now: time.Now, sleep: func(ctx context.Context, d time.Duration) error {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			return nil
		}
	}}
}

// measurePulse polls read every poll until the line has gone from low to
// high and back to low, and returns how long it was high (to within one
// poll). A line already high when it starts must first go low: only a
// whole pulse counts. It gives up after timeout.
func measurePulse(ctx context.Context, name string, read lineReader, c pulseClock, poll, timeout time.Duration) (time.Duration, error) {
	start := c.now()
	var rose time.Time
	sawLow := false
	for {
		high, err := read()
		if err != nil {
			return 0, fmt.Errorf("pulse: %w", err)
		}
		now := c.now()
		switch {
		case !high && !rose.IsZero():
			return now.Sub(rose), nil
		case !high:
			sawLow = true
		case high && sawLow && rose.IsZero():
			rose = now
		}
		if now.Sub(start) >= timeout {
			switch {
			case !sawLow:
				return 0, fmt.Errorf("%w: %s stayed high for %v (it must be low before a pulse)", ErrNoPulse, name, timeout)
			case rose.IsZero():
				return 0, fmt.Errorf("%w: %s stayed low for %v: nothing drove it high", ErrNoPulse, name, timeout)
			default:
				return 0, fmt.Errorf("%w: %s went high but was still high %v later", ErrNoPulse, name, now.Sub(rose))
			}
		}
		if err := c.sleep(ctx, poll); err != nil {
			return 0, fmt.Errorf("pulse: waiting for %s: %w", name, err)
		}
	}
}

// i2cReadArgs are the i2c-read check's flags.
type i2cReadArgs struct {
	bus  int
	addr uint
	regs []byte
}

func i2cReadFlags() (*flag.FlagSet, *i2cReadArgs, *string) {
	fs := flag.NewFlagSet("hwcheck i2c-read", flag.ContinueOnError)
	a := &i2cReadArgs{}
	fs.IntVar(&a.bus, "bus", -1, "I2C bus `number` (-1: the SMBus stub's)")
	fs.UintVar(&a.addr, "addr", 0x18, "7-bit device `address` (the codec answers at 0x18)")
	regs := fs.String("regs", "", "comma-separated `registers`, decimal as data sheets number them or 0x hex (required)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hwcheck i2c-read %s\n", i2cReadUsage)
		fmt.Fprintln(fs.Output(), "Reads registers over SMBus (read-byte-data) and prints one \"REG=0xVV\" per register, on one line.")
		fs.PrintDefaults()
	}
	return fs, a, regs
}

func (a *i2cReadArgs) check(fs *flag.FlagSet, regs string) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: i2c-read: unexpected arguments %q", command.ErrUsage, fs.Args())
	}
	if a.addr > 0x7f {
		return fmt.Errorf("%w: i2c-read: addr 0x%x out of range (at most 0x7f)", command.ErrUsage, a.addr)
	}
	if regs == "" {
		return fmt.Errorf("%w: i2c-read: -regs is required, e.g. -regs 47,51", command.ErrUsage)
	}
	for _, s := range strings.Split(regs, ",") {
		n, err := strconv.ParseUint(s, 0, 8)
		if err != nil {
			return fmt.Errorf("%w: i2c-read: register %q in -regs is not a number from 0 to 255", command.ErrUsage, s)
		}
		a.regs = append(a.regs, byte(n))
	}
	return nil
}

// traceSet is one set of a gpio-sim line as the kernel traced it.
type traceSet struct {
	at   time.Duration // the kernel's timestamp
	high bool
}

// parseTraceSets picks the sets of the chip's line offset out of a
// tracefs trace holding the kprobes hwcheck puts on gpio_sim_set
// ("offset=2 value=1") and gpio_sim_set_multiple ("mask=0x4 bits=0x4").
// Lines it does not recognise are skipped.
func parseTraceSets(trace string, offset uint) []traceSet {
	var sets []traceSet
	for _, line := range strings.Split(trace, "\n") {
		if strings.HasPrefix(line, "#") {
			continue
		}
		fields := strings.Fields(line)
		var at time.Duration
		found := false
		kv := map[string]string{}
		for _, f := range fields {
			if !found && strings.HasSuffix(f, ":") {
				if d, ok := parseTraceStamp(strings.TrimSuffix(f, ":")); ok {
					at, found = d, true
					continue
				}
			}
			if k, v, ok := strings.Cut(f, "="); ok {
				kv[k] = v
			}
		}
		if !found {
			continue
		}
		if o, ok := kv["offset"]; ok {
			n, err1 := strconv.ParseUint(o, 0, 32)
			v, err2 := strconv.ParseInt(kv["value"], 0, 32)
			if err1 == nil && err2 == nil && uint(n) == offset {
				sets = append(sets, traceSet{at, v != 0})
			}
			continue
		}
		mask, err1 := strconv.ParseUint(kv["mask"], 0, 64)
		bits, err2 := strconv.ParseUint(kv["bits"], 0, 64)
		if err1 == nil && err2 == nil && offset < 64 && mask&(1<<offset) != 0 {
			sets = append(sets, traceSet{at, bits&(1<<offset) != 0})
		}
	}
	return sets
}

// parseTraceStamp reads a trace timestamp, seconds with microseconds
// ("23.183095").
func parseTraceStamp(s string) (time.Duration, bool) {
	sec, frac, ok := strings.Cut(s, ".")
	if !ok || len(frac) != 6 {
		return 0, false
	}
	n, err1 := strconv.ParseUint(sec, 10, 63)
	us, err2 := strconv.ParseUint(frac, 10, 32)
	if err1 != nil || err2 != nil {
		return 0, false
	}
	return time.Duration(n)*time.Second + time.Duration(us)*time.Microsecond, true
}

// tracedPulse is the length of the first whole pulse in sets: from the
// first set high to the next set low. ok is false until the line has
// gone high and back.
func tracedPulse(sets []traceSet) (d time.Duration, rose, ok bool) {
	var start time.Duration
	for _, s := range sets {
		switch {
		case s.high && !rose:
			start, rose = s.at, true
		case !s.high && rose:
			return s.at - start, true, true
		}
	}
	return 0, rose, false
}
