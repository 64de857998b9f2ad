package cli

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/media"
)

// mediaFlags are the audio options of call and listen.
type mediaFlags struct {
	send, record string
	mic, speaker string
	audio        string
}

func (m *mediaFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.send, "send", "", "WAV file (8 kHz mono 16-bit) to send; silence after it ends")
	fs.StringVar(&m.record, "record", "", "write what is heard to this WAV file (8 kHz mono 16-bit), frames as they arrive")
	fs.StringVar(&m.mic, "mic", "", "talk through this audio device (pulse, pulse:NAME, wav:PATH, null) instead of -send")
	fs.StringVar(&m.speaker, "speaker", "", "play the call on this audio device (pulse, pulse:NAME, wav:PATH, null), through a jitter buffer, instead of -record")
	fs.StringVar(&m.audio, "audio", "", "talk and listen through this audio backend (pulse): the default microphone and speaker unless -mic or -speaker name others")
}

// devices reports whether the call's audio goes through audio devices.
func (m *mediaFlags) devices() bool { return m.mic != "" || m.speaker != "" }

func (m *mediaFlags) check() error {
	if m.audio != "" {
		m.mic, m.speaker = or(m.mic, m.audio), or(m.speaker, m.audio)
	}
	if m.devices() && (m.send != "" || m.record != "") {
		return fmt.Errorf("%w: -audio, -mic and -speaker replace -send and -record", ErrUsage)
	}
	return nil
}

// openDevices starts the device pipeline (internal/callaudio) on a call:
// microphone paced by its device, speaker behind an adaptive jitter
// buffer, ringback while alerting.
func (s *session) openDevices(ctx context.Context) (*callaudio.Session, error) {
	devices := audio.NewDevices(s.clk)
	if err := pulse.Register(devices, pulse.Config{AppName: "iaxcli"}); err != nil {
		return nil, err
	}
	dev := callaudio.Device{Devices: devices, Source: or(s.media.mic, "null"), Sink: or(s.media.speaker, "null"),
		Config: callaudio.Config{Clock: s.clk}}
	return dev.Open(ctx, s.call)
}

