package callaudio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/media"
)

// Config tunes a Session. The zero value is usable.
type Config struct {
	// MinDelay and MaxDelay bound the jitter buffer (media defaults:
	// 40 ms and 300 ms).
	MinDelay, MaxDelay time.Duration
	// Tones selects the national ringback and busy tones.
	Tones media.TonePlan
	// RingbackAfter: while alerting, ringback starts once no voice has
	// come or played for this long (200 ms), and stops when voice comes.
	RingbackAfter time.Duration
	// BusyFor is how long the busy tone plays after the far end answered
	// busy (3 s); the session then finishes.
	BusyFor time.Duration
	// Clock gives arrival times and times the tones (wall clock).
	Clock clock.Clock
	// Logger gets category=audio logs; nil discards.
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.RingbackAfter <= 0 {
		c.RingbackAfter = 200 * time.Millisecond
	}
	if c.BusyFor <= 0 {
		c.BusyFor = 3 * time.Second
	}
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Logger = c.Logger.With("category", "audio")
}

// Tone says what a session plays locally instead of the network's audio.
type Tone int

const (
	// ToneAuto: ringback while alerting without network audio, busy after
	// a busy answer, else the network's audio (the default).
	ToneAuto Tone = iota
	// ToneNone: always the network's audio.
	ToneNone
	// ToneRingback and ToneBusy force that tone.
	ToneRingback
	ToneBusy
)

// Stats are a session's counters.
type Stats struct {
	// Sent counts voice frames sent; NotSent frames captured while no
	// codec was agreed yet or the call refused voice.
	Sent, NotSent uint64
	// Received counts voice frames given to the jitter buffer;
	// Unsupported frames in a format other than G.711.
	Received, Unsupported uint64
	// Played, Concealed, Silence and Tone count frames written to the
	// speaker by what they held.
	Played, Concealed, Silence, Tone uint64
	// Jitter is the jitter buffer's view: loss, late frames, jitter, its
	// current delay and target.
	Jitter media.JitterStats
	// SinkLatency is the audio the speaker device holds on average, when
	// it says (pulse does); 0 otherwise.
	SinkLatency time.Duration
	// Delay is the current delay from a frame's arrival to the speaker:
	// the jitter buffer's delay plus SinkLatency.
	Delay time.Duration
	// Speaker and Microphone are the device streams' own counters
	// (underflows, losses, reconnects) when the device keeps them, as
	// pulse does; nil for other devices.
	Speaker, Microphone *audio.StreamStats
}

// Session streams one call's voice between the call and the audio
// endpoints. One goroutine serves the call on one 20 ms tick: each tick
// takes the voice frames that have arrived into the jitter buffer, plays
// one frame to the speaker and sends one frame from the microphone, so no
// frame is handed from goroutine to goroutine. The tick is the speaker's
// own rhythm when it has one (a sound card says when it will take a
// frame), else the session's single timer on Config.Clock, with the
// endpoints paced by it (audio.CallerPaced). Only a microphone with a
// rhythm of its own (PulseAudio) is read by a second goroutine, which the
// card paces. The goroutines stop when the call ends (after the busy tone,
// if any) or at Close; the session then closes the Source and Sink it was
// given.
type Session struct {
	cfg  Config
	call *iax.Call
	src  audio.Source
	sink audio.Sink
	jb   *media.JitterBuffer
	log  *slog.Logger

	sendCtx, playCtx      context.Context
	stopSend, stopPlay    context.CancelFunc
	wg                    sync.WaitGroup
	done                  chan struct{}
	sendDone              chan struct{}
	closeOnce, finishOnce sync.Once
	sendOnce, warnOnce    sync.Once

	mu        sync.Mutex
	st        Stats
	err       error
	tone      Tone
	lastVoice time.Time // the last voice frame's arrival or playout (zero: none yet)

	// The tick's own (only the serving goroutine touches them).
	mic     media.Frame
	payload [media.FrameSamples]byte
	rx, out media.Frame
	voice   [8]iax.Voice // TakeVoice's buffers, their payloads reused

	// arrived, if set (by tests), sees each decoded frame as it arrives.
	arrived func(ts uint32, f *media.Frame, at time.Time)
}

// Start joins c to src (microphone) and sink (speaker) and returns the
// running session, which owns src and sink from now on. A sink that is
// paced by its hardware sets the playout rhythm; endpoints without one
// (null, wav, audio.CallerPaced) are served on the session's 20 ms tick.
func Start(ctx context.Context, c *iax.Call, src audio.Source, sink audio.Sink, cfg Config) (*Session, error) {
	cfg.defaults()
	jb, err := media.NewJitterBuffer(media.JitterConfig{MinDelay: cfg.MinDelay, MaxDelay: cfg.MaxDelay, Clock: cfg.Clock})
	if err != nil {
		return nil, err
	}
	s := newSession(c, src, sink, jb, cfg)
	s.run(ctx)
	return s, nil
}

