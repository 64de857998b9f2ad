package check

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ringo-phone/ringo/internal/command"
)

// A check is one of hwcheck's commands.
type check struct {
	name, args, about string
	run               func(context.Context, []string, command.Env) error
	flags             func() *flag.FlagSet
}

const (
	gpioSimUsage = "[-chip NAME] -lines a,b[,c...]"
	i2cUsage     = "[-bus N] [-addr 0x18] [-reg 0x10] [-value 0xa5]"
)

var checks = []check{
	{"gpiosim", gpioSimUsage, "make a gpio-sim chip with these named lines and list what its GPIO character device shows",
		gpioSim, gpioSimFlags},
	{"i2c", i2cUsage, "write a byte to an I2C register and read it back (default: on the SMBus stub)",
		i2cCheck, func() *flag.FlagSet { fs, _ := i2cFlags(); return fs }},
	{"i2c-read", i2cReadUsage, "read registers over SMBus and print them (e.g. the codec's, to compare with its data sheet)",
		i2cRead, func() *flag.FlagSet { fs, _, _ := i2cReadFlags(); return fs }},
	{"board", boardUsage, "report each part of the board (GPIO lines and who holds them, codec, keys, modem port, sound card, storage) without taking any",
		boardCheck, func() *flag.FlagSet { fs, _ := boardFlags(); return fs }},
	{"pulse", pulseUsage, "time a pulse (low, high, low) on a simulated output line, e.g. the radio's PWRKEY",
		pulse, func() *flag.FlagSet { fs, _ := pulseFlags(); return fs }},
}

// Main runs hwcheck with args (without the program name) and returns its
// exit code: 0 the check passed, 1 it failed, 2 usage error.
func Main(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "hwcheck", run(ctx, args, env))
}

func run(ctx context.Context, args []string, env command.Env) error {
	if len(args) == 0 {
		return fmt.Errorf("%w: no check given\n%s", command.ErrUsage, hint)
	}
	switch args[0] {
	case "-h", "-help", "--help", "help":
		writeUsage(env.Stdout)
		return nil
	}
	for _, c := range checks {
		if c.name == args[0] {
			return c.run(ctx, args[1:], env)
		}
	}
	return fmt.Errorf("%w: unknown check %q (the checks: %s)\n%s", command.ErrUsage, args[0], strings.Join(names(), ", "), hint)
}

const hint = `Run "hwcheck -h" for the checks.`

func names() []string {
	var out []string
	for _, c := range checks {
		out = append(out, c.name)
	}
	return out
}

func writeUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: hwcheck CHECK [flags]   (\"hwcheck CHECK -h\" shows a check's flags)")
	fmt.Fprintln(w, "\nchecks:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range checks {
		fmt.Fprintf(tw, "  %s %s\t%s\n", c.name, c.args, c.about)
	}
	tw.Flush()
	fmt.Fprintln(w, "\nexit status: 0 the check passed, 1 it failed, 2 usage error.")
}

func gpioSimFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("hwcheck gpiosim", flag.ContinueOnError)
	fs.String("chip", "ringo", "gpio-sim device `name` in configfs")
	fs.String("lines", "", "comma-separated line `names` (required)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hwcheck gpiosim %s\n", gpioSimUsage)
		fs.PrintDefaults()
	}
	return fs
}

func gpioSimArgs(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: gpiosim: unexpected arguments %q", command.ErrUsage, fs.Args())
	}
	lines := fs.Lookup("lines").Value.String()
	if lines == "" {
		return fmt.Errorf("%w: gpiosim: -lines is required, e.g. -lines FLIGHT_MODE,VBAT_EN", command.ErrUsage)
	}
	for _, n := range strings.Split(lines, ",") {
		if n == "" {
			return fmt.Errorf("%w: gpiosim: -lines %q has an empty name", command.ErrUsage, lines)
		}
	}
	if fs.Lookup("chip").Value.String() == "" {
		return fmt.Errorf("%w: gpiosim: -chip is empty", command.ErrUsage)
	}
	return nil
}

// i2cArgs are the i2c check's flags.
type i2cArgs struct {
	bus              int
	addr, reg, value uint
}

func i2cFlags() (*flag.FlagSet, *i2cArgs) {
	fs := flag.NewFlagSet("hwcheck i2c", flag.ContinueOnError)
	a := &i2cArgs{}
	fs.IntVar(&a.bus, "bus", -1, "I2C bus `number` (-1: the SMBus stub's)")
	fs.UintVar(&a.addr, "addr", 0x18, "7-bit device `address` (the codec answers at 0x18)")
	fs.UintVar(&a.reg, "reg", 0x10, "`register`")
	fs.UintVar(&a.value, "value", 0xa5, "`byte` to write and read back")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hwcheck i2c %s\n", i2cUsage)
		fs.PrintDefaults()
	}
	return fs, a
}

func (a *i2cArgs) check(fs *flag.FlagSet) error {
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: i2c: unexpected arguments %q", command.ErrUsage, fs.Args())
	}
	if a.addr > 0x7f || a.reg > 0xff || a.value > 0xff {
		return fmt.Errorf("%w: i2c: addr 0x%x, reg 0x%x, value 0x%x out of range (addr at most 0x7f, reg and value at most 0xff)",
			command.ErrUsage, a.addr, a.reg, a.value)
	}
	return nil
}
