package pulse

import (
	"context"
	"encoding/binary"
	"fmt"
	"sync"
	"time"

	"github.com/jfreymuth/pulse/proto"
	"github.com/ringo-phone/ringo/drivers/audio"
)

// Sink plays frames into a PulseAudio sink. It implements audio.Sink.
//
// WriteFrame hands a frame to the server only when the server has asked
// for that much audio, so a caller writing in a loop runs at the sound
// card's pace. While the server is away frames are discarded at 20 ms
// each on the injected clock.
type Sink struct {
	cfg  Config
	arg  string
	link link

	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	closed    chan struct{}
	wg        sync.WaitGroup

	wmu sync.Mutex // serialises WriteFrame; guards buf
	buf [frameBytes]byte

	mu   sync.Mutex
	cur  *playStream // nil while the server is away
	pace pace
	st   audio.StreamStats
	wake chan struct{} // room, loss or return; one pending signal
}

// playStream is one connection's playback stream.
type playStream struct {
	cn    *conn
	index uint32
	room  int // bytes asked for and not yet sent; guarded by Sink.mu
	tlen  int // the target length the server granted, bytes
	lat   time.Duration
}

func openSink(ctx context.Context, cfg Config, arg string) (*Sink, error) {
	s := &Sink{cfg: cfg, arg: arg, closed: make(chan struct{}), wake: make(chan struct{}, 1)}
	cn, install, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	install()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.link = link{cfg: &s.cfg, name: streamName("sink", arg), open: s.open, down: s.down, ctx: s.ctx, closed: s.closed}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.link.run(cn)
	}()
	return s, nil
}

// open connects and creates the playback stream: 8 kHz mono s16le,
// uncorked, playing as soon as one frame is written (the prebuffer). The
// server asks for audio in half frames and keeps its buffer (plus the
// sink's own latency) at the target length. Frames are written whole, so
// just before each write a frame less than the target is queued: asking
// for Config.Latency plus one frame keeps Config.Latency ahead of the
// speaker at the lowest point, which is the margin against a late writer.
// (Asking for less measurably underflows on a null sink under the race
// detector.)
func (s *Sink) open(ctx context.Context) (*conn, func(), error) {
	ps := &playStream{}
	cn, err := dial(ctx, s.cfg.Server, s.cfg.RequestTimeout, s.cfg.AppName, func(msg any) { s.onMsg(ps, msg) })
	if err != nil {
		return nil, nil, err
	}
	ps.cn = cn
	tlen := s.cfg.latencyBytes() + frameBytes
	req := proto.CreatePlaybackStream{
		SampleSpec:            proto.SampleSpec{Format: proto.FormatInt16LE, Channels: 1, Rate: audio.SampleRate},
		ChannelMap:            proto.ChannelMap{proto.ChannelMono},
		SinkIndex:             proto.Undefined,
		SinkName:              s.arg,
		BufferMaxLength:       proto.Undefined,
		BufferTargetLength:    tlen,
		BufferPrebufferLength: frameBytes,
		BufferMinimumRequest:  frameBytes / 2,
		SyncID:                proto.Undefined,
		ChannelVolumes:        proto.ChannelVolumes{0x10000},
		AdjustLatency:         true,
		Properties:            proto.PropList{"media.name": proto.PropListString("call"), "media.role": proto.PropListString("phone")},
	}
	var rpl proto.CreatePlaybackStreamReply
	if err := cn.request(&req, &rpl); err != nil {
		cn.close()
		return nil, nil, fmt.Errorf("%w: playback on %s: %w", ErrStream, streamName("sink", s.arg), err)
	}
	s.cfg.Logger.Debug("pulse playback stream", "sink", rpl.SinkName, "tlength", rpl.BufferTargetLength, "prebuf", rpl.BufferPrebufferLength, "minreq", rpl.BufferMinimumRequest, "maxlength", rpl.BufferMaxLength, "missing", rpl.Missing, "sink_latency_us", rpl.SinkLatency)
	ps.index = rpl.StreamIndex
	ps.tlen = int(rpl.BufferTargetLength)
	// Audio ahead of the speaker, on average: the buffer (between target
	// less a frame and target) and the sink's own latency.
	ps.lat = time.Duration(max(int(rpl.BufferTargetLength)-frameBytes/2, 0)/2)*time.Second/audio.SampleRate +
		time.Duration(rpl.SinkLatency)*time.Microsecond
	install := func() {
		s.mu.Lock()
		ps.room += int(rpl.Missing)
		if s.cur == nil && s.st.Losses > 0 {
			s.st.Reconnects++
		}
		s.cur = ps
		s.st.Connected = true
		s.st.Latency = ps.lat
		s.mu.Unlock()
		s.signal()
	}
	return cn, install, nil
}