func newSession(c *iax.Call, src audio.Source, sink audio.Sink, jb *media.JitterBuffer, cfg Config) *Session {
	return &Session{cfg: cfg, call: c, src: src, sink: sink, jb: jb, log: cfg.Logger,
		done: make(chan struct{}), sendDone: make(chan struct{})}
}

// pacedByCaller hands an endpoint without a rhythm of its own to the
// session's tick.
func pacedByCaller(e any) bool {
	p, ok := e.(audio.CallerPaced)
	if ok {
		p.PaceByCaller()
	}
	return ok
}

func (s *Session) run(ctx context.Context) {
	s.sendCtx, s.stopSend = context.WithCancel(ctx)
	s.playCtx, s.stopPlay = context.WithCancel(ctx)
	micOnTick := pacedByCaller(s.src)
	ownTick := pacedByCaller(s.sink)
	s.wg.Add(2)
	if !micOnTick {
		s.wg.Add(1)
		go func() { defer s.wg.Done(); s.captureLoop() }()
	}
	go func() { defer s.wg.Done(); s.serve(micOnTick, ownTick) }()
	go func() { defer s.wg.Done(); s.watch() }()
	go func() {
		s.wg.Wait()
		s.finish()
	}()
}

// watch ends the send side when the call ends, and the playout once the
// busy tone (if any) has played. It wakes only then.
func (s *Session) watch() {
	select {
	case <-s.call.Done():
	case <-s.playCtx.Done():
		s.stopSend()
		return
	}
	s.stopSend()
	if !s.busy() {
		s.stopPlay()
		return
	}
	t := s.cfg.Clock.AfterFunc(s.cfg.BusyFor, s.stopPlay)
	<-s.playCtx.Done()
	t.Stop()
}

// busy reports whether the far end answered busy.
func (s *Session) busy() bool {
	var he *iax.HangupError
	return errors.As(s.call.Err(), &he) && he.CauseCode == iax.CauseBusy
}

func (s *Session) finish() {
	s.finishOnce.Do(func() {
		s.sendStopped()
		errs := []error{s.src.Close(), s.sink.Close()}
		s.mu.Lock()
		for _, err := range errs {
			if err != nil && s.err == nil {
				s.err = fmt.Errorf("%w: close: %w", ErrDevice, err)
			}
		}
		s.mu.Unlock()
		close(s.done)
	})
}

func (s *Session) fail(err error) {
	s.mu.Lock()
	if s.err == nil {
		s.err = err
	}
	s.mu.Unlock()
}

// sendStopped closes SendDone, once.
func (s *Session) sendStopped() { s.sendOnce.Do(func() { close(s.sendDone) }) }

// serve is the call's tick: receive, play, send, once per frame period.
// The period is the speaker's when it says when it will take a frame
// (WaitWritable), else one timer of the session's own (ownTick), else
// the speaker's blocking WriteFrame.
func (s *Session) serve(micOnTick, ownTick bool) {
	waiter, _ := s.sink.(writableWaiter)
	var tick *ticker
	if ownTick {
		tick = startTicker(s.cfg.Clock, media.FrameDuration)
		defer tick.stop()
	}
	sending := micOnTick
	var gen *media.ToneGenerator
	playing := ToneNone
	for {
		switch {
		case tick != nil:
			select {
			case <-tick.c:
			case <-s.playCtx.Done():
				return
			}
		case waiter != nil:
			if err := waiter.WaitWritable(s.playCtx); err != nil {
				s.sinkFailed(err)
				return
			}
		}
		// A tick that came late (the machine was busy) serves every
		// period since, a few at most: the speaker and the far end keep
		// their frame count.
		n := 1
		if tick != nil {
			n = tick.due()
		}
		for range n {
			s.receive()
			if !s.play(&gen, &playing) {
				return
			}
			if sending && !s.sendOne() {
				sending = false
				s.sendStopped()
			}
		}
	}
}

// captureLoop reads a microphone that has its own rhythm (a sound card)
// and sends each frame as it is captured.
func (s *Session) captureLoop() {
	defer s.sendStopped()
	for s.sendOne() {
	}
}

