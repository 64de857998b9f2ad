package board

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/ringo-phone/ringo/drivers/flightmode"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/radio"
)

// Clock times the drivers' debounce and pulses. Any type with these two
// methods will do; Ringo's fake clock and the drivers' Clock are the same
// shape, as their Timer is the same type.
type Clock interface {
	Now() time.Time
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a pending AfterFunc call, the same alias as the drivers'.
type Timer = interface{ Stop() bool }

// Openers are how Open reaches the hardware. Each part kind whose opener
// is nil is skipped (the report says so), except the GPIO parts, which
// default to the kernel's GPIO character devices. The openers for the
// codec, keypads, modem port, audio card and storage come from the
// packages that drive them; Open only reports what they return.
type Openers struct {
	// Lines opens GPIO lines; nil is gpioline.System().
	Lines gpioline.Opener
	// Clock times the flight switch and the radio; nil is the wall clock.
	Clock Clock
	// Root is where /sys is found, for gpio-sim; "" is "/".
	Root string

	Codec     func(ctx context.Context, c Codec) (io.Closer, error)
	Keypad    func(ctx context.Context, k Keypad) (io.Closer, error)
	ModemPort func(ctx context.Context, p ModemPort) (io.Closer, error)
	AudioCard func(ctx context.Context, a AudioCard) (io.Closer, error)
	Storage   func(ctx context.Context, s Storage) (io.Closer, error)
}

// Parts are the board's parts that opened. A part the board lacks, or
// that failed, is nil (its report line says why).
type Parts struct {
	// Flight is the flight-mode switch: the board's, or a software one
	// (FlightSoftware, which phoned sets) when it has none or its line
	// failed to open. Never nil.
	Flight         flightmode.Switch
	FlightSoftware *flightmode.Software
	// FlightHardware says Flight is the board's switch.
	FlightHardware bool

	Radio radio.Radio

	// What the other openers returned.
	Codec     io.Closer
	Keypads   []io.Closer
	ModemPort io.Closer
	AudioCard io.Closer
	Storage   io.Closer

	// Sims are the gpio-sim chips made (the console's simulated-hardware
	// command drives their lines).
	Sims []SimChip

	closers []func() error
}

// Close closes every part, the last opened first, and their lines.
func (p *Parts) Close() error {
	var errs []error
	for i := len(p.closers) - 1; i >= 0; i-- {
		errs = append(errs, p.closers[i]())
	}
	p.closers = nil
	return errors.Join(errs...)
}

func (p *Parts) onClose(f func() error) { p.closers = append(p.closers, f) }

// Open checks the board's description, makes its gpio-sim chips, then
// opens each part. Bad data is the error (nothing is opened); a part that
// fails to open is a Failed line in the report, never an error, and the
// others still open.
func Open(ctx context.Context, b Board, o Openers) (*Parts, Report, error) {
	if err := b.Check(); err != nil {
		return nil, Report{Board: b.Name}, err
	}
	bu := bringUp{ctx: ctx, b: b, o: o, rep: Report{Board: b.Name}, parts: &Parts{}}
	if bu.o.Root == "" {
		bu.o.Root = "/"
	}
	bu.sims()
	if bu.o.Lines == nil {
		bu.o.Lines = gpioline.System()
	}
	bu.flight()
	bu.radio()
	bu.codec()
	bu.keypads()
	closer(&bu, "modem port", b.ModemPort, o.ModemPort, &bu.parts.ModemPort)
	closer(&bu, "audio card", b.Audio, o.AudioCard, &bu.parts.AudioCard)
	closer(&bu, "storage", b.Storage, o.Storage, &bu.parts.Storage)
	return bu.parts, bu.rep, nil
}

type bringUp struct {
	ctx   context.Context
	b     Board
	o     Openers
	rep   Report
	parts *Parts
}

func (bu *bringUp) now() time.Time {
	if bu.o.Clock != nil {
		return bu.o.Clock.Now()
	}
	return time.Now()
}

// step runs one step and reports it.
func (bu *bringUp) step(what string, f func() error) {
	start := bu.now()
	err := f()
	s := Step{What: what, Took: bu.now().Sub(start)}
	switch {
	case err == nil:
		s.Outcome = Loaded
	case errors.Is(err, ErrNone), errors.Is(err, ErrNoOpener):
		s.Outcome, s.Err, s.Took = Skipped, err, 0
	default:
		s.Outcome, s.Err = Failed, err
	}
	bu.rep.Steps = append(bu.rep.Steps, s)
}

func (bu *bringUp) sims() {
	for _, s := range bu.b.GPIOSim {
		bu.step("gpio-sim "+s.Name, func() error {
			c, err := CreateGPIOSim(bu.o.Root, s)
			if err == nil {
				bu.parts.Sims = append(bu.parts.Sims, c)
			}
			return err
		})
	}
}

func (bu *bringUp) flight() {
	p := bu.parts
	soft := func() {
		p.FlightSoftware = flightmode.NewSoftware(flightmode.Off, bu.o.Clock)
		p.Flight = p.FlightSoftware
		p.onClose(p.FlightSoftware.Close)
	}
	f := bu.b.Flight
	if f == nil {
		bu.step("flight switch", func() error {
			return fmt.Errorf("%w; flight mode is a software switch", ErrNone)
		})
		soft()
		return
	}
	bu.step("flight switch", func() error {
		line, err := bu.o.Lines.OpenInput(f.Line.Spec())
		if err != nil {
			return fmt.Errorf("%w (flight mode is a software switch instead)", err)
		}
		sw, err := flightmode.Open(line, flightmode.Config{Debounce: f.Debounce, Clock: bu.o.Clock})
		if err != nil {
			line.Close()
			return fmt.Errorf("%w (flight mode is a software switch instead)", err)
		}
		p.Flight, p.FlightHardware = sw, true
		p.onClose(func() error { return errors.Join(sw.Close(), line.Close()) })
		return nil
	})
	if p.Flight == nil {
		soft()
	}
}

// radio opens the modem's lines, STATUS first: VBAT_EN opens at the level
// that keeps an already powered modem on.
func (bu *bringUp) radio() {
	r := bu.b.Radio
	if r == nil {
		bu.step("radio", func() error { return ErrNone })
		return
	}
	bu.step("radio", func() error {
		var opened []func() error
		fail := func(err error) error {
			for i := len(opened) - 1; i >= 0; i-- {
				opened[i]()
			}
			return err
		}
		in := func(l Line) (*gpioline.In, error) {
			x, err := bu.o.Lines.OpenInput(l.Spec())
			if err == nil {
				opened = append(opened, x.Close)
			}
			return x, err
		}
		out := func(l Line, on bool) (*gpioline.Out, error) {
			x, err := bu.o.Lines.OpenOutput(l.Spec(), on)
			if err == nil {
				opened = append(opened, x.Close)
			}
			return x, err
		}
		var lines radio.Lines
		status, err := in(r.Status)
		if err != nil {
			return fail(err)
		}
		lines.Status = status
		powered, err := status.Active()
		if err != nil {
			return fail(err)
		}
		if r.RI != nil {
			ri, err := in(*r.RI)
			if err != nil {
				return fail(err)
			}
			lines.RI = ri
		}
		for _, o := range []struct {
			l  Line
			on bool
			to *gpioline.Output
		}{{r.VBATEn, powered, &lines.VBAT}, {r.PWRKey, false, &lines.PWRKey}, {r.Reset, false, &lines.Reset},
			{r.WDisable, false, &lines.WDisable}} {
			x, err := out(o.l, o.on)
			if err != nil {
				return fail(err)
			}
			*o.to = x
		}
		for _, o := range []struct {
			l  *Line
			to *gpioline.Output
		}{{r.DTR, &lines.DTR}, {r.APReady, &lines.APReady}} {
			if o.l == nil {
				continue
			}
			x, err := out(*o.l, true)
			if err != nil {
				return fail(err)
			}
			*o.to = x
		}
		rad, err := radio.New(lines, r.Timing, bu.o.Clock)
		if err != nil {
			return fail(err)
		}
		bu.parts.Radio = rad
		bu.parts.onClose(func() error {
			err := rad.Close()
			for i := len(opened) - 1; i >= 0; i-- {
				err = errors.Join(err, opened[i]())
			}
			return err
		})
		return nil
	})
}

func (bu *bringUp) codec() {
	closer(bu, "codec", bu.b.Codec, bu.o.Codec, &bu.parts.Codec)
}

func (bu *bringUp) keypads() {
	if len(bu.b.Keypads) == 0 {
		bu.step("keypad", func() error { return ErrNone })
		return
	}
	for _, k := range bu.b.Keypads {
		bu.step("keypad "+k.Device, func() error {
			if bu.o.Keypad == nil {
				return ErrNoOpener
			}
			c, err := bu.o.Keypad(bu.ctx, k)
			if err != nil {
				return err
			}
			bu.parts.Keypads = append(bu.parts.Keypads, c)
			bu.parts.onClose(c.Close)
			return nil
		})
	}
}

// closer opens a part through the opener its package supplies.
func closer[T any](bu *bringUp, what string, part *T, open func(context.Context, T) (io.Closer, error), into *io.Closer) {
	bu.step(what, func() error {
		switch {
		case part == nil:
			return ErrNone
		case open == nil:
			return ErrNoOpener
		}
		c, err := open(bu.ctx, *part)
		if err != nil {
			return err
		}
		*into = c
		bu.parts.onClose(c.Close)
		return nil
	})
}
