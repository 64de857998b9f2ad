package callaudio

import (
	"context"
	"fmt"
	"math"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/udprelay"
	"github.com/ringo-phone/ringo/telephony/media"
)

const toneHz = 1004

// fast retransmission keeps call setup quick through a lossy relay.
var fast = iax.Retransmit{Initial: 100 * time.Millisecond, Min: 50 * time.Millisecond, Max: 400 * time.Millisecond, Tries: 10}

// startPeer runs the far end of the calls, in the role of a PBX's test
// extensions: 601 answers and sends a 1004 Hz tone at -6 dBFS, 20 ms a
// frame on the wall clock (the network's pace, not ours); 600 answers and
// echoes every voice frame; 666 rings and never answers; 486 answers busy;
// 602 sends one second of the tone and 650 echoes 50 frames, then they
// hang up.
func startPeer(t *testing.T, ctx context.Context) netip.AddrPort {
	t.Helper()
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{
		Server: &iax.ServerConfig{AllowGuests: true}, Retransmit: fast, PingInterval: -1,
	})
	if err != nil {
		t.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() {
		defer close(served)
		ep.Serve(sctx, func(ctx context.Context, c *iax.Call) {
			switch c.Info().Called {
			case "601":
				c.Answer()
				sendTone(ctx, c, 0)
			case "602":
				c.Answer()
				sendTone(ctx, c, 50)
				c.Hangup(0)
			case "650":
				c.Answer()
				for n := 0; n < 50; {
					select {
					case v := <-c.Voice():
						c.SendVoice(v.Payload)
						n++
					case <-c.Done():
						return
					case <-ctx.Done():
						return
					}
				}
				c.Hangup(0)
			case "600":
				c.Answer()
				for {
					select {
					case v := <-c.Voice():
						c.SendVoice(v.Payload)
					case <-c.Done():
						return
					case <-ctx.Done():
						return
					}
				}
			case "666":
				select {
				case <-c.Done():
				case <-ctx.Done():
				}
			case "486":
				c.Indicate(iax.CtlBusy)
				select {
				case <-c.Done():
				case <-ctx.Done():
				}
			}
		})
	}()
	t.Cleanup(func() {
		cancel()
		<-served
		ep.Close()
	})
	return ep.LocalAddr()
}

// sendTone sends frames of the tone (for ever if frames is 0).
func sendTone(ctx context.Context, c *iax.Call, frames int) {
	gen, err := media.NewToneGenerator(media.Tone{Freqs: []float64{toneHz}, Level: -6})
	if err != nil {
		panic(err)
	}
	tick := time.NewTicker(media.FrameDuration)
	defer tick.Stop()
	var f media.Frame
	var p [media.FrameSamples]byte
	for n := 0; frames == 0 || n < frames; n++ {
		select {
		case <-tick.C:
		case <-c.Done():
			return
		case <-ctx.Done():
			return
		}
		gen.Read(&f)
		if c.Info().Format == iax.FormatALaw {
			media.EncodeAlaw(p[:], f[:])
		} else {
			media.EncodeUlaw(p[:], f[:])
		}
		c.SendVoice(p[:])
	}
}

// dial places a call from a fresh client endpoint to addr.
func dial(t *testing.T, ctx context.Context, addr netip.AddrPort, called string, formats ...iax.Format) *iax.Call {
	t.Helper()
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Retransmit: fast, PingInterval: -1})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	c, err := ep.Dial(iax.DialOptions{Peer: addr, Called: called, Formats: formats})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Hangup(0) })
	return c
}

func pulseDevice(t *testing.T, srv *pulsetest.Server, src, sink string) Device {
	t.Helper()
	d := audio.NewDevices(nil)
	if err := pulse.Register(d, pulse.Config{Server: srv.Addr(), Logger: testLogger(t)}); err != nil {
		t.Fatal(err)
	}
	return Device{Devices: d, Source: src, Sink: sink, Config: Config{Logger: testLogger(t)}}
}

// record waits for n samples of the speaker's monitor from now on and
// returns them.
func record(t *testing.T, ctx context.Context, rec *pulsetest.Recorder, n int) []int16 {
	t.Helper()
	from := rec.Len()
	if err := rec.WaitLen(ctx, from+n); err != nil {
		t.Fatal(err)
	}
	return rec.Samples(from)[:n]
}

// detector says how far a tone stands out in a recording, in dB.
type detector struct {
	name   string
	margin func(pcm []int16, freq float64) float64
}

// strict is audiotest.AnalyzeTone: the tone against every other bin
// beyond its window's main lobe.
var strict = detector{"against every other bin", func(pcm []int16, freq float64) float64 {
	return audiotest.AnalyzeTone(pcm, freq).MarginDB
}}