// sendOne reads, encodes and sends one microphone frame; false once
// sending has stopped (the microphone ended or failed, or the call ended).
func (s *Session) sendOne() bool {
	if s.sendCtx.Err() != nil {
		return false
	}
	if err := s.src.ReadFrame(s.sendCtx, &s.mic); err != nil {
		switch {
		case errors.Is(err, io.EOF):
			s.log.Info("microphone ended; sending stops")
		case s.sendCtx.Err() != nil, errors.Is(err, audio.ErrClosed):
		default:
			s.log.Warn("microphone failed; sending stops", "err", err)
			s.fail(fmt.Errorf("%w: microphone: %w", ErrDevice, err))
		}
		return false
	}
	var n int
	switch format := s.call.Info().Format; format {
	case iax.FormatULaw:
		n = media.EncodeUlaw(s.payload[:], s.mic[:])
	case iax.FormatALaw:
		n = media.EncodeAlaw(s.payload[:], s.mic[:])
	case 0: // no codec agreed yet
	default:
		s.warnFormat(format)
	}
	if n == 0 {
		s.count(func(st *Stats) { st.NotSent++ })
		return true
	}
	if err := s.call.SendVoice(s.payload[:n]); err != nil {
		s.count(func(st *Stats) { st.NotSent++ })
		return true
	}
	s.count(func(st *Stats) { st.Sent++ })
	return true
}

func (s *Session) count(f func(*Stats)) {
	s.mu.Lock()
	f(&s.st)
	s.mu.Unlock()
}

// receive takes every voice frame that has arrived since the last tick
// into the jitter buffer, without waiting (Call.TakeVoice, into buffers
// the session reuses). A payload longer than a frame (another
// packetisation) is cut into frames whose timestamps follow on.
func (s *Session) receive() {
	for {
		n := s.call.TakeVoice(s.voice[:])
		if n == 0 {
			return
		}
		now := s.cfg.Clock.Now()
		for i := range n {
			s.decode(&s.voice[i], now)
		}
		if n < len(s.voice) {
			return
		}
	}
}

// decode puts one received voice frame into the jitter buffer.
func (s *Session) decode(v *iax.Voice, now time.Time) {
	var decode func([]int16, []byte) int
	switch v.Format {
	case iax.FormatULaw:
		decode = media.DecodeUlaw
	case iax.FormatALaw:
		decode = media.DecodeAlaw
	default:
		s.warnFormat(v.Format)
		s.count(func(st *Stats) { st.Unsupported++ })
		return
	}
	ts := v.Timestamp * (media.SampleRate / 1000)
	for off := 0; off < len(v.Payload); off += media.FrameSamples {
		n := decode(s.rx[:], v.Payload[off:])
		clear(s.rx[n:])
		if s.arrived != nil {
			s.arrived(ts+uint32(off), &s.rx, now)
		}
		s.jb.Put(ts+uint32(off), &s.rx)
	}
	s.mu.Lock()
	s.st.Received++
	s.lastVoice = now
	s.mu.Unlock()
}

// warnFormat logs, once per session, that the call uses a codec the
// pipeline does not have.
func (s *Session) warnFormat(f iax.Format) {
	s.warnOnce.Do(func() {
		s.log.Warn("voice format not supported: the call is silent", "format", f.String(), "err", ErrFormat)
	})
}

// maxCatchUp bounds the periods one late tick serves (100 ms): after a
// longer stall the lost time is not made up.
const maxCatchUp = 5

// ticker is the session's one timer: a tick every period on the clock,
// re-armed from its own callback so that ticks keep their schedule however
// late the serving goroutine is (they coalesce in c).
type ticker struct {
	clk    clock.Clock
	period time.Duration
	c      chan struct{}

	mu      sync.Mutex
	start   time.Time
	armed   int64 // the periods scheduled so far
	served  int64 // the periods served (due)
	t       clock.Timer
	stopped bool
}

// startTicker ticks at once and then every period.
func startTicker(clk clock.Clock, period time.Duration) *ticker {
	t := &ticker{clk: clk, period: period, c: make(chan struct{}, 1), start: clk.Now()}
	t.c <- struct{}{}
	t.mu.Lock()
	t.arm()
	t.mu.Unlock()
	return t
}

// arm schedules the next tick; call it with mu held.
func (t *ticker) arm() {
	t.armed++
	at := t.start.Add(time.Duration(t.armed) * t.period)
	t.t = t.clk.AfterFunc(at.Sub(t.clk.Now()), t.fire)
}

func (t *ticker) fire() {
	t.mu.Lock()
	if t.stopped {
		t.mu.Unlock()
		return
	}
	t.arm()
	t.mu.Unlock()
	select {
	case t.c <- struct{}{}:
	default:
	}
}

// due returns how many periods have begun and not been served yet, at
// most maxCatchUp (the rest are lost), and counts them served.
func (t *ticker) due() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	begun := int64(t.clk.Now().Sub(t.start)/t.period) + 1
	n := min(begun-t.served, maxCatchUp)
	t.served = begun
	return int(max(n, 0))
}

func (t *ticker) stop() {
	t.mu.Lock()
	t.stopped = true
	t.t.Stop()
	t.mu.Unlock()
}

// writableWaiter is a sink that can say when it will take a frame.
type writableWaiter interface {
	WaitWritable(ctx context.Context) error
}

// statser is a device with counters of its own.
type statser interface{ Stats() audio.StreamStats }