// onMsg runs on the wire layer's read goroutine of ps's connection.
func (s *Sink) onMsg(ps *playStream, msg any) {
	switch m := msg.(type) {
	case *proto.Request:
		s.mu.Lock()
		ps.room += int(m.Length)
		s.mu.Unlock()
		s.signal()
	case *proto.Underflow:
		s.mu.Lock()
		if s.cur == ps {
			s.st.Underflows++
		}
		s.mu.Unlock()
	case *proto.PlaybackStreamKilled:
		ps.cn.fail(fmt.Errorf("%w: the server killed the playback stream", ErrLost))
	}
}

func (s *Sink) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Sink) down(error) {
	s.mu.Lock()
	s.cur = nil
	s.pace = pace{start: s.cfg.Clock.Now()}
	s.st.Losses++
	s.st.Connected = false
	s.mu.Unlock()
	s.signal()
}

// WriteFrame queues f for playback once the server has room for it.
func (s *Sink) WriteFrame(ctx context.Context, f *audio.Frame) error {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	for {
		ps, err := s.ready(ctx)
		if err != nil {
			return err
		}
		s.mu.Lock()
		if ps == nil {
			if s.cur != nil { // the server came back meanwhile
				s.mu.Unlock()
				continue
			}
			s.pace.n++
			s.st.Silent++
			s.mu.Unlock()
			return nil
		}
		if s.cur != ps || ps.room < frameBytes {
			s.mu.Unlock()
			continue
		}
		ps.room -= frameBytes
		s.st.Frames++
		s.mu.Unlock()
		for i, v := range f {
			binary.LittleEndian.PutUint16(s.buf[2*i:], uint16(v))
		}
		// A failed send loses this frame only: the link notices the broken
		// connection and the next frames are paced silence.
		_ = ps.cn.send(ps.index, s.buf[:])
		return nil
	}
}

// WaitWritable blocks until WriteFrame would take a frame without waiting
// (the server has room, or a paced silent slot is due), so that a caller
// can pick the frame as late as possible.
func (s *Sink) WaitWritable(ctx context.Context) error {
	_, err := s.ready(ctx)
	return err
}

// ready waits until the current stream has room for a frame (and returns
// it) or, while the server is away, until the next silent slot is due
// (and returns nil). It consumes nothing. A connected stream that asks for
// nothing for StallTimeout is failed, to be replaced.
func (s *Sink) ready(ctx context.Context) (*playStream, error) {
	var stall audio.Timer
	defer func() {
		if stall != nil {
			stall.Stop()
		}
	}()
	for {
		select {
		case <-s.closed:
			return nil, audio.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		default:
		}
		s.mu.Lock()
		ps := s.cur
		if ps == nil {
			due := s.pace.due()
			s.mu.Unlock()
			reached, err := waitUntil(ctx, s.cfg.Clock, due, s.wake, s.closed)
			if err != nil {
				return nil, err
			}
			if reached {
				return nil, nil
			}
			continue
		}
		room := ps.room
		s.mu.Unlock()
		if room >= frameBytes {
			return ps, nil
		}
		if stall == nil {
			cn := ps.cn
			stall = s.cfg.Clock.AfterFunc(s.cfg.StallTimeout, func() {
				cn.fail(fmt.Errorf("%w: no request for audio in %v", ErrLost, s.cfg.StallTimeout))
			})
		}
		select {
		case <-s.wake:
		case <-s.closed:
			return nil, audio.ErrClosed
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Latency is the server-side buffer of the stream (0 while the server is
// away).
func (s *Sink) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.lat
}

// Stats returns the stream's counters.
func (s *Sink) Stats() audio.StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Close ends the stream and the connection. Audio still buffered in the
// server (at most Config.Latency) is dropped. It is idempotent.
func (s *Sink) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancel()
		s.wg.Wait()
	})
	return nil
}
