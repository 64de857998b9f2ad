// Package sim is hwsim's logic: it finds the board's gpio-sim chips (the
// same ones the board bring-up makes, by name) and drives or reads their
// lines.
package sim

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
)

const usage = `usage: hwsim [-board NAME] [-root DIR] COMMAND
  flight on|off          move the flight-mode switch
  status-line high|low   drive the modem's STATUS output
  lines                  list the simulated lines and their levels`

// ErrNoSim reports a board without simulated hardware.
var ErrNoSim = errors.New("this board has no simulated hardware (gpio-sim)")

// Main is hwsim's command line.
func Main(ctx context.Context, args []string, env command.Env) int {
	return command.Exit(env, "hwsim", run(args, env))
}

func run(args []string, env command.Env) error {
	fs := flag.NewFlagSet("hwsim", flag.ContinueOnError)
	name := fs.String("board", env.Getenv("RINGO_BOARD"), "board name (default: chosen by the device tree's compatible string; env RINGO_BOARD)")
	root := fs.String("root", "/", "the root the kernel's configfs and sysfs are under (tests)")
	fs.Usage = func() { fmt.Fprintln(fs.Output(), usage); fs.PrintDefaults() }
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if fs.NArg() == 0 {
		return fmt.Errorf("%w: no command\n%s", command.ErrUsage, usage)
	}
	b, err := findBoard(*root, *name)
	if err != nil {
		return err
	}
	if len(b.GPIOSim) == 0 {
		return fmt.Errorf("%w: %s's lines are real; hwsim drives only the CI board's", ErrNoSim, b.Name)
	}
	cmd, rest := fs.Arg(0), fs.Args()[1:]
	switch cmd {
	case "flight":
		if b.Flight == nil {
			return fmt.Errorf("%s has no flight-mode switch", b.Name)
		}
		on, err := choice(cmd, rest, "on", "off")
		if err != nil {
			return err
		}
		// The switch is active (flight mode) at its line's active level.
		return drive(*root, b, b.Flight.Line, on == (b.Flight.Line.Active != board.ActiveLow), env, "flight mode "+rest[0])
	case "status-line":
		if b.Radio == nil {
			return fmt.Errorf("%s has no radio", b.Name)
		}
		high, err := choice(cmd, rest, "high", "low")
		if err != nil {
			return err
		}
		return drive(*root, b, b.Radio.Status, high, env, "STATUS "+rest[0])
	case "lines":
		if len(rest) > 0 {
			return fmt.Errorf("%w: lines takes no arguments, got %q", command.ErrUsage, rest)
		}
		return lines(*root, b, env)
	}
	return fmt.Errorf("%w: unknown command %q\n%s", command.ErrUsage, cmd, usage)
}

func findBoard(root, name string) (board.Board, error) {
	if name != "" {
		return board.ByName(name)
	}
	compat, err := board.ReadCompatible(root)
	if err != nil {
		return board.Board{}, fmt.Errorf("%w (name the board with -board)", err)
	}
	return board.Lookup(compat)
}

// choice parses the one argument of cmd: yes is true, no false.
func choice(cmd string, rest []string, yes, no string) (bool, error) {
	if len(rest) == 1 && (rest[0] == yes || rest[0] == no) {
		return rest[0] == yes, nil
	}
	return false, fmt.Errorf("%w: %s takes %s or %s, got %q", command.ErrUsage, cmd, yes, no, strings.Join(rest, " "))
}

// chip takes the board's gpio-sim chip labelled label: the one the bring-up
// made, or made now the same way (phoned takes it as it is when it starts).
func chip(root string, b board.Board, label string) (board.SimChip, error) {
	for _, s := range b.GPIOSim {
		l := s.Label
		if l == "" {
			l = s.Name
		}
		if l == label {
			return board.CreateGPIOSim(root, s)
		}
	}
	return board.SimChip{}, fmt.Errorf("%w: %s has no gpio-sim chip labelled %q", ErrNoSim, b.Name, label)
}

func drive(root string, b board.Board, l board.Line, high bool, env command.Env, what string) error {
	c, err := chip(root, b, l.Chip)
	if err != nil {
		return err
	}
	if err := c.Drive(l.Name, high); err != nil {
		return err
	}
	level := "low"
	if high {
		level = "high"
	}
	fmt.Fprintf(env.Stdout, "%s: %s %s driven %s\n", what, l.Chip, l.Name, level)
	return nil
}

func lines(root string, b board.Board, env command.Env) error {
	for _, s := range b.GPIOSim {
		c, err := board.CreateGPIOSim(root, s)
		if err != nil {
			return err
		}
		for i, n := range s.Lines {
			high, err := c.Value(n)
			if err != nil {
				return err
			}
			level := "low"
			if high {
				level = "high"
			}
			fmt.Fprintf(env.Stdout, "%s %d %-10s %s\n", c.Label, i, n, level)
		}
	}
	return nil
}
