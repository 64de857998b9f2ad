package callaudio

import (
	"context"
	"math/rand/v2"
	"net"
	"net/netip"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/telephony/media"
)

// BenchmarkCallPulse runs a call from a tone-burst peer into a session on
// PulseAudio and measures, per op = one 20 ms frame of call time:
//
//   - delay-ms: from a burst's first frame arriving (handed over by the
//     IAX endpoint) to its being written to the PulseAudio stream, mean
//     over the bursts; delay-max-ms the worst; speaker-ms adds the audio
//     the PulseAudio stream holds on average ahead of the speaker;
//     send-ms: from the peer sending that frame to its being written,
//     i.e. with the network's (the relay's) delay: with jitter, a late
//     frame waits less in the jitter buffer, so delay-ms alone would
//     flatter the buffer;
//   - cpu-%: CPU time of this process per second of call while the
//     session runs, less the same call without a session (the IAX
//     endpoints and the peer), i.e. the pipeline's own cost incl. its
//     PulseAudio client side; pa-cpu-%: the PulseAudio server's CPU.
//
// jitter=20ms delays each datagram by a uniform random 0-20 ms (seeded)
// through a relay, as a jittery network would.
func BenchmarkCallPulse(b *testing.B) {
	for _, jitter := range []time.Duration{0, 20 * time.Millisecond} {
		b.Run("jitter="+jitter.String(), func(b *testing.B) { benchCall(b, jitter) })
	}
}

func benchCall(b *testing.B, jitter time.Duration) {
	srv := pulsetest.Start(b, "speaker", "mic")
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	probe := &onsetProbe{}
	peer := startBurstPeer(b, ctx, probe)
	if jitter > 0 {
		peer = startJitterRelay(b, ctx, peer, jitter)
	}
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{PingInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	defer ep.Close()
	c, err := ep.Dial(iax.DialOptions{Peer: peer, Called: "700"})
	if err != nil {
		b.Fatal(err)
	}
	defer c.Hangup(0)
	if err := c.Wait(ctx); err != nil {
		b.Fatal(err)
	}

	// Phase 1: the call alone (voice drained, nothing sent).
	frames := max(b.N, 150) // at least 3 s: several bursts
	callTime := time.Duration(frames) * media.FrameDuration
	drainCtx, stopDrain := context.WithCancel(ctx)
	drained := make(chan struct{})
	go func() {
		defer close(drained)
		for {
			select {
			case <-c.Voice():
			case <-drainCtx.Done():
				return
			}
		}
	}()
	base := cpuOver(callTime, 0)
	stopDrain()
	<-drained

	// Phase 2: the call with its session on PulseAudio.
	d := audio.NewDevices(nil)
	if err := pulse.Register(d, pulse.Config{Server: srv.Addr()}); err != nil {
		b.Fatal(err)
	}
	src, err := d.OpenSource(ctx, "pulse:mic.monitor")
	if err != nil {
		b.Fatal(err)
	}
	psink, err := d.OpenSink(ctx, "pulse:speaker")
	if err != nil {
		b.Fatal(err)
	}
	cfg := Config{}
	cfg.defaults()
	jb, err := media.NewJitterBuffer(media.JitterConfig{Clock: cfg.Clock})
	if err != nil {
		b.Fatal(err)
	}
	sink := &probeSink{Sink: psink.(*pulse.Sink), p: probe}
	s := newSession(c, src, sink, jb, cfg)
	s.arrived = probe.arrived
	s.run(ctx)
	defer s.Close()
	time.Sleep(time.Second) // let the jitter buffer settle before measuring
	probe.reset()
	b.ResetTimer()
	with := cpuOver(callTime, srv.PID())
	b.StopTimer()

	st := s.Stats()
	delays := probe.delays(probe.arrive)
	sends := probe.delays(probe.sent)
	if len(delays) < 2 {
		b.Fatalf("only %d bursts measured; stats %+v", len(delays), st)
	}
	var sum, worst time.Duration
	for _, d := range delays {
		sum += d
		worst = max(worst, d)
	}
	mean := sum / time.Duration(len(delays))
	var sendSum time.Duration
	for _, d := range sends {
		sendSum += d
	}
	b.ReportMetric(float64(mean)/1e6, "delay-ms")
	b.ReportMetric(float64(worst)/1e6, "delay-max-ms")
	b.ReportMetric(float64(mean+st.SinkLatency)/1e6, "speaker-ms")
	if len(sends) > 0 {
		b.ReportMetric(float64(sendSum/time.Duration(len(sends)))/1e6, "send-ms")
	}
	b.ReportMetric(100*(with.self-base.self).Seconds()/callTime.Seconds(), "cpu-%")
	b.ReportMetric(100*with.server.Seconds()/callTime.Seconds(), "pa-cpu-%")
	b.ReportMetric(0, "ns/op")
	b.Logf("frames %d: %d bursts, delays %v, from sending %v; process CPU %v alone, %v with the session; stats %+v; speaker %+v",
		frames, len(delays), delays, sends, base.self, with.self, st, *st.Speaker)
}

type cpuUse struct{ self, server time.Duration }

// cpuOver sleeps d (the measurement window of a real-time process) and
// returns the CPU time this process, and the process pid if not 0, used
// meanwhile.
func cpuOver(d time.Duration, pid int) cpuUse {
	s0, p0 := selfCPU(), procCPU(pid)
	time.Sleep(d)
	return cpuUse{self: selfCPU() - s0, server: procCPU(pid) - p0}
}

func selfCPU() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// procCPU reads utime+stime of pid from /proc (clock ticks of 10 ms).
func procCPU(pid int) time.Duration {
	if pid == 0 {
		return 0
	}
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return 0
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * 10 * time.Millisecond
}

// onsetProbe pairs the arrival of each tone burst's first frame with the
// moment it is written to the speaker.
type onsetProbe struct {
	mu      sync.Mutex
	silent  map[uint32]bool // by timestamp: the frame was silent
	arrive  []time.Time     // onsets as they arrive, in timestamp order
	sent    []time.Time     // onsets as the peer sends them
	written []time.Time
	lastHot bool
}

func loud(f *media.Frame) bool {
	var e int64
	for _, v := range f {
		e += int64(v) * int64(v)
	}
	return e/int64(len(f)) > 1000*1000
}

func (p *onsetProbe) arrived(ts uint32, f *media.Frame, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.silent == nil {
		p.silent = map[uint32]bool{}
	}
	hot := loud(f)
	p.silent[ts] = !hot
	if hot && p.silent[ts-media.FrameSamples] {
		p.arrive = append(p.arrive, at)
	}
}

func (p *onsetProbe) wrote(f *media.Frame, at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	hot := loud(f)
	if hot && !p.lastHot {
		p.written = append(p.written, at)
	}
	p.lastHot = hot
}

func (p *onsetProbe) sending(at time.Time) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.sent = append(p.sent, at)
}