// latencyReporter is a sink that knows how much audio it holds.
type latencyReporter interface {
	Latency() time.Duration
}

// play writes one frame to the speaker: a local tone or the jitter
// buffer's next frame. It returns false once the speaker failed or was
// closed.
func (s *Session) play(gen **media.ToneGenerator, playing *Tone) bool {
	if s.playCtx.Err() != nil {
		return false
	}
	want := s.localTone()
	if want != *playing {
		*playing, *gen = want, nil
		switch want {
		case ToneRingback:
			*gen, _ = media.NewToneGenerator(media.Ringback(s.cfg.Tones))
		case ToneBusy:
			*gen, _ = media.NewToneGenerator(media.Busy(s.cfg.Tones))
		}
		s.log.Debug("local tone", "tone", want)
	}
	f := &s.out
	tone, p := *gen != nil, media.PlaySilence
	if tone {
		(*gen).Read(f)
	} else {
		p = s.jb.Get(f)
	}
	// Counted as it is handed over: whoever sees the frame at the
	// speaker sees it counted.
	s.count(func(st *Stats) {
		switch {
		case tone:
			st.Tone++
		case p == media.PlayFrame:
			st.Played++
			s.lastVoice = s.cfg.Clock.Now()
		case p == media.PlayConcealed:
			st.Concealed++
		default:
			st.Silence++
		}
	})
	if err := s.sink.WriteFrame(s.playCtx, f); err != nil {
		s.sinkFailed(err)
		return false
	}
	return true
}

func (s *Session) sinkFailed(err error) {
	if s.playCtx.Err() != nil || errors.Is(err, audio.ErrClosed) {
		return
	}
	s.log.Warn("speaker failed; playout stops", "err", err)
	s.fail(fmt.Errorf("%w: speaker: %w", ErrDevice, err))
}

// localTone decides what the next frame plays.
func (s *Session) localTone() Tone {
	s.mu.Lock()
	forced, last := s.tone, s.lastVoice
	s.mu.Unlock()
	if forced != ToneAuto {
		return forced
	}
	select {
	case <-s.call.Done():
		if s.busy() {
			return ToneBusy
		}
		return ToneNone
	default:
	}
	if s.call.State() == iax.StateAlerting &&
		(last.IsZero() || s.cfg.Clock.Now().Sub(last) >= s.cfg.RingbackAfter) {
		return ToneRingback
	}
	return ToneNone
}

// SetTone overrides the local tone; ToneAuto returns to the default.
func (s *Session) SetTone(t Tone) {
	s.mu.Lock()
	s.tone = t
	s.mu.Unlock()
}

// Stats returns the session's counters.
func (s *Session) Stats() Stats {
	s.mu.Lock()
	st := s.st
	s.mu.Unlock()
	st.Jitter = s.jb.Stats()
	if l, ok := s.sink.(latencyReporter); ok {
		st.SinkLatency = l.Latency()
	}
	st.Delay = st.Jitter.Delay + st.SinkLatency
	if d, ok := s.sink.(statser); ok {
		ds := d.Stats()
		st.Speaker = &ds
	}
	if d, ok := s.src.(statser); ok {
		ds := d.Stats()
		st.Microphone = &ds
	}
	return st
}

// SendDone is closed when sending has stopped: the microphone ended (a
// WAV file was sent whole), failed, or the call ended. iaxcli -send hangs
// up then.
func (s *Session) SendDone() <-chan struct{} { return s.sendDone }

// Done is closed once the session has finished and closed its endpoints.
func (s *Session) Done() <-chan struct{} { return s.done }

// Err says why the session failed (an audio device error), or nil.
func (s *Session) Err() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.err
}

// Close stops the session, closes its endpoints and waits. It does not
// hang up the call. It is idempotent.
func (s *Session) Close() error {
	s.closeOnce.Do(func() {
		s.stopSend()
		s.stopPlay()
		// Unblock device calls that do not watch the context.
		s.src.Close()
		s.sink.Close()
		<-s.done
	})
	return s.Err()
}

func (t Tone) String() string {
	switch t {
	case ToneAuto:
		return "auto"
	case ToneNone:
		return "none"
	case ToneRingback:
		return "ringback"
	case ToneBusy:
		return "busy"
	}
	return fmt.Sprintf("Tone(%d)", int(t))
}

// String is a one-line summary for logs and command output.
func (st Stats) String() string {
	return fmt.Sprintf("sent %d, received %d (lost %d, late %d, concealed %d), jitter %v, delay %v (buffer %v + speaker %v)",
		st.Sent, st.Received, st.Jitter.Lost, st.Jitter.Late, st.Jitter.Concealed,
		st.Jitter.Jitter.Round(100*time.Microsecond), st.Delay, st.Jitter.Delay, st.SinkLatency)
}