// band is a tone receiver with a ±50 Hz passband: the tone against every
// frequency outside it. Concealed losses (a frame repeated, attenuated)
// spread a little of the tone's energy into its close neighbourhood,
// which such a receiver counts as the tone.
var band = detector{"outside ±50 Hz", func(pcm []int16, freq float64) float64 {
	return bandMargin(pcm, freq, 50)
}}

// expectTone records up to four one-second windows of the speaker and
// passes at the first in which the tone stands 30 dB above the rest. More
// than one window is allowed because the machine running the tests may be
// loaded: a window in which PulseAudio or this process was held off the
// CPU for tens of milliseconds holds a gap, which is the environment's
// doing; each window is logged.
func expectTone(t *testing.T, ctx context.Context, what string, rec *pulsetest.Recorder, freq float64, d detector) {
	t.Helper()
	var got []string
	for try := 0; try < 4; try++ {
		m := d.margin(record(t, ctx, rec, media.SampleRate), freq)
		got = append(got, fmt.Sprintf("%.1f", m))
		if m >= 30 {
			t.Logf("%s: %.0f Hz stands %s dB %s (windows tried: %d)", what, freq, got[len(got)-1], d.name, try+1)
			return
		}
	}
	t.Errorf("%s: %.0f Hz margin %s in four 1 s windows = %v dB, want ≥ 30 in one", what, freq, d.name, got)
}

func TestToneReachesSpeaker(t *testing.T) {
	srv := pulsetest.Start(t)
	rec := srv.Record(t, "speaker.monitor")
	for _, law := range []iax.Format{iax.FormatULaw, iax.FormatALaw} {
		t.Run(law.String(), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			c := dial(t, ctx, startPeer(t, ctx), "601", law)
			s, err := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker").Open(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := c.Wait(ctx); err != nil {
				t.Fatalf("call: %v", err)
			}
			if got := c.Info().Format; got != law {
				t.Fatalf("agreed format = %v, want %v", got, law)
			}
			record(t, ctx, rec, 4000) // the jitter buffer settles
			expectTone(t, ctx, "speaker", rec, toneHz, strict)
			st := s.Stats()
			t.Logf("stats: %+v", st)
			if st.Received == 0 || st.Played == 0 || st.Sent == 0 || st.Unsupported != 0 {
				t.Errorf("stats = %+v, want frames received, played and sent", st)
			}
		})
	}
}

func TestMicrophoneEchoedBack(t *testing.T) {
	srv := pulsetest.Start(t)
	gen := &audiotest.ToneSource{Freq: toneHz, LevelDB: -6}
	var gf audio.Frame
	srv.Play(t, "mic", func(dst []int16) {
		gen.ReadFrame(context.Background(), &gf)
		copy(dst, gf[:])
	})
	rec := srv.Record(t, "speaker.monitor")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c := dial(t, ctx, startPeer(t, ctx), "600")
	s, err := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker").Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("call: %v", err)
	}
	record(t, ctx, rec, 4000)
	expectTone(t, ctx, "echo at the speaker", rec, toneHz, strict)
	t.Logf("stats: %+v", s.Stats())
}

// TestToneThroughLossyNetwork puts a seeded relay that loses 10 % and
// reorders 10 % of the datagrams each way between the call and the tone
// peer: the jitter buffer reorders and conceals enough for the tone to
// stand out.
func TestToneThroughLossyNetwork(t *testing.T) {
	srv := pulsetest.Start(t)
	rec := srv.Record(t, "speaker.monitor")
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprint("seed", seed), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			im := udprelay.Impairment{Loss: 0.10, Reorder: 0.10}
			relay, err := udprelay.Listen("127.0.0.1:0", udprelay.Config{Target: startPeer(t, ctx), Up: im, Down: im, Seed: seed})
			if err != nil {
				t.Fatal(err)
			}
			defer relay.Close()
			c := dial(t, ctx, relay.Addr(), "601")
			s, err := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker").Open(ctx, c)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if err := c.Wait(ctx); err != nil {
				t.Fatalf("call: %v", err)
			}
			record(t, ctx, rec, 4000)
			expectTone(t, ctx, "speaker", rec, toneHz, band)
			up, down := relay.Counts()
			st := s.Stats()
			t.Logf("relay up %+v down %+v; session %+v", up, down, st)
			if down.Lost == 0 || down.Reordered == 0 {
				t.Errorf("relay counts down = %+v: the test did not impair anything", down)
			}
			if st.Jitter.Lost == 0 {
				t.Errorf("jitter buffer lost = 0, want the relay's losses seen")
			}
		})
	}
}

