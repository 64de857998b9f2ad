package codec

import (
	"context"
	"fmt"

	"periph.io/x/conn/v3/i2c"
)

// TLV320AIC3104Addr is the codec's I2C address (its only one).
const TLV320AIC3104Addr = 0x18

// TLV320AIC3104 is a TI TLV320AIC3104 stereo codec on an I2C bus it does
// not own. Calls are mono: the left DAC plays them and the left ADC
// captures them; see the output and input wiring in its register table.
// The sample clocks and the audio serial interface stay at their reset
// values (codec as I2S slave, clocked from MCLK), which is what a board
// with the SoC as I2S master needs.
//
// Its methods must not be called concurrently: the caller (phoned's
// codec follower) serialises them.
type TLV320AIC3104 struct {
	dev i2c.Dev

	powered  bool
	route    Route
	micMuted bool
	volume   int
}

var _ Codec = (*TLV320AIC3104)(nil)

// NewTLV320AIC3104 returns the codec at addr (normally TLV320AIC3104Addr)
// on bus. It does no I/O: Probe checks that the codec answers.
func NewTLV320AIC3104(bus i2c.Bus, addr uint16) (*TLV320AIC3104, error) {
	if bus == nil {
		return nil, fmt.Errorf("%w: the TLV320AIC3104 needs the bus it sits on", ErrNoBus)
	}
	if addr > 0x7f {
		return nil, fmt.Errorf("%w: 0x%x (the TLV320AIC3104 answers at 0x%02x)", ErrBadAddress, addr, TLV320AIC3104Addr)
	}
	return &TLV320AIC3104{dev: i2c.Dev{Bus: bus, Addr: addr}, micMuted: true, volume: DefaultVolume}, nil
}

// String names the codec and where it is: "TLV320AIC3104 at 0x18 on i2c-0".
func (c *TLV320AIC3104) String() string {
	return fmt.Sprintf("TLV320AIC3104 at 0x%02x on %s", c.dev.Addr, c.dev.Bus)
}

// Probe reads the page select register, to tell at bring-up whether the
// codec answers.
func (c *TLV320AIC3104) Probe(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	var b [1]byte
	if err := c.dev.Tx([]byte{regPageSelect}, b[:]); err != nil {
		return fmt.Errorf("%w at 0x%02x on %s: %w", ErrNoAnswer, c.dev.Addr, c.dev.Bus, err)
	}
	return nil
}

// write is one register write.
type write struct{ reg, val byte }

// apply writes ws in order, checking ctx before each.
func (c *TLV320AIC3104) apply(ctx context.Context, what string, ws []write) error {
	for _, w := range ws {
		if err := ctx.Err(); err != nil {
			return fmt.Errorf("codec: %s: %s: %w", c, what, err)
		}
		if err := c.dev.Tx([]byte{w.reg, w.val}, nil); err != nil {
			return fmt.Errorf("codec: %s: %s: write register %s = 0x%02x: %w", c, what, regName(w.reg), w.val, err)
		}
	}
	return nil
}

// PowerUp selects page 0, resets the codec, powers the left DAC and the
// microphone bias, then applies the recorded microphone mute, volume and
// route.
func (c *TLV320AIC3104) PowerUp(ctx context.Context) error {
	ws := []write{
		{regPageSelect, 0},
		{regReset, softReset},
		{regDatapath, datapathLeftMono},
		{regDACPower, leftDACPowered},
		{regMicBias, micBias2V0},
	}
	ws = append(ws, micWrites(c.micMuted)...)
	ws = append(ws, volumeWrites(c.volume)...)
	ws = append(ws, routeWrites(c.route)...)
	if err := c.apply(ctx, "power up", ws); err != nil {
		return err
	}
	c.powered = true
	return nil
}

// PowerDown turns every output off (so nothing pops), then resets the
// codec, which leaves it in its lowest-power state.
func (c *TLV320AIC3104) PowerDown(ctx context.Context) error {
	c.powered = false
	ws := outputsOff(nil)
	ws = append(ws, write{regReset, softReset})
	return c.apply(ctx, "power down", ws)
}

// Route records r and, when powered, switches the outputs and the
// microphone input to it.
func (c *TLV320AIC3104) Route(ctx context.Context, r Route) error {
	if err := r.Check(); err != nil {
		return err
	}
	c.route = r
	if !c.powered {
		return nil
	}
	return c.apply(ctx, "route "+r.String(), routeWrites(r))
}

// SetMicMuted records muted and, when powered, sets the ADC PGA mute
// bits. The outputs are not touched.
func (c *TLV320AIC3104) SetMicMuted(ctx context.Context, muted bool) error {
	c.micMuted = muted
	if !c.powered {
		return nil
	}
	what := "unmute the microphone"
	if muted {
		what = "mute the microphone"
	}
	return c.apply(ctx, what, micWrites(muted))
}

// SetVolume records v and, when powered, sets the DAC digital volume:
// 100 is 0 dB, each step below it 0.5 dB of attenuation (1 is -49.5 dB),
// and 0 mutes the DACs.
func (c *TLV320AIC3104) SetVolume(ctx context.Context, v int) error {
	if err := CheckVolume(v); err != nil {
		return err
	}
	c.volume = v
	if !c.powered {
		return nil
	}
	return c.apply(ctx, fmt.Sprintf("volume %d", v), volumeWrites(v))
}

func micWrites(muted bool) []write {
	v := byte(micGain)
	if muted {
		v |= pgaMute
	}
	return []write{{regLeftADCGain, v}, {regRightADCGain, v}}
}

func volumeWrites(v int) []write {
	b := byte(100 - v)
	if v == 0 {
		b = dacMute | 0x7f
	}
	return []write{{regLeftDACVolume, b}, {regRightDACVolume, b}}
}

// outputsOff appends the writes that mute, power down and unroute every
// output but keep.
func outputsOff(keep *output) []write {
	var ws []write
	for _, o := range allOutputs {
		if keep != nil && o == *keep {
			continue
		}
		ws = append(ws, write{o.level, o.off}, write{o.route, 0})
	}
	return ws
}

// routeWrites switches to r: first the outputs r does not use go off,
// then the microphone input is chosen, then r's output is routed and
// powered. Every route writes the same registers, whatever came before.
func routeWrites(r Route) []write {
	var out *output
	line1, line2 := byte(lineNotConnected), byte(lineNotConnected)
	switch r {
	case RouteEarpiece:
		out, line1 = &earpieceOut, lineAt0dB|leftADCPowered
	case RouteSpeaker:
		out, line1 = &speakerOut, lineAt0dB|leftADCPowered
	case RouteHeadset:
		out, line1, line2 = &headsetOut, lineNotConnected|leftADCPowered, lineAt0dB
	}
	ws := outputsOff(out)
	ws = append(ws, write{regLine1LToLeftADC, line1}, write{regLine2LToLeftADC, line2})
	if out != nil {
		ws = append(ws, write{out.route, routedAt0dB}, write{out.level, out.on})
	}
	return ws
}