func or(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

// reportDevices prints what the device pipeline did.
func (s *session) reportDevices(ds *callaudio.Session) {
	st := ds.Stats()
	s.out.line("audio: sent %d received %d played %d concealed %d silence %d tone %d; jitter buffer lost %d late %d delay %v",
		st.Sent, st.Received, st.Played, st.Concealed, st.Silence, st.Tone, st.Jitter.Lost, st.Jitter.Late, st.Delay)
	if err := ds.Err(); err != nil {
		s.out.line("audio: %v", err)
	}
}

// actions are timed things to do during a connected call, relative to
// the moment it connected.
type actions struct {
	dtmf               string
	dtmfAt             time.Duration
	holdAt, resumeAt   time.Duration
	transfer           string
	transferAt         time.Duration
	hangupAt           time.Duration // 0: never (the peer or ctx ends it)
	digitLen, digitGap time.Duration
}

// session runs one call: it prints events, sends and records audio once
// connected, does the timed actions, and returns when the call ends.
type session struct {
	call   *iax.Call
	clk    clock.Clock
	out    *printer
	media  mediaFlags
	record string // file for this call's recording ("" for none)
	act    actions

	mu        sync.Mutex
	held      bool // we put the peer on hold
	connected bool
}

type timerEvent int

const (
	tmDTMF timerEvent = iota
	tmHold
	tmResume
	tmTransfer
	tmHangup
)

func (s *session) run(ctx context.Context) error {
	c := s.call
	timers := make(chan timerEvent, 8)
	var pending []clock.Timer
	defer func() {
		for _, t := range pending {
			t.Stop()
		}
	}()
	at := func(d time.Duration, ev timerEvent) {
		pending = append(pending, s.clk.AfterFunc(d, func() {
			select {
			case timers <- ev:
			default:
			}
		}))
	}
	var (
		mediaWG sync.WaitGroup
		mctx    context.Context
		mstop   context.CancelFunc = func() {}
	)
	defer func() { mstop(); mediaWG.Wait() }()
	if s.media.devices() {
		ds, err := s.openDevices(ctx)
		if err != nil {
			_ = c.Hangup(0)
			return fmt.Errorf("audio: %w", err)
		}
		defer func() { ds.Close(); s.reportDevices(ds) }()
	}
	onConnected := func() error {
		if s.connected {
			return nil
		}
		s.mu.Lock()
		s.connected = true
		s.mu.Unlock()
		if !s.media.devices() {
			mctx, mstop = context.WithCancel(ctx)
			src, sink, err := s.openAudio()
			if err != nil {
				_ = c.Hangup(0)
				return err
			}
			mediaWG.Add(2)
			go func() { defer mediaWG.Done(); s.sendAudio(mctx, src) }()
			go func() { defer mediaWG.Done(); s.recordAudio(mctx, sink) }()
		}
		if s.act.dtmf != "" {
			at(s.act.dtmfAt, tmDTMF)
		}
		if s.act.holdAt > 0 {
			at(s.act.holdAt, tmHold)
		}
		if s.act.resumeAt > 0 {
			at(s.act.resumeAt, tmResume)
		}
		if s.act.transfer != "" {
			at(s.act.transferAt, tmTransfer)
		}
		if s.act.hangupAt > 0 {
			at(s.act.hangupAt, tmHangup)
		}
		return nil
	}
	if c.State() == iax.StateConnected {
		if err := onConnected(); err != nil {
			return err
		}
	}
	for {
		select {
		case ev := <-c.Events():
			if line := describe(ev); line != "" {
				if ev.Type == iax.EventAccepted && c.Info().Encrypted {
					line += ", encrypted (aes128)"
				}
				s.out.line("%s", line)
			}
			if ev.Type == iax.EventState && ev.State == iax.StateConnected {
				if err := onConnected(); err != nil {
					return err
				}
			}
		case t := <-timers:
			s.timed(t)
		case <-c.Done():
			s.drainEvents()
			return s.outcome()
		case <-ctx.Done():
			_ = c.Hangup(0)
			<-c.Done()
			s.drainEvents()
			return s.outcome()
		}
	}
}

func (s *session) drainEvents() {
	for {
		select {
		case ev := <-s.call.Events():
			if line := describe(ev); line != "" {
				s.out.line("%s", line)
			}
		default:
			return
		}
	}
}

// outcome turns how the call ended into the command's result.
func (s *session) outcome() error {
	c := s.call
	s.mu.Lock()
	connected := s.connected
	s.mu.Unlock()
	err := c.Err()
	switch {
	case c.State() == iax.StateFailed:
		return fmt.Errorf("%w: %w", ErrCallFailed, err)
	case !connected:
		if err == nil {
			err = iax.ErrHangup
		}
		return fmt.Errorf("%w: %w", ErrNotConnected, err)
	}
	var he *iax.HangupError
	if errors.As(err, &he) && he.CauseCode != 0 && he.CauseCode != iax.CauseNormal {
		return fmt.Errorf("%w: %w", ErrCallFailed, err)
	}
	return nil
}

func (s *session) timed(t timerEvent) {
	c := s.call
	switch t {
	case tmDTMF:
		go s.sendDigits()
	case tmHold:
		if err := c.Hold(); err == nil {
			s.mu.Lock()
			s.held = true
			s.mu.Unlock()
			s.out.line("hold")
		}
	case tmResume:
		if err := c.Unhold(); err == nil {
			s.mu.Lock()
			s.held = false
			s.mu.Unlock()
			s.out.line("resume")
		}
	case tmTransfer:
		if err := c.Transfer(s.act.transfer); err == nil {
			s.out.line("transfer %s", s.act.transfer)
		}
	case tmHangup:
		s.out.line("hanging up")
		_ = c.Hangup(0)
	}
}

// sendDigits sends the -dtmf digits one after the other.
func (s *session) sendDigits() {
	for i := range len(s.act.dtmf) {
		d := s.act.dtmf[i]
		if err := s.call.SendDTMF(d, s.act.digitLen); err != nil {
			return
		}
		s.out.line("sent dtmf %c", d)
		if !sleep(s.clk, s.call.Done(), s.act.digitLen+s.act.digitGap) {
			return
		}
	}
}

// sleep waits d on clk; false if stop closed first.
func sleep(clk clock.Clock, stop <-chan struct{}, d time.Duration) bool {
	ch := make(chan struct{})
	t := clk.AfterFunc(d, func() { close(ch) })
	defer t.Stop()
	select {
	case <-ch:
		return true
	case <-stop:
		return false
	}
}

// describe is the line printed for a call event ("" for none).
func describe(ev iax.CallEvent) string {
	switch ev.Type {
	case iax.EventState:
		if ev.Err != nil {
			return fmt.Sprintf("state %v: %v", ev.State, ev.Err)
		}
		return "state " + ev.State.String()
	case iax.EventAccepted:
		return "accepted " + ev.Format.String()
	case iax.EventDTMFEnd:
		return fmt.Sprintf("dtmf %c", ev.Digit)
	case iax.EventDTMFBegin:
		return ""
	case iax.EventHold:
		return "held by peer"
	case iax.EventUnhold:
		return "resumed by peer"
	case iax.EventTransfer:
		return fmt.Sprintf("peer asks a transfer to %q (ignored)", ev.Text)
	case iax.EventText:
		return fmt.Sprintf("text %q", ev.Text)
	}
	return ev.Type.String()
}

func (s *session) openAudio() (audio.Source, audio.Sink, error) {
	var (
		src  audio.Source
		sink audio.Sink
		err  error
	)
	if s.media.send != "" {
		src, err = audio.OpenWAVSource(s.media.send, nil)
		if err != nil {
			return nil, nil, err
		}
	}
	if s.record != "" {
		sink, err = audio.CreateWAVSink(s.record, nil)
		if err != nil {
			if src != nil {
				src.Close()
			}
			return nil, nil, err
		}
	}
	return src, sink, nil
}

// sendAudio sends a frame every 20 ms: the -send file, then silence;
// nothing while we hold the peer.
func (s *session) sendAudio(ctx context.Context, src audio.Source) {
	c := s.call
	if src != nil {
		defer src.Close()
	}
	format := c.Info().Format
	var (
		pcm   media.Frame
		out   [media.FrameSamples]byte
		start = s.clk.Now()
	)
	for n := 0; ; n++ {
		s.mu.Lock()
		held := s.held
		s.mu.Unlock()
		if !held {
			clear(pcm[:])
			if src != nil {
				if err := src.ReadFrame(ctx, &pcm); err != nil {
					if !errors.Is(err, io.EOF) {
						s.out.line("send: %v", err)
					}
					src.Close()
					src = nil
					clear(pcm[:])
				}
			}
			encode(format, out[:], pcm[:])
			if err := c.SendVoice(out[:]); err != nil && c.State().Final() {
				return
			}
		}
		wait := start.Add(time.Duration(n+1) * media.FrameDuration).Sub(s.clk.Now())
		if !sleep(s.clk, ctx.Done(), max(wait, 0)) {
			return
		}
	}
}

// recordAudio writes received voice to sink in arrival order; when ctx
// ends it takes what has already arrived and closes the file.
func (s *session) recordAudio(ctx context.Context, sink audio.Sink) {
	c := s.call
	var (
		buf []int16
		f   media.Frame
		tmp = make([]int16, 4*media.FrameSamples)
	)
	write := func(v iax.Voice) {
		if sink == nil {
			return
		}
		n := decode(v.Format, tmp, v.Payload)
		buf = append(buf, tmp[:n]...)
		for len(buf) >= media.FrameSamples {
			copy(f[:], buf)
			buf = buf[media.FrameSamples:]
			if err := sink.WriteFrame(context.WithoutCancel(ctx), &f); err != nil {
				s.out.line("record: %v", err)
				sink.Close()
				sink = nil
				return
			}
		}
	}
	defer func() {
		if sink != nil {
			if err := sink.Close(); err != nil {
				s.out.line("record: %v", err)
			}
		}
	}()
	for {
		select {
		case v := <-c.Voice():
			write(v)
		case <-ctx.Done():
			for {
				select {
				case v := <-c.Voice():
					write(v)
				default:
					return
				}
			}
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

func decode(f iax.Format, dst []int16, src []byte) int {
	src = src[:min(len(src), len(dst))]
	switch f {
	case iax.FormatALaw:
		return media.DecodeAlaw(dst, src)
	case iax.FormatULaw:
		return media.DecodeUlaw(dst, src)
	}
	clear(dst[:len(src)])
	return len(src)
}

// recordPath numbers the recordings of the second and later calls of a
// listen: out.wav, out-2.wav, out-3.wav, ...
func recordPath(base string, n int) string {
	if base == "" || n <= 1 {
		return base
	}
	if i := strings.LastIndex(base, "."); i > strings.LastIndex(base, "/") {
		return fmt.Sprintf("%s-%d%s", base[:i], n, base[i:])
	}
	return fmt.Sprintf("%s-%d", base, n)
}
