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

// Source records frames from a PulseAudio source. It implements
// audio.Source.
//
// The server delivers recorded audio in chunks of whatever size suits it;
// Source queues the bytes (up to Config.SourceQueue, dropping the oldest
// beyond) and hands them out 160 samples at a time. While the server is
// away ReadFrame gives silence, one frame per 20 ms of the injected clock.
type Source struct {
	cfg  Config
	arg  string
	link link

	ctx       context.Context
	cancel    context.CancelFunc
	closeOnce sync.Once
	closed    chan struct{}
	wg        sync.WaitGroup

	rmu sync.Mutex // serialises ReadFrame; guards out
	out [frameBytes]byte

	mu   sync.Mutex
	cur  *recStream // nil while the server is away
	q    ring
	pace pace
	st   audio.StreamStats
	wake chan struct{}
}

type recStream struct {
	cn    *conn
	index uint32
	lat   time.Duration
}

func openSource(ctx context.Context, cfg Config, arg string) (*Source, error) {
	qlen := int(cfg.SourceQueue/audio.FrameDuration) * frameBytes
	s := &Source{cfg: cfg, arg: arg, closed: make(chan struct{}), wake: make(chan struct{}, 1),
		q: ring{buf: make([]byte, qlen)}}
	cn, install, err := s.open(ctx)
	if err != nil {
		return nil, err
	}
	install()
	s.ctx, s.cancel = context.WithCancel(context.Background())
	s.link = link{cfg: &s.cfg, name: streamName("source", arg), open: s.open, down: s.down, ctx: s.ctx, closed: s.closed}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.link.run(cn)
	}()
	return s, nil
}

// open connects and creates the record stream: 8 kHz mono s16le in
// fragments of Config.Latency.
func (s *Source) open(ctx context.Context) (*conn, func(), error) {
	rs := &recStream{}
	cn, err := dial(ctx, s.cfg.Server, s.cfg.RequestTimeout, s.cfg.AppName, func(msg any) { s.onMsg(rs, msg) })
	if err != nil {
		return nil, nil, err
	}
	rs.cn = cn
	req := proto.CreateRecordStream{
		SampleSpec:         proto.SampleSpec{Format: proto.FormatInt16LE, Channels: 1, Rate: audio.SampleRate},
		ChannelMap:         proto.ChannelMap{proto.ChannelMono},
		SourceIndex:        proto.Undefined,
		SourceName:         s.arg,
		BufferMaxLength:    proto.Undefined,
		BufferFragSize:     s.cfg.latencyBytes(),
		DirectOnInputIndex: proto.Undefined,
		AdjustLatency:      true,
		ChannelVolumes:     proto.ChannelVolumes{0x10000},
		Properties:         proto.PropList{"media.name": proto.PropListString("call"), "media.role": proto.PropListString("phone")},
	}
	var rpl proto.CreateRecordStreamReply
	if err := cn.request(&req, &rpl); err != nil {
		cn.close()
		return nil, nil, fmt.Errorf("%w: record from %s: %w", ErrStream, streamName("source", s.arg), err)
	}
	rs.index = rpl.StreamIndex
	rs.lat = time.Duration(rpl.BufferFragSize/2) * time.Second / audio.SampleRate
	install := func() {
		s.mu.Lock()
		if s.cur == nil && s.st.Losses > 0 {
			s.st.Reconnects++
		}
		s.cur = rs
		s.st.Connected = true
		s.st.Latency = rs.lat
		s.mu.Unlock()
		s.signal()
	}
	return cn, install, nil
}

// onMsg runs on the wire layer's read goroutine of rs's connection. Record
// data arrives in a buffer the wire layer reuses: it is copied here.
func (s *Source) onMsg(rs *recStream, msg any) {
	switch m := msg.(type) {
	case *proto.DataPacket:
		s.mu.Lock()
		if s.cur == rs {
			if dropped := s.q.write(m.Data); dropped > 0 {
				s.st.Overflows++
			}
		}
		s.mu.Unlock()
		s.signal()
	case *proto.RecordStreamKilled:
		rs.cn.fail(fmt.Errorf("%w: the server killed the record stream", ErrLost))
	}
}

