package pbx

import (
	"fmt"
	"math"
	"os"
	"path/filepath"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/telephony/media"
)

// echo sends every voice frame back as it came. The endpoint relays
// them itself (RelayVoice): no goroutine hand-off, no allocation and no
// system call of its own per frame, the echoes leaving with the
// endpoint's batched writes.
func (p *PBX) echo(c *iax.Call) string {
	// Relaying starts before the answer: the caller may send its first
	// frame as soon as the ANSWER reaches it.
	if err := c.RelayVoice(c); err != nil {
		return ""
	}
	// A transfer away from the echo stops it; the next application
	// takes the call's voice again.
	defer c.RelayVoice(nil)
	if !p.answer(c) {
		return ""
	}
	for {
		select {
		case ev := <-c.Events():
			if x := p.event(c, ev); x != "" {
				return x
			}
		case <-c.Done():
			return ""
		case <-p.ctx.Done():
			return ""
		}
	}
}

// toneLevel is the test tone's peak: -6 dBov.
var toneLevel = 32767 * math.Pow(10, -6.0/20)

// tone plays 1004 Hz, one frame every 20 ms on the PBX's clock.
func (p *PBX) tone(c *iax.Call) string {
	if !p.answer(c) {
		return ""
	}
	format := c.Info().Format
	var (
		pcm   media.Frame
		out   [media.FrameSamples]byte
		phase float64
		step  = 2 * math.Pi * 1004 / media.SampleRate
		start = p.clk.Now()
	)
	for n := 0; ; n++ {
		for i := range pcm {
			pcm[i] = int16(math.Round(toneLevel * math.Sin(phase)))
			phase += step
		}
		phase = math.Mod(phase, 2*math.Pi)
		encode(format, out[:], pcm[:])
		_ = c.SendVoice(out[:])
		wait := start.Add(time.Duration(n+1) * media.FrameDuration).Sub(p.clk.Now())
		if ok, x := p.sleep(c, max(wait, 0)); !ok {
			return x
		}
	}
}

func encode(f iax.Format, dst []byte, src []int16) {
	if f == iax.FormatALaw {
		media.EncodeAlaw(dst, src)
		return
	}
	media.EncodeUlaw(dst, src)
}

// decode turns a G.711 payload into samples; other formats are silence.
func decode(f iax.Format, dst []int16, src []byte) int {
	switch f {
	case iax.FormatALaw:
		return media.DecodeAlaw(dst, src)
	case iax.FormatULaw:
		return media.DecodeUlaw(dst, src)
	}
	n := min(len(dst), len(src))
	clear(dst[:n])
	return n
}

// record writes what the caller sends to a WAV file, frames in the order
// they arrive.
func (p *PBX) record(c *iax.Call) string {
	if !p.answer(c) {
		return ""
	}
	info := c.Info()
	who := info.Username
	if who == "" {
		who = "guest"
	}
	path := filepath.Join(p.cfg.RecordDir, fmt.Sprintf("%s-%d-%d.wav", who, info.LocalCall, p.clk.Now().Unix()))
	sink, err := audio.CreateWAVSink(path, nil)
	if err != nil {
		p.log.Error("cannot record", "call", info.LocalCall, "err", err)
		_ = c.Hangup(iax.CauseCongestion)
		return ""
	}
	p.log.Info("recording", "call", info.LocalCall, "file", path)
	defer func() {
		if err := sink.Close(); err != nil {
			p.log.Error("recording failed", "call", info.LocalCall, "file", path, "err", err)
			os.Remove(path)
			return
		}
		p.log.Info("recorded", "call", info.LocalCall, "file", path, "frames", sink.Frames())
	}()
	var (
		buf []int16
		f   media.Frame
	)
	for {
		select {
		case v := <-c.Voice():
			tmp := make([]int16, len(v.Payload))
			n := decode(v.Format, tmp, v.Payload)
			buf = append(buf, tmp[:n]...)
			for len(buf) >= media.FrameSamples {
				copy(f[:], buf)
				buf = buf[media.FrameSamples:]
				if err := sink.WriteFrame(p.ctx, &f); err != nil {
					p.log.Error("recording failed", "call", info.LocalCall, "err", err)
					return ""
				}
			}
		case ev := <-c.Events():
			if x := p.event(c, ev); x != "" {
				return x
			}
		case <-c.Done():
			return ""
		case <-p.ctx.Done():
			return ""
		}
	}
}

// digits answers, sends DTMF 1 2 3 and hangs up.
func (p *PBX) digits(c *iax.Call) string {
	if !p.answer(c) {
		return ""
	}
	d := p.cfg.DTMFDuration
	if ok, x := p.sleep(c, 2*d); !ok {
		return x
	}
	for _, digit := range []byte("123") {
		if err := c.SendDTMF(digit, d); err != nil {
			return ""
		}
		p.log.Info("dtmf sent", "call", c.Info().LocalCall, "digit", string(digit))
		if ok, x := p.sleep(c, 2*d); !ok {
			return x
		}
	}
	p.log.Info("hanging up", "call", c.Info().LocalCall)
	_ = c.Hangup(iax.CauseNormal)
	return ""
}
