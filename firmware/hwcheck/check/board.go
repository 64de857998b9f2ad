package check

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
)

const boardUsage = "[-board NAME]"

func boardFlags() (*flag.FlagSet, *string) {
	fs := flag.NewFlagSet("hwcheck board", flag.ContinueOnError)
	name := fs.String("board", "", "the board `name` to check (default: the one the device tree's compatible string selects)")
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: hwcheck board %s\n", boardUsage)
		fs.PrintDefaults()
	}
	return fs, name
}

// prober looks at the hardware without taking it: phoned may hold every
// line and device while hwcheck runs.
type prober interface {
	// line finds a GPIO line: where it is, and who holds it ("" if no
	// one).
	line(l board.Line) (at, holder string, err error)
	// i2c finds the adapter and reads one register of the device at addr.
	i2c(adapter string, bus int, addr uint16) (at string, err error)
	// input finds an input device by name or path.
	input(spec string) (path string, err error)
	// charDev checks that path is a character device.
	charDev(path string) error
	// blockDev finds a block device by path or filesystem label.
	blockDev(path, label string) (at string, err error)
	// card finds an ALSA card by id or name, and the sound server's socket.
	card(name string) (at string, err error)
}

// part is one line of the report.
type part struct {
	name, detail string
	err          error
}

// boardReport probes each part the board describes, in a fixed order.
func boardReport(b board.Board, p prober) []part {
	var out []part
	line := func(name string, l board.Line) {
		at, holder, err := p.line(l)
		detail := fmt.Sprintf("%s at %s, active %s", l, at, l.Active)
		switch {
		case err != nil:
			detail = l.String()
		case holder == "":
			detail += ", not held (phoned not running, or not using it)"
		default:
			detail += ", held by " + holder
		}
		out = append(out, part{name, detail, err})
	}
	if b.Flight != nil {
		line("flight switch", b.Flight.Line)
	} else {
		out = append(out, part{"flight switch", "none: a software switch (phonectl flight on|off)", nil})
	}
	if r := b.Radio; r != nil {
		for _, l := range []struct {
			role string
			line board.Line
		}{{"VBAT_EN", r.VBATEn}, {"PWRKEY", r.PWRKey}, {"RESET", r.Reset}, {"W_DISABLE", r.WDisable}, {"STATUS", r.Status}} {
			if !l.line.IsZero() {
				line("radio "+l.role, l.line)
			}
		}
		for _, l := range []struct {
			role string
			line *board.Line
		}{{"DTR", r.DTR}, {"AP_READY", r.APReady}, {"RI", r.RI}} {
			if l.line != nil {
				line("radio "+l.role, *l.line)
			}
		}
	}
	if c := b.Codec; c != nil {
		at, err := p.i2c(c.Adapter, c.Bus, c.Addr)
		out = append(out, part{"codec", fmt.Sprintf("%s at 0x%02x on %s", c.Model, c.Addr, at), err})
	}
	for _, k := range b.Keypads {
		path, err := p.input(k.Device)
		out = append(out, part{"keypad", fmt.Sprintf("%q at %s", k.Device, path), err})
	}
	if m := b.ModemPort; m != nil {
		out = append(out, part{"modem port", fmt.Sprintf("%s at %d baud", m.Path, m.Baud), p.charDev(m.Path)})
	}
	if a := b.Audio; a != nil {
		at, err := p.card(a.Card)
		out = append(out, part{"sound card", fmt.Sprintf("%q %s", a.Card, at), err})
	}
	if s := b.Storage; s != nil {
		at, err := p.blockDev(s.Device, s.Label)
		out = append(out, part{"state storage", fmt.Sprintf("%s %s", at, s.FSType), err})
	}
	return out
}

// writeReport prints one line a part: ok or FAIL, the part, and what was
// found or what is wrong (each error says what to do).
func writeReport(w io.Writer, b board.Board, parts []part) error {
	fmt.Fprintf(w, "board %s\n", b.Name)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	var failed []string
	for _, p := range parts {
		if p.err != nil {
			failed = append(failed, p.name)
			fmt.Fprintf(tw, "FAIL\t%s\t%s\n", p.name, p.err)
			continue
		}
		fmt.Fprintf(tw, "ok\t%s\t%s\n", p.name, p.detail)
	}
	tw.Flush()
	if len(parts) == 0 {
		fmt.Fprintln(w, "the board describes no hardware")
	}
	if len(failed) > 0 {
		return fmt.Errorf("board: %d of %d parts not found or not answering: %s", len(failed), len(parts), strings.Join(failed, ", "))
	}
	return nil
}

var errNoBoard = errors.New("no board")

func boardCheck(ctx context.Context, args []string, env command.Env) error {
	fs, name := boardFlags()
	if code, ok := command.Parse(fs, args, env); !ok {
		return command.ExitError{Code: code}
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("%w: board takes no arguments, got %q", command.ErrUsage, fs.Args())
	}
	var b board.Board
	var err error
	if *name != "" {
		b, err = board.ByName(*name)
	} else {
		var compat []string
		if compat, err = board.ReadCompatible("/"); err == nil {
			b, err = board.Lookup(compat)
		}
	}
	if err != nil {
		return fmt.Errorf("board: %w: %w (name one with -board)", errNoBoard, err)
	}
	p, err := systemProber()
	if err != nil {
		return fmt.Errorf("board: %w", err)
	}
	return writeReport(env.Stdout, b, boardReport(b, p))
}
