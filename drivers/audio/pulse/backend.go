package pulse

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"strconv"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/internal/clock"
)

// Config configures the backend. The zero value works: default server,
// 20 ms latency, wall clock.
type Config struct {
	// Server is a PulseAudio server string ("unix:/path", "/path",
	// "tcp:host[:port]"); empty means $PULSE_SERVER, else
	// $XDG_RUNTIME_DIR/pulse/native, else SystemSocket.
	Server string
	// Latency is how much audio a sink keeps queued ahead of the speaker
	// at least (its buffer just before each frame is written; on average
	// it holds half a frame more), and the record fragment of a source
	// (rounded up to whole frames). Zero means $PULSE_LATENCY_MSEC, as
	// libpulse reads it, else 20 ms.
	Latency time.Duration
	// RequestTimeout bounds every request to the server (2 s).
	RequestTimeout time.Duration
	// StallTimeout: a connected stream that neither asks for nor brings
	// data for this long is taken as lost and replaced (1 s).
	StallTimeout time.Duration
	// ReconnectMin and ReconnectMax bound the backoff between attempts to
	// reach a lost server (100 ms doubling up to 250 ms: a local server
	// that restarts is back within a quarter second of being ready, and a
	// failed dial of its socket costs next to nothing).
	ReconnectMin, ReconnectMax time.Duration
	// SourceQueue is how much recorded audio waits for ReadFrame at most;
	// older audio is dropped (200 ms).
	SourceQueue time.Duration
	// AppName is the client name the server shows ("ringo").
	AppName string
	// Clock paces the silent frames while the server is away and times
	// the reconnection backoff (nil: the wall clock). Any audio.Clock
	// will do, a test's fake included.
	Clock audio.Clock
	// Logger gets category=audio logs; nil discards.
	Logger *slog.Logger
}

func (c *Config) defaults() {
	if c.Latency <= 0 {
		c.Latency = 20 * time.Millisecond
		if ms, err := strconv.Atoi(os.Getenv("PULSE_LATENCY_MSEC")); err == nil && ms > 0 {
			c.Latency = time.Duration(ms) * time.Millisecond
		}
	}
	c.Latency = ((c.Latency + audio.FrameDuration - 1) / audio.FrameDuration) * audio.FrameDuration
	if c.RequestTimeout <= 0 {
		c.RequestTimeout = 2 * time.Second
	}
	if c.StallTimeout <= 0 {
		c.StallTimeout = time.Second
	}
	if c.ReconnectMin <= 0 {
		c.ReconnectMin = 100 * time.Millisecond
	}
	if c.ReconnectMax < c.ReconnectMin {
		c.ReconnectMax = max(250*time.Millisecond, c.ReconnectMin)
	}
	if c.SourceQueue < audio.FrameDuration {
		c.SourceQueue = 200 * time.Millisecond
	}
	if c.AppName == "" {
		c.AppName = "ringo"
	}
	if c.Clock == nil {
		c.Clock = clock.Real()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	c.Logger = c.Logger.With("category", "audio")
}

// frameBytes is the size of one frame on the wire (s16le mono).
const frameBytes = audio.FrameSamples * 2

func (c *Config) latencyBytes() uint32 {
	return uint32(c.Latency/audio.FrameDuration) * frameBytes
}

// Backend opens PulseAudio sinks and sources. It implements audio.Backend.
type Backend struct {
	cfg Config
}

// New returns a backend; nothing is connected until a stream is opened.
func New(cfg Config) *Backend {
	cfg.defaults()
	return &Backend{cfg: cfg}
}

// Register adds a backend built from cfg to d under the name "pulse".
func Register(d *audio.Devices, cfg Config) error {
	return d.Register("pulse", New(cfg))
}

// OpenSink opens a playback stream on the sink named arg (the default sink
// when arg is empty). The server must be reachable now; later losses are
// survived.
func (b *Backend) OpenSink(ctx context.Context, arg string) (audio.Sink, error) {
	return openSink(ctx, b.cfg, arg)
}

// OpenSource opens a record stream on the source named arg (the default
// source when arg is empty).
func (b *Backend) OpenSource(ctx context.Context, arg string) (audio.Source, error) {
	return openSource(ctx, b.cfg, arg)
}

// link keeps one stream's connection alive: when it breaks, it waits with
// backoff and calls open until a new one is up. It is run by the sink or
// source goroutine that owns it.
type link struct {
	cfg  *Config
	name string // "sink NAME" or "source NAME", for logs
	// open connects and creates the stream; install makes it current.
	open   func(ctx context.Context) (cn *conn, install func(), err error)
	down   func(error)
	ctx    context.Context // ends at Close
	closed <-chan struct{}
}

func (l *link) run(cn *conn) {
	for {
		select {
		case <-cn.lost:
		case <-l.closed:
			cn.close()
			return
		}
		err := cn.err()
		l.cfg.Logger.Warn("pulse connection lost; going silent", "stream", l.name, "server", cn.tag, "err", err)
		l.down(err)
		backoff := l.cfg.ReconnectMin
		for {
			if !l.sleep(backoff) {
				return
			}
			next, install, err := l.open(l.ctx)
			if err == nil {
				l.cfg.Logger.Info("pulse stream back", "stream", l.name, "server", next.tag)
				install()
				cn = next
				break
			}
			l.cfg.Logger.Debug("pulse reconnect failed", "stream", l.name, "err", err, "retry", backoff)
			backoff = min(2*backoff, l.cfg.ReconnectMax)
		}
	}
}

// sleep waits d on the clock; false when the stream was closed.
func (l *link) sleep(d time.Duration) bool {
	done := make(chan struct{})
	t := l.cfg.Clock.AfterFunc(d, func() { close(done) })
	select {
	case <-done:
		return true
	case <-l.closed:
		t.Stop()
		return false
	}
}

// pace releases the silent frames of a stream whose server is away:
// frame n at start + (n+lead)·20 ms.
type pace struct {
	start time.Time
	n     int64
	lead  int64
}

func (p *pace) due() time.Time {
	return p.start.Add(time.Duration(p.n+p.lead) * audio.FrameDuration)
}

// wait blocks until d on clk, or an early wake (the server came back),
// ctx's end, or close. It returns whether d was reached.
func waitUntil(ctx context.Context, clk audio.Clock, d time.Time, wake <-chan struct{}, closed <-chan struct{}) (bool, error) {
	left := d.Sub(clk.Now())
	if left <= 0 {
		return true, nil
	}
	ready := make(chan struct{})
	t := clk.AfterFunc(left, func() { close(ready) })
	defer t.Stop()
	select {
	case <-ready:
		return true, nil
	case <-wake:
		return false, nil
	case <-ctx.Done():
		return false, ctx.Err()
	case <-closed:
		return false, audio.ErrClosed
	}
}

func streamName(kind, arg string) string {
	if arg == "" {
		return kind + " (default)"
	}
	return fmt.Sprintf("%s %s", kind, arg)
}
