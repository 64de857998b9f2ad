package board_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/drivers/flightmode"
	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/gpioline/gpiolinetest"
	"github.com/ringo-phone/ringo/drivers/radio"
	"github.com/ringo-phone/ringo/internal/clock"
	"periph.io/x/conn/v3/gpio"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

type closerFunc func() error

func (f closerFunc) Close() error { return f() }

// qemuVirt is the CI board's description on a fake chip standing in for
// the gpio-sim one, and a root where the fake kernel made that chip.
func qemuVirt(t *testing.T, clk *clock.Fake, lines ...string) (*gpiolinetest.Chip, board.Openers) {
	root := t.TempDir()
	fakeKernel(t, root, "ringo-board", "gpio-sim.0", "gpiochip1")
	if lines == nil {
		lines = board.QEMUVirt.GPIOSim[0].Lines
	}
	chip := gpiolinetest.NewChip(t, "ringo-board", clk, lines...)
	return chip, board.Openers{Lines: gpioline.NewChips(chip), Clock: clk, Root: root}
}

func TestOpenQEMUVirt(t *testing.T) {
	clk := clock.NewFake(t0)
	chip, o := qemuVirt(t, clk)
	chip.Pin("FLIGHT_MODE").Drive(gpio.High)
	var keypads []string
	o.Codec = func(_ context.Context, c board.Codec) (io.Closer, error) {
		clk.Advance(3 * time.Millisecond) // the codec's bring-up time, in the report
		return nil, errors.New("no answer at 0x18 on i2c-0")
	}
	o.Keypad = func(_ context.Context, k board.Keypad) (io.Closer, error) {
		keypads = append(keypads, k.Device)
		return closerFunc(func() error { return nil }), nil
	}
	parts, rep, err := board.Open(context.Background(), board.QEMUVirt, o)
	if err != nil {
		t.Fatal(err)
	}
	want := strings.Join([]string{
		"board qemu-virt:",
		"  loaded   gpio-sim ringo-board",
		"  loaded   flight switch",
		"  loaded   radio",
		"  FAILED   codec: no answer at 0x18 on i2c-0 (3ms)",
		"  loaded   keypad QEMU Virtio Keyboard",
		"  skipped  modem port: not opened here (no opener given)",
		"  skipped  audio card: not opened here (no opener given)",
		"  skipped  storage: not opened here (no opener given)",
	}, "\n")
	if got := rep.String(); got != want {
		t.Errorf("report:\n%s\nwant:\n%s", got, want)
	}
	if got := rep.Problems(); len(got) != 1 || got[0] != "codec: no answer at 0x18 on i2c-0" {
		t.Errorf("Problems() = %q", got)
	}
	if len(keypads) != 1 || keypads[0] != "QEMU Virtio Keyboard" || len(parts.Keypads) != 1 {
		t.Errorf("keypads opened = %q, parts %d", keypads, len(parts.Keypads))
	}
	if !parts.FlightHardware || parts.FlightSoftware != nil || parts.Flight.Position() != flightmode.On {
		t.Errorf("flight: hardware %v, software %v, position %v; want the board's switch, on", parts.FlightHardware, parts.FlightSoftware, parts.Flight.Position())
	}
	if parts.Radio == nil || parts.Radio.State() != radio.Off {
		t.Fatalf("radio = %v, want one, off (STATUS low)", parts.Radio)
	}
	if len(parts.Sims) != 1 || parts.Sims[0].Chip != "gpiochip1" {
		t.Errorf("Sims = %+v", parts.Sims)
	}
	// Outputs opened released, DTR and AP_READY asserted; no bias asked
	// of an input a test drives.
	for name, want := range map[string]gpio.Level{"VBAT_EN": gpio.Low, "PWRKEY": gpio.Low, "RESET": gpio.Low,
		"W_DISABLE": gpio.Low, "DTR": gpio.High, "AP_READY": gpio.High} {
		if p := chip.Pin(name); p.Mode() != gpiolinetest.Output || p.Level() != want {
			t.Errorf("%s: %v at %v, want an output at %v", name, p.Mode(), p.Level(), want)
		}
	}
	for _, name := range []string{"FLIGHT_MODE", "STATUS", "RI"} {
		if p := chip.Pin(name); p.Mode() != gpiolinetest.Input || p.Pull() != gpio.PullNoChange {
			t.Errorf("%s: %v with pull %v, want an input without bias", name, p.Mode(), p.Pull())
		}
	}
	if err := parts.Close(); err != nil {
		t.Fatal(err)
	}
	for _, name := range board.QEMUVirt.GPIOSim[0].Lines {
		if !chip.Pin(name).Released() {
			t.Errorf("%s not released by Close", name)
		}
	}
	<-parts.Flight.Done()
}

