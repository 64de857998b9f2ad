package radio_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/gpioline"
	"github.com/ringo-phone/ringo/drivers/gpioline/gpiolinetest"
	"github.com/ringo-phone/ringo/drivers/radio"
	"github.com/ringo-phone/ringo/internal/clock"
	"periph.io/x/conn/v3/gpio"
)

var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

const ms = time.Millisecond

type rig struct {
	clk    *clock.Fake
	timers *gpiolinetest.Timers
	chip   *gpiolinetest.Chip
	r      *radio.GPIO
}

// pinephone are the PinePhone's levels: STATUS low = modem on, DTR,
// AP_READY and RI active low, the rest active high.
var pinephone = map[string]bool{"STATUS": true, "DTR": true, "AP_READY": true, "RI": true}

// newRig opens the radio on fake lines with the given active-low set,
// the modem powered or not.
func newRig(t *testing.T, activeLow map[string]bool, powered bool) *rig {
	t.Helper()
	clk := clock.NewFake(t0)
	g := &rig{clk: clk, timers: gpiolinetest.NewTimers(clk),
		chip: gpiolinetest.NewChip(t, "modem", clk, "VBAT_EN", "PWRKEY", "RESET", "W_DISABLE", "STATUS", "DTR", "AP_READY", "RI")}
	g.drive("STATUS", activeLow["STATUS"], powered)
	g.drive("RI", activeLow["RI"], false)
	chips := gpioline.NewChips(g.chip)
	spec := func(n string) gpioline.Spec { return gpioline.Spec{Name: n, ActiveLow: activeLow[n]} }
	in := func(n string) *gpioline.In {
		l, err := chips.OpenInput(spec(n))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	out := func(n string, on bool) *gpioline.Out {
		l, err := chips.OpenOutput(spec(n), on)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		return l
	}
	lines := radio.Lines{Status: in("STATUS"), RI: in("RI"), VBAT: out("VBAT_EN", powered),
		PWRKey: out("PWRKEY", false), Reset: out("RESET", false), WDisable: out("W_DISABLE", false),
		DTR: out("DTR", true), APReady: out("AP_READY", true)}
	r, err := radio.New(lines, radio.EG25G, g.timers)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	g.r = r
	return g
}

// drive sets an input line to its active level or away from it.
func (g *rig) drive(name string, activeLow, active bool) {
	l := gpio.Low
	if active != activeLow {
		l = gpio.High
	}
	g.chip.Pin(name).Drive(l)
}

// edges returns an output's changes as offsets from t0 and levels.
type edge struct {
	at time.Duration
	l  gpio.Level
}

func (g *rig) edges(name string) []edge {
	var out []edge
	for _, c := range g.chip.Pin(name).Changes() {
		out = append(out, edge{c.At.Sub(t0), c.Level})
	}
	return out
}

func sameEdges(a, b []edge) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func (g *rig) checkEdges(t *testing.T, name string, want ...edge) {
	t.Helper()
	if got := g.edges(name); !sameEdges(got, want) {
		t.Errorf("%s changes = %v, want %v", name, got, want)
	}
}

// run starts op in the background.
func run(op func(context.Context) error) chan error {
	errc := make(chan error, 1)
	go func() { errc <- op(context.Background()) }()
	return errc
}

func result(t *testing.T, errc chan error) error {
	t.Helper()
	select {
	case err := <-errc:
		return err
	case <-time.After(gpiolinetest.Wait):
		t.Fatal("operation did not return")
		return nil
	}
}

func (g *rig) states(t *testing.T) []string {
	var out []string
	for {
		select {
		case c := <-g.r.Changes():
			out = append(out, string(c.From)+"→"+string(c.To))
		default:
			return out
		}
	}
}

func TestPowerOnPulsesExact(t *testing.T) {
	g := newRig(t, pinephone, false)
	if s := g.r.State(); s != radio.Off {
		t.Fatalf("State() with STATUS high = %v, want off", s)
	}
	errc := run(g.r.PowerOn)
	g.timers.Expect(t, 50*ms) // VBAT settle
	g.clk.Advance(50 * ms)
	g.timers.Expect(t, 550*ms) // PWRKEY held
	g.clk.Advance(550 * ms)
	g.timers.Expect(t, 10*time.Second) // STATUS timeout
	g.clk.Advance(3 * time.Second)
	g.drive("STATUS", true, true)
	if err := result(t, errc); err != nil {
		t.Fatalf("PowerOn = %v", err)
	}
	g.checkEdges(t, "VBAT_EN", edge{0, gpio.Low}, edge{0, gpio.High})
	g.checkEdges(t, "PWRKEY", edge{0, gpio.Low}, edge{50 * ms, gpio.High}, edge{600 * ms, gpio.Low})
	g.checkEdges(t, "RESET", edge{0, gpio.Low})
	g.checkEdges(t, "DTR", edge{0, gpio.Low})      // asserted: awake
	g.checkEdges(t, "AP_READY", edge{0, gpio.Low}) // asserted: host awake
	if s := g.r.State(); s != radio.On {
		t.Errorf("State() = %v, want on", s)
	}
	if got := strings.Join(g.states(t), " "); got != "off→powering-up powering-up→on" {
		t.Errorf("changes = %s", got)
	}
	if on, err := g.r.Powered(); err != nil || !on {
		t.Errorf("Powered() = %v, %v; want true", on, err)
	}
	// On a powered modem PowerOn does nothing.
	if err := g.r.PowerOn(context.Background()); err != nil {
		t.Errorf("second PowerOn = %v", err)
	}
	g.timers.None(t)
}

func TestStatusNeverComes(t *testing.T) {
	for _, tc := range []struct {
		board     string
		activeLow map[string]bool
		want      string
	}{
		{"pinephone", pinephone, "modem did not power up: STATUS still high 10s after PWRKEY"},
		{"active high", nil, "modem did not power up: STATUS still low 10s after PWRKEY"},
	} {
		t.Run(tc.board, func(t *testing.T) {
			g := newRig(t, tc.activeLow, false)
			errc := run(g.r.PowerOn)
			g.timers.Expect(t, 50*ms)
			g.clk.Advance(50 * ms)
			g.timers.Expect(t, 550*ms)
			g.clk.Advance(550 * ms)
			g.timers.Expect(t, 10*time.Second)
			g.clk.Advance(10*time.Second - ms)
			select {
			case err := <-errc:
				t.Fatalf("PowerOn returned %v before the timeout", err)
			default:
			}
			g.clk.Advance(ms)
			err := result(t, errc)
			if !errors.Is(err, radio.ErrPowerUp) || err.Error() != tc.want {
				t.Fatalf("PowerOn = %v\nwant %q", err, tc.want)
			}
			vbatOn := gpio.High
			g.checkEdges(t, "VBAT_EN", edge{0, !vbatOn}, edge{0, vbatOn}, edge{10600 * ms, !vbatOn})
			if s := g.r.State(); s != radio.Failed {
				t.Errorf("State() = %v, want failed", s)
			}
			var last radio.Change
			for len(g.r.Changes()) > 0 {
				last = <-g.r.Changes()
			}
			if last.To != radio.Failed || !errors.Is(last.Err, radio.ErrPowerUp) || !last.At.Equal(t0.Add(10600*ms)) {
				t.Errorf("last change = %+v, want to failed with the error at +10.6s", last)
			}
			// From failed, a power-off only cuts VBAT (already cut).
			if err := g.r.PowerOff(context.Background()); err != nil || g.r.State() != radio.Off {
				t.Errorf("PowerOff from failed = %v, state %v; want nil, off", err, g.r.State())
			}
		})
	}
}

func TestPowerOff(t *testing.T) {
	g := newRig(t, pinephone, true)
	if s := g.r.State(); s != radio.On {
		t.Fatalf("State() with STATUS low (modem on) = %v, want on", s)
	}
	errc := run(g.r.PowerOff)
	g.timers.Expect(t, 800*ms)
	g.clk.Advance(800 * ms)
	g.timers.Expect(t, 30*time.Second)
	g.clk.Advance(2 * time.Second)
	g.drive("STATUS", true, false)
	if err := result(t, errc); err != nil {
		t.Fatalf("PowerOff = %v", err)
	}
	g.checkEdges(t, "PWRKEY", edge{0, gpio.Low}, edge{0, gpio.High}, edge{800 * ms, gpio.Low})
	g.checkEdges(t, "VBAT_EN", edge{0, gpio.High}, edge{2800 * ms, gpio.Low})
	if s := g.r.State(); s != radio.Off {
		t.Errorf("State() = %v, want off", s)
	}
	if got := strings.Join(g.states(t), " "); got != "on→powering-down powering-down→off" {
		t.Errorf("changes = %s", got)
	}
}

func TestVBATCutAfterPowerOffTimeout(t *testing.T) {
	g := newRig(t, pinephone, true)
	errc := run(g.r.PowerOff)
	g.timers.Expect(t, 800*ms)
	g.clk.Advance(800 * ms)
	g.timers.Expect(t, 30*time.Second)
	g.clk.Advance(30*time.Second - ms)
	if got := g.chip.Pin("VBAT_EN").Level(); got != gpio.High {
		t.Fatalf("VBAT_EN = %v before the timeout, want still high", got)
	}
	g.clk.Advance(ms)
	err := result(t, errc)
	want := "modem did not power down: STATUS still low 30s after PWRKEY; VBAT cut"
	if !errors.Is(err, radio.ErrPowerDown) || err.Error() != want {
		t.Fatalf("PowerOff = %v\nwant %q", err, want)
	}
	g.checkEdges(t, "VBAT_EN", edge{0, gpio.High}, edge{30800 * ms, gpio.Low})
	if s := g.r.State(); s != radio.Off {
		t.Errorf("State() = %v, want off (VBAT is cut)", s)
	}
}

func TestReset(t *testing.T) {
	g := newRig(t, pinephone, false)
	if err := g.r.Reset(context.Background()); !errors.Is(err, radio.ErrState) ||
		err.Error() != "radio: not in a state for that: reset while off (power the modem on first)" {
		t.Errorf("Reset while off = %v, want ErrState", err)
	}
	g = newRig(t, pinephone, true)
	errc := run(g.r.Reset)
	g.timers.Expect(t, 300*ms)
	g.clk.Advance(300 * ms)
	if err := result(t, errc); err != nil {
		t.Fatal(err)
	}
	g.checkEdges(t, "RESET", edge{0, gpio.Low}, edge{0, gpio.High}, edge{300 * ms, gpio.Low})
	if s := g.r.State(); s != radio.On {
		t.Errorf("State() after reset = %v, want on", s)
	}
}

func TestAirplane(t *testing.T) {
	ctx := context.Background()
	g := newRig(t, pinephone, true)
	if err := g.r.SetAirplane(ctx, true); err != nil {
		t.Fatal(err)
	}
	if g.chip.Pin("W_DISABLE").Level() != gpio.High || g.r.State() != radio.Airplane {
		t.Errorf("airplane on: W_DISABLE %v, state %v; want High, airplane", g.chip.Pin("W_DISABLE").Level(), g.r.State())
	}
	if err := g.r.SetAirplane(ctx, false); err != nil {
		t.Fatal(err)
	}
	if g.chip.Pin("W_DISABLE").Level() != gpio.Low || g.r.State() != radio.On {
		t.Errorf("airplane off: W_DISABLE %v, state %v; want Low, on", g.chip.Pin("W_DISABLE").Level(), g.r.State())
	}
	if got := strings.Join(g.states(t), " "); got != "on→airplane airplane→on" {
		t.Errorf("changes = %s", got)
	}

	// Set while off, airplane holds for the power-up.
	g = newRig(t, pinephone, false)
	if err := g.r.SetAirplane(ctx, true); err != nil || g.r.State() != radio.Off {
		t.Fatalf("SetAirplane while off = %v, state %v; want nil, off", err, g.r.State())
	}
	errc := run(g.r.PowerOn)
	g.timers.Expect(t, 50*ms)
	g.clk.Advance(50 * ms)
	g.timers.Expect(t, 550*ms)
	g.clk.Advance(550 * ms)
	g.timers.Expect(t, 10*time.Second)
	g.drive("STATUS", true, true)
	if err := result(t, errc); err != nil || g.r.State() != radio.Airplane {
		t.Errorf("PowerOn in airplane = %v, state %v; want nil, airplane", err, g.r.State())
	}
}

// A power-up cancelled while PWRKEY is held releases PWRKEY at once and
// cuts VBAT: the radio is off, not stuck half-way.
func TestCancelReleasesPWRKEY(t *testing.T) {
	g := newRig(t, pinephone, false)
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error, 1)
	go func() { errc <- g.r.PowerOn(ctx) }()
	g.timers.Expect(t, 50*ms)
	g.clk.Advance(50 * ms)
	g.timers.Expect(t, 550*ms)
	g.clk.Advance(100 * ms)
	cancel()
	if err := result(t, errc); !errors.Is(err, context.Canceled) {
		t.Fatalf("PowerOn after cancel = %v, want context.Canceled", err)
	}
	g.checkEdges(t, "PWRKEY", edge{0, gpio.Low}, edge{50 * ms, gpio.High}, edge{150 * ms, gpio.Low})
	g.checkEdges(t, "VBAT_EN", edge{0, gpio.Low}, edge{0, gpio.High}, edge{150 * ms, gpio.Low})
	if s := g.r.State(); s != radio.Off {
		t.Errorf("State() = %v, want off", s)
	}
}

