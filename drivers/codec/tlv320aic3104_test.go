package codec

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"periph.io/x/conn/v3/i2c/i2ctest"
	"periph.io/x/conn/v3/physic"
)

// The expected writes below are worked out here from the TLV320AIC3104
// data sheet's register descriptions (page 0), not taken from the
// driver's table: w(reg, value) is one 2-byte write at 0x18.
func w(reg, val byte) i2ctest.IO { return i2ctest.IO{Addr: 0x18, W: []byte{reg, val}} }

// Every output off, in the order the driver turns them off:
// HPLOUT (51: D2=1 high impedance, D3=0 muted, D0=0 down → 0x04; 47:
// DAC_L1 not routed → 0x00), LEFT_LOP/M (86: muted, down → 0x00; 82: not
// routed → 0x00), HPROUT (65 → 0x04, 61 → 0x00).
var (
	earpieceOff = []i2ctest.IO{w(51, 0x04), w(47, 0x00)}
	speakerOff  = []i2ctest.IO{w(86, 0x00), w(82, 0x00)}
	headsetOff  = []i2ctest.IO{w(65, 0x04), w(61, 0x00)}
	// Registers 19 and 20, D6-D3 = 1111: LINE1L and LINE2L not connected
	// to the left ADC PGA; 19 D2 = 0: left ADC powered down.
	micsOff = []i2ctest.IO{w(19, 0x78), w(20, 0x78)}
)