// A line missing on the chip fails the radio, and only the radio: its
// lines opened so far are released, the flight switch still opens.
func TestOpenMissingLine(t *testing.T) {
	clk := clock.NewFake(t0)
	chip, o := qemuVirt(t, clk, "FLIGHT_MODE", "VBAT_EN", "RESET", "W_DISABLE", "STATUS", "DTR", "AP_READY", "RI")
	parts, rep, err := board.Open(context.Background(), board.QEMUVirt, o)
	if err != nil {
		t.Fatal(err)
	}
	defer parts.Close()
	want := "  FAILED   radio: line PWRKEY not found on chip ringo-board (its named lines: FLIGHT_MODE, VBAT_EN, RESET, W_DISABLE, STATUS, DTR, AP_READY, RI)"
	if !strings.Contains(rep.String(), want) || !rep.Failed() {
		t.Errorf("report lacks %q:\n%s", want, rep)
	}
	if parts.Radio != nil {
		t.Error("Radio set although it failed")
	}
	for _, name := range []string{"STATUS", "RI", "VBAT_EN"} {
		if !chip.Pin(name).Released() {
			t.Errorf("%s, opened before the failure, not released", name)
		}
	}
	if !parts.FlightHardware {
		t.Error("the flight switch did not open")
	}
}

// The PinePhone: unnamed lines by chip and offset, STATUS active low,
// a modem already on kept on, a software flight switch.
func TestOpenPinePhone(t *testing.T) {
	clk := clock.NewFake(t0)
	pio := gpiolinetest.NewChip(t, "1c20800.pinctrl", clk, make([]string, 256)...)
	rpio := gpiolinetest.NewChip(t, "1f02c00.pinctrl", clk, make([]string, 32)...)
	pio.At(233).Drive(gpio.Low) // STATUS low: the modem is on
	rpio.At(6).Drive(gpio.High) // RI idle
	parts, rep, err := board.Open(context.Background(), board.PinePhone12,
		board.Openers{Lines: gpioline.NewChips(pio, rpio), Clock: clk, Root: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	defer parts.Close()
	for _, w := range []string{
		"  skipped  flight switch: none on this board; flight mode is a software switch",
		"  loaded   radio",
		"  skipped  codec: none on this board",
		"  skipped  keypad axp20x-pek: not opened here (no opener given)",
		"  skipped  keypad 1c21800.lradc: not opened here (no opener given)",
	} {
		if !strings.Contains(rep.String(), w) {
			t.Errorf("report lacks %q:\n%s", w, rep)
		}
	}
	if parts.Radio == nil || parts.Radio.State() != radio.On {
		t.Fatalf("radio = %v, want one, on", parts.Radio)
	}
	if rpio.At(7).Level() != gpio.High {
		t.Error("VBAT_EN (PL7) cut under a modem that was on")
	}
	if pio.At(34).Level() != gpio.Low || pio.At(231).Level() != gpio.Low {
		t.Error("DTR and AP_READY (active low) not asserted")
	}
	if parts.FlightHardware || parts.FlightSoftware == nil {
		t.Fatal("want a software flight switch")
	}
	if err := parts.FlightSoftware.Set(flightmode.On); err != nil || parts.Flight.Position() != flightmode.On {
		t.Errorf("software switch Set(on) = %v, position %v", err, parts.Flight.Position())
	}
}

func TestOpenRefusesBadData(t *testing.T) {
	b := board.QEMUVirt
	r := *b.Radio
	r.Timing.ResetPulse = 0
	b.Radio = &r
	parts, _, err := board.Open(context.Background(), b, board.Openers{Lines: gpioline.NewChips()})
	if !errors.Is(err, board.ErrInvalid) || parts != nil || !strings.Contains(err.Error(), "board qemu-virt: radio: ResetPulse is 0s") {
		t.Errorf("Open(bad data) = %v, %v; want ErrInvalid naming the board and the part", parts, err)
	}
}

func TestOpenHost(t *testing.T) {
	parts, rep, err := board.Open(context.Background(), board.Host, board.Openers{Lines: gpioline.NewChips()})
	if err != nil {
		t.Fatal(err)
	}
	defer parts.Close()
	if rep.Failed() || parts.FlightSoftware == nil || parts.Radio != nil {
		t.Errorf("host: failed %v, software switch %v, radio %v:\n%s", rep.Failed(), parts.FlightSoftware, parts.Radio, rep)
	}
}