func (s *Source) signal() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

func (s *Source) down(error) {
	s.mu.Lock()
	s.cur = nil
	s.pace = pace{start: s.cfg.Clock.Now(), lead: 1}
	s.st.Losses++
	s.st.Connected = false
	s.mu.Unlock()
	s.signal()
}

// ReadFrame fills f with the next 160 recorded samples.
func (s *Source) ReadFrame(ctx context.Context, f *audio.Frame) error {
	s.rmu.Lock()
	defer s.rmu.Unlock()
	var stall audio.Timer
	defer func() {
		if stall != nil {
			stall.Stop()
		}
	}()
	for {
		select {
		case <-s.closed:
			return audio.ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		default:
		}
		s.mu.Lock()
		if s.q.n >= frameBytes {
			s.q.read(s.out[:])
			s.st.Frames++
			s.mu.Unlock()
			for i := range f {
				f[i] = int16(binary.LittleEndian.Uint16(s.out[2*i:]))
			}
			return nil
		}
		rs := s.cur
		if rs == nil {
			due := s.pace.due()
			s.mu.Unlock()
			reached, err := waitUntil(ctx, s.cfg.Clock, due, s.wake, s.closed)
			if err != nil {
				return err
			}
			if !reached {
				continue
			}
			s.mu.Lock()
			if s.cur != nil || s.q.n >= frameBytes {
				s.mu.Unlock()
				continue
			}
			s.pace.n++
			s.st.Silent++
			s.mu.Unlock()
			*f = audio.Frame{}
			return nil
		}
		s.mu.Unlock()
		if stall == nil {
			cn := rs.cn
			stall = s.cfg.Clock.AfterFunc(s.cfg.StallTimeout, func() {
				cn.fail(fmt.Errorf("%w: no recorded audio in %v", ErrLost, s.cfg.StallTimeout))
			})
		}
		select {
		case <-s.wake:
		case <-s.closed:
			return audio.ErrClosed
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Latency is the record fragment the server granted (0 while the server
// is away).
func (s *Source) Latency() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.cur == nil {
		return 0
	}
	return s.cur.lat
}

// Stats returns the stream's counters.
func (s *Source) Stats() audio.StreamStats {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st
}

// Close ends the stream and the connection. It is idempotent.
func (s *Source) Close() error {
	s.closeOnce.Do(func() {
		close(s.closed)
		s.cancel()
		s.wg.Wait()
	})
	return nil
}

// ring is a byte queue of fixed capacity that keeps the newest bytes.
type ring struct {
	buf  []byte
	r, n int
}

// write appends b, dropping the oldest bytes (in whole frames) when full;
// it returns how many bytes were dropped.
func (q *ring) write(b []byte) int {
	dropped := 0
	if len(b) > len(q.buf) {
		dropped += len(b) - len(q.buf)
		b = b[len(b)-len(q.buf):]
	}
	if over := q.n + len(b) - len(q.buf); over > 0 {
		over = (over + frameBytes - 1) / frameBytes * frameBytes
		over = min(over, q.n)
		q.r = (q.r + over) % len(q.buf)
		q.n -= over
		dropped += over
	}
	w := (q.r + q.n) % len(q.buf)
	c := copy(q.buf[w:], b)
	copy(q.buf, b[c:])
	q.n += len(b)
	return dropped
}

// read takes len(dst) bytes; the caller checks q.n first.
func (q *ring) read(dst []byte) {
	c := copy(dst, q.buf[q.r:min(len(q.buf), q.r+len(dst))])
	copy(dst[c:], q.buf)
	q.r = (q.r + len(dst)) % len(q.buf)
	q.n -= len(dst)
}