func (p *onsetProbe) reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.arrive, p.written, p.sent = nil, nil, nil
}

// delays pairs each written onset with the latest onset of from (arrive
// or sent) before it.
func (p *onsetProbe) delays(from []time.Time) []time.Duration {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []time.Duration
	for _, w := range p.written {
		i := sort.Search(len(from), func(i int) bool { return from[i].After(w) })
		if i == 0 {
			continue
		}
		out = append(out, w.Sub(from[i-1]))
	}
	return out
}

type probeSink struct {
	*pulse.Sink
	p *onsetProbe
}

func (s *probeSink) WriteFrame(ctx context.Context, f *media.Frame) error {
	err := s.Sink.WriteFrame(ctx, f)
	if err == nil {
		s.p.wrote(f, time.Now())
	}
	return err
}

// startBurstPeer answers 700 with 200 ms of 1004 Hz, 200 ms of silence,
// repeated, 20 ms a frame on the wall clock.
func startBurstPeer(b *testing.B, ctx context.Context, probe *onsetProbe) netip.AddrPort {
	ep, err := iax.Listen(ctx, "127.0.0.1:0", iax.Config{Server: &iax.ServerConfig{AllowGuests: true}, PingInterval: -1})
	if err != nil {
		b.Fatal(err)
	}
	sctx, cancel := context.WithCancel(ctx)
	served := make(chan struct{})
	go func() {
		defer close(served)
		ep.Serve(sctx, func(ctx context.Context, c *iax.Call) {
			c.Answer()
			gen, _ := media.NewToneGenerator(media.Tone{Freqs: []float64{toneHz}, Level: -6,
				Cadence: []time.Duration{200 * time.Millisecond, 200 * time.Millisecond}})
			tick := time.NewTicker(media.FrameDuration)
			defer tick.Stop()
			var f media.Frame
			var p [media.FrameSamples]byte
			wasLoud := false
			for {
				select {
				case <-tick.C:
				case <-c.Done():
					return
				case <-ctx.Done():
					return
				}
				gen.Read(&f)
				media.EncodeUlaw(p[:], f[:])
				if l := loud(&f); l && !wasLoud {
					probe.sending(time.Now())
					wasLoud = true
				} else {
					wasLoud = l
				}
				c.SendVoice(p[:])
			}
		})
	}()
	b.Cleanup(func() {
		cancel()
		<-served
		ep.Close()
	})
	return ep.LocalAddr()
}

// startJitterRelay forwards UDP between one client and target, holding
// each datagram a uniform random 0..max (seed 1).
func startJitterRelay(b *testing.B, ctx context.Context, target netip.AddrPort, maxDelay time.Duration) netip.AddrPort {
	front, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		b.Fatal(err)
	}
	back, err := net.ListenUDP("udp", net.UDPAddrFromAddrPort(netip.MustParseAddrPort("127.0.0.1:0")))
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	rng := rand.New(rand.NewPCG(1, 2))
	var client netip.AddrPort
	delay := func() time.Duration {
		mu.Lock()
		defer mu.Unlock()
		return time.Duration(rng.Int64N(int64(maxDelay)))
	}
	var wg sync.WaitGroup
	pump := func(from, to *net.UDPConn, dest func(netip.AddrPort) (netip.AddrPort, bool)) {
		defer wg.Done()
		buf := make([]byte, 2048)
		for {
			n, src, err := from.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			d, ok := dest(src)
			if !ok {
				continue
			}
			pkt := append([]byte(nil), buf[:n]...)
			time.AfterFunc(delay(), func() { to.WriteToUDPAddrPort(pkt, d) })
		}
	}
	wg.Add(2)
	go pump(front, back, func(src netip.AddrPort) (netip.AddrPort, bool) {
		mu.Lock()
		client = src
		mu.Unlock()
		return target, true
	})
	go pump(back, front, func(netip.AddrPort) (netip.AddrPort, bool) {
		mu.Lock()
		defer mu.Unlock()
		return client, client.IsValid()
	})
	b.Cleanup(func() {
		front.Close()
		back.Close()
		wg.Wait()
	})
	return front.LocalAddr().(*net.UDPAddr).AddrPort()
}