// TestPulseRestartMidCall kills PulseAudio during a call: the call stays
// up, the session keeps its rhythm with silence, and the tone is heard
// again once a new server is up.
func TestPulseRestartMidCall(t *testing.T) {
	srv := pulsetest.Start(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c := dial(t, ctx, startPeer(t, ctx), "601")
	dev := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker")
	src, err := dev.Devices.OpenSource(ctx, dev.Source)
	if err != nil {
		t.Fatal(err)
	}
	psink, err := dev.Devices.OpenSink(ctx, dev.Sink)
	if err != nil {
		t.Fatal(err)
	}
	sink := &tickSink{Sink: psink.(*pulse.Sink), wrote: make(chan audio.StreamStats, 1)}
	s, err := Start(ctx, c, src, sink, dev.Config)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := c.Wait(ctx); err != nil {
		t.Fatalf("call: %v", err)
	}
	rec := srv.Record(t, "speaker.monitor")
	record(t, ctx, rec, 4000)
	srv.Kill()
	// The speaker goes on taking frames (discarding them) at 20 ms each:
	// wait for half a second of them.
	for silent := uint64(0); silent < 25; {
		select {
		case st := <-sink.wrote:
			silent = st.Silent
		case <-c.Done():
			t.Fatalf("call ended while PulseAudio was down: %v", c.Err())
		case <-ctx.Done():
			t.Fatalf("playout stalled while PulseAudio was down: %+v", s.Stats())
		}
	}
	if st := c.State(); st != iax.StateConnected {
		t.Fatalf("call state with PulseAudio down = %v, want connected", st)
	}
	srv.Restart()
	rec = srv.Record(t, "speaker.monitor")
	record(t, ctx, rec, 8000) // the streams come back, the jitter buffer settles
	expectTone(t, ctx, "speaker after the restart", rec, toneHz, strict)
	if st := c.State(); st != iax.StateConnected {
		t.Errorf("call state after the restart = %v, want connected", st)
	}
	if st := sink.Stats(); st.Losses != 1 || st.Reconnects != 1 || !st.Connected {
		t.Errorf("speaker stats = %+v, want one loss, one reconnection, connected", st)
	}
	t.Logf("stats: %+v", s.Stats())
}

// TestLocalRingbackAndBusy: a call that rings gets the local ringback
// (Europe: 425 Hz) at the speaker; a busy answer gets the busy tone, and
// the session finishes after Config.BusyFor.
func TestLocalRingbackAndBusy(t *testing.T) {
	srv := pulsetest.Start(t)
	rec := srv.Record(t, "speaker.monitor")
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	peer := startPeer(t, ctx)

	c := dial(t, ctx, peer, "666")
	s, err := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker").Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	// Ringback is on for the first second of its cadence.
	if m := strict.margin(record(t, ctx, rec, 4000), 425); m < 30 {
		t.Errorf("ringback: 425 Hz margin = %.1f dB in its first half second, want ≥ 30", m)
	}
	if st := s.Stats(); st.Tone == 0 {
		t.Errorf("stats = %+v, want tone frames", st)
	}
	s.Close()

	c = dial(t, ctx, peer, "486")
	dev := pulseDevice(t, srv, "pulse:mic.monitor", "pulse:speaker")
	dev.Config.BusyFor = 2 * time.Second
	s, err = dev.Open(ctx, c)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	select {
	case <-c.Done():
	case <-ctx.Done():
		t.Fatal("busy call did not end")
	}
	if m := strict.margin(record(t, ctx, rec, 3200), 425); m < 30 {
		t.Errorf("busy: 425 Hz margin = %.1f dB in 400 ms, want ≥ 30", m)
	}
	select {
	case <-s.Done():
	case <-ctx.Done():
		t.Fatal("session did not finish after the busy tone")
	}
	if st := s.Stats(); st.Tone < 50 {
		t.Errorf("tone frames = %d, want ≥ 50 (BusyFor 2 s)", st.Tone)
	}
}

// bandMargin is how far the tone at freq stands above the strongest
// frequency outside freq±guard Hz (every 4 Hz up to 3990 Hz), in dB: a tone
// detector with a 2·guard passband. Concealed losses spread the tone's
// energy into its close neighbourhood, which the detector accepts as the
// tone, as a telephone tone receiver would.
func bandMargin(pcm []int16, freq, guard float64) float64 {
	tone := audiotest.Goertzel(pcm, freq)
	other := 0.0
	for f := 10.0; f < 3990; f += 4 {
		if math.Abs(f-freq) <= guard {
			continue
		}
		other = max(other, audiotest.Goertzel(pcm, f))
	}
	return 10 * math.Log10(tone/other)
}

// tickSink reports the pulse sink's counters after every frame written.
type tickSink struct {
	*pulse.Sink
	wrote chan audio.StreamStats
}

func (s *tickSink) WriteFrame(ctx context.Context, f *media.Frame) error {
	err := s.Sink.WriteFrame(ctx, f)
	select {
	case <-s.wrote: // keep only the latest
	default:
	}
	s.wrote <- s.Sink.Stats()
	return err
}