func TestClose(t *testing.T) {
	g := newRig(t, pinephone, false)
	errc := run(g.r.PowerOn)
	g.timers.Expect(t, 50*ms)
	if err := g.r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := result(t, errc); !errors.Is(err, radio.ErrClosed) {
		t.Errorf("PowerOn across Close = %v, want ErrClosed", err)
	}
	if err := g.r.PowerOn(context.Background()); !errors.Is(err, radio.ErrClosed) {
		t.Errorf("PowerOn after Close = %v, want ErrClosed", err)
	}
	<-g.r.Done()
	if !errors.Is(g.r.Err(), radio.ErrClosed) {
		t.Errorf("Err() = %v, want ErrClosed", g.r.Err())
	}
	for range g.r.Changes() {
	}
	if err := g.r.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestNewChecks(t *testing.T) {
	if _, err := radio.New(radio.Lines{}, radio.EG25G, nil); !errors.Is(err, radio.ErrBadLines) || !strings.Contains(err.Error(), "VBAT_EN") {
		t.Errorf("New without lines = %v, want ErrBadLines naming VBAT_EN", err)
	}
	bad := radio.EG25G
	bad.PowerOnPulse = 0
	if err := bad.Check(); !errors.Is(err, radio.ErrBadTiming) ||
		err.Error() != "radio: bad timing: PowerOnPulse is 0s: give how long PWRKEY is held to power on (550ms on the EG25-G)" {
		t.Errorf("Check(zero pulse) = %v", err)
	}
	bad = radio.EG25G
	bad.PowerOnPulse = time.Second
	if err := bad.Check(); !errors.Is(err, radio.ErrBadTiming) || !strings.Contains(err.Error(), "powers the modem off") {
		t.Errorf("Check(on pulse ≥ off pulse) = %v", err)
	}
	if err := radio.EG25G.Check(); err != nil {
		t.Errorf("EG25G.Check() = %v", err)
	}
}