func ops(parts ...[]i2ctest.IO) []i2ctest.IO {
	var out []i2ctest.IO
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// playback is a strict bus: a write that is not the next expected one
// fails, and so does any expected write left over at the end of the test.
func playback(t *testing.T, want []i2ctest.IO) *i2ctest.Playback {
	t.Helper()
	p := &i2ctest.Playback{Ops: want, DontPanic: true}
	t.Cleanup(func() {
		if err := p.Close(); err != nil {
			t.Error(err)
		}
	})
	return p
}

// powered returns a codec that has been powered up (on a recorder), now
// on a strict playback of want.
func powered(t *testing.T, want []i2ctest.IO) *TLV320AIC3104 {
	t.Helper()
	c, err := NewTLV320AIC3104(&i2ctest.Record{}, TLV320AIC3104Addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PowerUp(context.Background()); err != nil {
		t.Fatal(err)
	}
	c.dev.Bus = playback(t, want)
	return c
}

func TestPowerUp(t *testing.T) {
	want := ops(
		[]i2ctest.IO{
			w(0, 0x00),  // page select: page 0
			w(1, 0x80),  // software reset: D7
			w(7, 0x08),  // datapath: fsref 48 kHz, left DAC D4-D3=01 left data, right DAC off
			w(37, 0x80), // DAC power: D7 left DAC up; right DAC down; HPLCOM 00
			w(25, 0x40), // MICBIAS D7-D6 = 01: 2.0 V
			w(15, 0xa8), // left ADC PGA: D7 muted, gain 20 dB = 40 half-dB steps = 0x28
			w(16, 0xa8), // right ADC PGA: the same
			w(43, 0x14), // left DAC: volume 80 = 20 steps of -0.5 dB = -10 dB, not muted
			w(44, 0x14), // right DAC: the same
		},
		earpieceOff, speakerOff, headsetOff, micsOff, // route off
	)
	c, err := NewTLV320AIC3104(playback(t, want), TLV320AIC3104Addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PowerUp(context.Background()); err != nil {
		t.Fatalf("PowerUp() = %v", err)
	}
}

func TestRoutes(t *testing.T) {
	for _, tc := range []struct {
		route Route
		want  []i2ctest.IO
	}{
		{RouteEarpiece, ops(speakerOff, headsetOff, []i2ctest.IO{
			w(19, 0x04), // LINE1L (main microphone) at 0 dB (D6-D3 0000), left ADC up (D2)
			w(20, 0x78), // LINE2L not connected
			w(47, 0x80), // DAC_L1 routed to HPLOUT (D7) at 0 dB
			w(51, 0x0d), // HPLOUT 0 dB, not muted (D3), high-Z when down (D2), powered (D0)
		})},
		{RouteSpeaker, ops(earpieceOff, headsetOff, []i2ctest.IO{
			w(19, 0x04), // the main microphone, as for the earpiece
			w(20, 0x78),
			w(82, 0x80), // DAC_L1 routed to LEFT_LOP/M at 0 dB
			w(86, 0x09), // LEFT_LOP/M 0 dB, not muted (D3), powered (D0)
		})},
		{RouteHeadset, ops(earpieceOff, speakerOff, []i2ctest.IO{
			w(19, 0x7c), // LINE1L not connected (1111), left ADC still up (D2)
			w(20, 0x00), // LINE2L (the headset's microphone) at 0 dB
			w(61, 0x80), // DAC_L1 routed to HPROUT at 0 dB
			w(65, 0x0d), // HPROUT 0 dB, not muted, high-Z when down, powered
		})},
		{RouteOff, ops(earpieceOff, speakerOff, headsetOff, micsOff)},
	} {
		t.Run(tc.route.String(), func(t *testing.T) {
			c := powered(t, tc.want)
			if err := c.Route(context.Background(), tc.route); err != nil {
				t.Fatalf("Route(%s) = %v", tc.route, err)
			}
		})
	}
}

// Muting the microphone writes bit 7 of the ADC PGA gain registers and
// nothing else: the earpiece keeps playing.
func TestMicMute(t *testing.T) {
	ctx := context.Background()
	c, err := NewTLV320AIC3104(&i2ctest.Record{}, TLV320AIC3104Addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.PowerUp(ctx); err != nil {
		t.Fatal(err)
	}
	if err := c.Route(ctx, RouteEarpiece); err != nil {
		t.Fatal(err)
	}
	c.dev.Bus = playback(t, []i2ctest.IO{
		w(15, 0x28), w(16, 0x28), // unmuted: D7 = 0, gain 20 dB
		w(15, 0xa8), w(16, 0xa8), // muted: D7 = 1, gain kept
	})
	if err := c.SetMicMuted(ctx, false); err != nil {
		t.Fatalf("SetMicMuted(false) = %v", err)
	}
	if err := c.SetMicMuted(ctx, true); err != nil {
		t.Fatalf("SetMicMuted(true) = %v", err)
	}
}

func TestVolume(t *testing.T) {
	for _, tc := range []struct {
		volume int
		reg    byte
	}{
		{100, 0x00}, // 0 dB, D7 = 0 not muted
		{50, 0x32},  // -25 dB = 50 half-dB steps
		{1, 0x63},   // -49.5 dB = 99 steps
		{0, 0xff},   // D7 = 1 muted, D6-D0 at the most attenuation
	} {
		t.Run(fmt.Sprint(tc.volume), func(t *testing.T) {
			c := powered(t, []i2ctest.IO{w(43, tc.reg), w(44, tc.reg)})
			if err := c.SetVolume(context.Background(), tc.volume); err != nil {
				t.Fatalf("SetVolume(%d) = %v", tc.volume, err)
			}
		})
	}
	c := powered(t, nil) // out of range: refused before any write
	for _, v := range []int{-1, 101} {
		if err := c.SetVolume(context.Background(), v); !errors.Is(err, ErrBadVolume) {
			t.Errorf("SetVolume(%d) = %v, want ErrBadVolume", v, err)
		}
	}
	if err := c.Route(context.Background(), Route(9)); !errors.Is(err, ErrBadRoute) {
		t.Errorf("Route(9) = %v, want ErrBadRoute", err)
	}
}

// Powered down, the setters write nothing; PowerUp applies what they
// recorded.
func TestSettersWhilePoweredDown(t *testing.T) {
	ctx := context.Background()
	p := &i2ctest.Playback{DontPanic: true}
	c, err := NewTLV320AIC3104(p, TLV320AIC3104Addr)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Route(ctx, RouteSpeaker); err != nil {
		t.Fatal(err)
	}
	if err := c.SetMicMuted(ctx, false); err != nil {
		t.Fatal(err)
	}
	if err := c.SetVolume(ctx, 60); err != nil {
		t.Fatal(err)
	}
	if p.Count != 0 {
		t.Fatalf("%d writes while powered down, want none", p.Count)
	}
	c.dev.Bus = playback(t, ops(
		[]i2ctest.IO{w(0, 0x00), w(1, 0x80), w(7, 0x08), w(37, 0x80), w(25, 0x40),
			w(15, 0x28), w(16, 0x28), // unmuted, 20 dB
			w(43, 0x28), w(44, 0x28), // volume 60: 40 steps = -20 dB
		},
		earpieceOff, headsetOff,
		[]i2ctest.IO{w(19, 0x04), w(20, 0x78), w(82, 0x80), w(86, 0x09)},
	))
	if err := c.PowerUp(ctx); err != nil {
		t.Fatalf("PowerUp() = %v", err)
	}
}

func TestPowerDown(t *testing.T) {
	c := powered(t, ops(earpieceOff, speakerOff, headsetOff, []i2ctest.IO{w(1, 0x80)}))
	if err := c.PowerDown(context.Background()); err != nil {
		t.Fatalf("PowerDown() = %v", err)
	}
	// Now powered down: a volume change writes nothing (the playback is
	// used up, so any write would fail).
	if err := c.SetVolume(context.Background(), 30); err != nil {
		t.Fatalf("SetVolume after PowerDown = %v", err)
	}
}

// failBus fails every Tx.
type failBus struct{ err error }

func (failBus) String() string                    { return "i2c-9" }
func (f failBus) Tx(uint16, []byte, []byte) error { return f.err }
func (failBus) SetSpeed(physic.Frequency) error   { return nil }

var errBus = errors.New("smbus: no device answered")

func TestErrors(t *testing.T) {
	c, err := NewTLV320AIC3104(failBus{errBus}, TLV320AIC3104Addr)
	if err != nil {
		t.Fatal(err)
	}
	err = c.PowerUp(context.Background())
	if !errors.Is(err, errBus) || !strings.Contains(err.Error(),
		"codec: TLV320AIC3104 at 0x18 on i2c-9: power up: write register 0 (page select) = 0x00") {
		t.Errorf("PowerUp on a dead bus = %v, want the register, the value and the bus error", err)
	}
	err = c.Probe(context.Background())
	if !errors.Is(err, ErrNoAnswer) || !errors.Is(err, errBus) || !strings.Contains(err.Error(), "no answer at 0x18 on i2c-9") {
		t.Errorf("Probe on a dead bus = %v, want ErrNoAnswer at 0x18 on i2c-9", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	c, _ = NewTLV320AIC3104(playback(t, nil), TLV320AIC3104Addr)
	if err := c.PowerUp(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("PowerUp(cancelled) = %v, want context.Canceled and no write", err)
	}

	if _, err := NewTLV320AIC3104(nil, 0x18); !errors.Is(err, ErrNoBus) {
		t.Errorf("NewTLV320AIC3104(nil) = %v, want ErrNoBus", err)
	}
	if _, err := NewTLV320AIC3104(failBus{}, 0x80); !errors.Is(err, ErrBadAddress) {
		t.Errorf("NewTLV320AIC3104(0x80) = %v, want ErrBadAddress", err)
	}
}

func TestProbe(t *testing.T) {
	// A 1-byte read of register 0 (page select), which the SMBus bus
	// carries as read byte data.
	c, _ := NewTLV320AIC3104(playback(t, []i2ctest.IO{{Addr: 0x18, W: []byte{0}, R: []byte{0}}}), TLV320AIC3104Addr)
	if err := c.Probe(context.Background()); err != nil {
		t.Fatalf("Probe() = %v", err)
	}
}

func TestParseRoute(t *testing.T) {
	for _, r := range []Route{RouteOff, RouteEarpiece, RouteSpeaker, RouteHeadset} {
		got, err := ParseRoute(r.String())
		if err != nil || got != r {
			t.Errorf("ParseRoute(%q) = %v, %v; want %v", r.String(), got, err, r)
		}
	}
	if _, err := ParseRoute("bluetooth"); !errors.Is(err, ErrBadRoute) || !strings.Contains(err.Error(), "off, earpiece, speaker, headset") {
		t.Errorf(`ParseRoute("bluetooth") = %v, want ErrBadRoute listing the routes`, err)
	}
	if got := Route(7).String(); got != "Route(7)" {
		t.Errorf("Route(7).String() = %q", got)
	}
}
