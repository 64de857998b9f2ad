package agent

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/telephony"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// The active call's audio. When the call connects the agent opens the
// configured devices; when they will not open (no PulseAudio in the
// image) it says why in the log, once per call, and streams the call
// through the null device instead, so that the call goes on. While a
// call has audio its counters are published below
// /Communications/QPhoneCallProvider/asterisk/audio/ (telephony.KeyAudio)
// in one batch every AudioRefresh (a fifth of it until voice has gone
// both ways), and removed when the audio ends; no timer runs while no
// call has audio.

// maxReasonLen cuts why a device would not open, in the published device
// name, in runes.
const maxReasonLen = 300

// Audio opens the active call's audio.
type Audio interface {
	// Start streams c through the configured devices until the session
	// is closed or the call ends.
	Start(ctx context.Context, c *iax.Call) (AudioSession, error)
	// StartNull streams c through the null device: silence is sent and
	// what arrives is counted but played nowhere.
	StartNull(ctx context.Context, c *iax.Call) (AudioSession, error)
	// Device names the configured devices as the value space shows them
	// ("pulse", "pulse:speaker").
	Device() string
	// Missing says, for an error of Start, what is not available
	// ("PulseAudio", "wav:/x.wav").
	Missing() string
}

// AudioSession is one call's running audio (a *callaudio.Session).
type AudioSession interface {
	Stats() callaudio.Stats
	Close() error
}

// DeviceAudio is the Audio of callaudio's devices; Open names them.
type DeviceAudio struct {
	Open callaudio.Device
}

// Start opens the configured devices on c.
func (d DeviceAudio) Start(ctx context.Context, c *iax.Call) (AudioSession, error) {
	s, err := d.Open.Open(ctx, c)
	if err != nil {
		return nil, err
	}
	return s, nil
}

// StartNull opens the null device on c.
func (d DeviceAudio) StartNull(ctx context.Context, c *iax.Call) (AudioSession, error) {
	n := d.Open
	n.Source, n.Sink = "null", "null"
	s, err := n.Open(ctx, c)
	if err != nil {
		return nil, err
	}
	return s, nil
}

func (d DeviceAudio) names() (src, sink string) {
	src, sink = d.Open.Source, d.Open.Sink
	if src == "" {
		src = "pulse"
	}
	if sink == "" {
		sink = "pulse"
	}
	return src, sink
}

// Device is the speaker's name, with the microphone's when it differs.
func (d DeviceAudio) Device() string {
	src, sink := d.names()
	if src == sink {
		return sink
	}
	return fmt.Sprintf("%s (microphone %s)", sink, src)
}

// Missing names the configured devices other than null: "PulseAudio"
// for pulse ones, else the device names.
func (d DeviceAudio) Missing() string {
	var names []string
	src, sink := d.names()
	for _, n := range []string{sink, src} {
		b, _, _ := audio.ParseDevice(n)
		switch {
		case b == "null":
			continue
		case b == "pulse":
			n = "PulseAudio"
		}
		if !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return "null"
	}
	return strings.Join(names, " or ")
}

// callAudio is the running audio of the active call. Owned by the loop.
type callAudio struct {
	s      AudioSession
	device string
	timer  interface{ Stop() bool }
}

// startAudio opens the call's audio, falling back to the null device, and
// publishes its counters. Call it on the loop goroutine.
func (c *call) startAudio() {
	a := c.a
	if a.opts.Audio == nil || c.audio != nil || c.ic == nil {
		return
	}
	device := a.opts.Audio.Device()
	s, err := a.opts.Audio.Start(a.ctx, c.ic)
	if err != nil {
		device = fmt.Sprintf("null (%s not available: %s)", a.opts.Audio.Missing(),
			telephony.Printable(err.Error(), maxReasonLen))
		if !c.audioFellBack {
			c.audioFellBack = true
			a.log.Warn("call audio on the null device: the call is up but nothing is heard or sent from the handset",
				"call", c.tc.ID(), "device", device, "err", err)
		}
		if s, err = a.opts.Audio.StartNull(a.ctx, c.ic); err != nil {
			a.log.Error("call audio not started, not even on the null device", "call", c.tc.ID(), "err", err)
			return
		}
	}
	c.audio = &callAudio{s: s, device: device}
	c.publishAudio()
}

// publishAudio publishes the counters in one batch and schedules the next
// refresh.
func (c *call) publishAudio() {
	a, ca := c.a, c.audio
	st := ca.s.Stats()
	base := vs.Join(telephony.InterfacePath(telephony.CallProviderInterface, ServiceName), telephony.KeyAudio)
	n := func(v uint64) vs.Value { return vs.Int(int64(v)) }
	ms := func(d time.Duration) vs.Value { return vs.Int(d.Milliseconds()) }
	ops := []vs.Op{
		vs.SetOp(vs.Join(base, telephony.KeyAudioCall), vs.String(c.tc.ID())),
		vs.SetOp(vs.Join(base, telephony.KeyAudioDevice), vs.String(ca.device)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioSent), n(st.Sent)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioReceived), n(st.Received)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioLost), n(st.Jitter.Lost)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioLate), n(st.Jitter.Late)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioConcealed), n(st.Jitter.Concealed)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioUnderruns), n(st.Jitter.Underruns)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioJitterBufferMs), ms(st.Jitter.Delay)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioDelayMs), ms(st.Delay)),
		vs.SetOp(vs.Join(base, telephony.KeyAudioEncrypted), vs.Bool(c.ic != nil && c.ic.Info().Encrypted)),
	}
	if err := a.bus.ApplyAsync(ops...); err != nil {
		a.log.Debug("call audio counters not published", "call", c.tc.ID(), "err", err)
	}
	// Until voice has gone both ways the counters are refreshed five
	// times as often, so that a reader who hears the call soon after it
	// connects also sees it counted.
	next := a.opts.AudioRefresh
	if st.Sent == 0 || st.Received == 0 {
		next /= 5
	}
	ca.timer = a.opts.Clock.AfterFunc(next, func() {
		a.do(func() {
			if c.audio == ca {
				c.publishAudio()
			}
		})
	})
}

// endAudio stops the call's audio and removes its counters.
func (c *call) endAudio() {
	ca := c.audio
	if ca == nil {
		return
	}
	c.audio = nil
	ca.timer.Stop()
	ca.s.Close()
	base := vs.Join(telephony.InterfacePath(telephony.CallProviderInterface, ServiceName), telephony.KeyAudio)
	if err := c.a.bus.ApplyAsync(vs.RemoveOp(base)); err != nil {
		c.a.log.Debug("call audio counters not removed", "call", c.tc.ID(), "err", err)
	}
}
