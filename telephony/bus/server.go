package bus

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/valuespace"
)

// SocketName is the file name of the bus socket in the runtime directory.
const SocketName = "bus.sock"

// SocketPath returns <runtime>/bus.sock.
func SocketPath(runtime string) string { return filepath.Join(runtime, SocketName) }

// SocketMode is the permission of the socket file: owner and group only.
const SocketMode os.FileMode = 0o660

// ServerOptions tune a Server; the zero value gives the defaults.
type ServerOptions struct {
	// MaxMessage is the largest payload accepted or sent (default
	// MaxMessageSize).
	MaxMessage int
	// QueueLimit is how many bytes may wait unsent for one connection
	// before it is dropped as a slow reader (default 4 MiB; never less
	// than MaxMessage+4).
	QueueLimit int
	// MaxClients is how many connections may be open at once (default
	// 256). A connection beyond it closes the least recently active
	// connection that holds nothing (no subscription, no channel, no
	// value published), so idle connections cannot lock the console out;
	// when every connection holds something it is refused with ErrFull.
	MaxClients int
	// FrameTimeout is how long a frame may take to arrive once its
	// length has been read (default 5s): a client stalled in the middle of
	// a frame is dropped, and the memory it held is freed.
	FrameTimeout time.Duration
	// MaxPartialBytes bounds the bytes held for frames still arriving, all
	// connections together (default 16 MiB); a connection whose frame
	// would pass it is dropped. The payload buffer grows with what has
	// arrived, not with the length a frame announces.
	MaxPartialBytes int64
	// HandshakeTimeout is how long a new connection may take to send its
	// hello before it is dropped (default 5s), so that connections which
	// never speak cannot hold client slots.
	HandshakeTimeout time.Duration
	// Clock runs the handshake timers (nil: the wall clock).
	Clock Clock
	// Tree is the value space to serve (default: a new one).
	Tree *valuespace.Tree
	// Logger receives connection events (category "bus").
	Logger *slog.Logger
}

// Server serves the value space and qcop channels on a listener. It owns
// one goroutine accepting and two per connection; Close stops them all.
type Server struct {
	opts ServerOptions
	tree *valuespace.Tree
	log  *slog.Logger
	ln   net.Listener
	path string // socket file to remove on Close, if Listen created it

	mu        sync.Mutex
	conns     map[*conn]struct{}
	listeners map[string]map[*conn]struct{}
	held      map[string][][]byte   // messages for application channels nobody listens on yet
	local     map[string][]*handler // the hosting process's own listeners, by channel
	localQ    []localDelivery
	localWake chan struct{}
	ended     map[string]*ClientInfo // counters of closed connections, by client name
	nextOwner uint64
	closed    bool
	activity  atomic.Uint64 // counts frames read, all connections together
	partial   atomic.Int64  // bytes held for frames still arriving

	wg      sync.WaitGroup
	done    chan struct{}
	errOnce sync.Once
	err     error
}

// Listen creates the socket at path with mode SocketMode and serves it.
// A stale socket file (nobody listening) is replaced; a live one gives
// ErrInUse. The socket appears at path only once its mode is set.
func Listen(path string, opts ServerOptions) (*Server, error) {
	if c, err := net.Dial("unix", path); err == nil {
		c.Close()
		return nil, fmt.Errorf("%w: %s", ErrInUse, path)
	}
	tmp := fmt.Sprintf("%s.%d.tmp", path, os.Getpid())
	os.Remove(tmp)
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: tmp, Net: "unix"})
	if err != nil {
		return nil, fmt.Errorf("bus: listen %s: %w", path, err)
	}
	ln.SetUnlinkOnClose(false)
	if err := os.Chmod(tmp, SocketMode); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("bus: chmod socket: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		ln.Close()
		os.Remove(tmp)
		return nil, fmt.Errorf("bus: place socket: %w", err)
	}
	s := NewServer(ln, opts)
	s.path = path
	return s, nil
}

// NewServer serves an existing listener, which the server then owns.
func NewServer(ln net.Listener, opts ServerOptions) *Server {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = MaxMessageSize
	}
	if opts.QueueLimit <= 0 {
		opts.QueueLimit = 4 << 20
	}
	opts.QueueLimit = max(opts.QueueLimit, opts.MaxMessage+4)
	if opts.MaxClients <= 0 {
		opts.MaxClients = 256
	}
	if opts.HandshakeTimeout <= 0 {
		opts.HandshakeTimeout = 5 * time.Second
	}
	if opts.FrameTimeout <= 0 {
		opts.FrameTimeout = 5 * time.Second
	}
	if opts.MaxPartialBytes <= 0 {
		opts.MaxPartialBytes = 16 << 20
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.Tree == nil {
		opts.Tree = valuespace.New()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		opts:      opts,
		tree:      opts.Tree,
		log:       opts.Logger.With("category", "bus"),
		ln:        ln,
		conns:     make(map[*conn]struct{}),
		listeners: make(map[string]map[*conn]struct{}),
		held:      make(map[string][][]byte),
		local:     make(map[string][]*handler),
		localWake: make(chan struct{}, 1),
		ended:     make(map[string]*ClientInfo),
		done:      make(chan struct{}),
	}
	s.wg.Add(2)
	go s.accept()
	go s.dispatchLocal()
	return s
}

// Tree returns the served value space. The hosting process may use it
// directly (as owner 0, which never disconnects).
func (s *Server) Tree() *valuespace.Tree { return s.tree }

// Addr returns the listener's address.
func (s *Server) Addr() net.Addr { return s.ln.Addr() }

// Done is closed when the server has stopped.
func (s *Server) Done() <-chan struct{} { return s.done }

// Err returns why the server stopped: ErrClosed after Close, or the
// accept error; nil while it runs.
func (s *Server) Err() error {
	select {
	case <-s.done:
		return s.err
	default:
		return nil
	}
}

// Close stops accepting, disconnects every client (their entries vanish)
// and waits for all goroutines. It is idempotent.
func (s *Server) Close() error {
	s.stop(ErrClosed)
	s.wg.Wait()
	return nil
}

func (s *Server) stop(err error) {
	s.errOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		conns := make([]*conn, 0, len(s.conns))
		for c := range s.conns {
			conns = append(conns, c)
		}
		s.mu.Unlock()
		s.ln.Close()
		if s.path != "" {
			os.Remove(s.path)
		}
		for _, c := range conns {
			c.kill(ErrClosed)
		}
		s.err = err
		close(s.done)
	})
}

// Clients returns the connected clients' owner ids and names, by id.
func (s *Server) Clients() []ClientInfo {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]ClientInfo, 0, len(s.conns))
	for c := range s.conns {
		out = append(out, ClientInfo{Owner: c.owner, Name: c.name})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Owner < out[j].Owner })
	return out
}

func (s *Server) accept() {
	defer s.wg.Done()
	for {
		nc, err := s.ln.Accept()
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			s.stop(fmt.Errorf("bus: accept: %w", err))
			return
		}
		s.mu.Lock()
		if s.closed {
			s.mu.Unlock()
			nc.Close()
			return
		}
		if len(s.conns) >= s.opts.MaxClients {
			victim := s.idlestLocked()
			s.mu.Unlock()
			if victim == nil {
				s.refuse(nc)
				continue
			}
			s.mu.Lock()
			delete(s.conns, victim) // its slot is the new connection's now
			s.mu.Unlock()
			victim.kill(fmt.Errorf("%w: closed to make room for a new client (it held nothing and was the least recently active)", ErrEvicted))
			s.mu.Lock()
		}
		s.nextOwner++
		c := &conn{
			s:     s,
			nc:    nc,
			seq:   s.nextOwner,
			owner: valuespace.Owner(s.nextOwner),
			wake:  make(chan struct{}, 1),
			quit:  make(chan struct{}),
			subs:  make(map[uint64]func()),
			chans: make(map[string]struct{}),
		}
		s.conns[c] = struct{}{}
		s.mu.Unlock()
		c.hsTimer = s.opts.Clock.AfterFunc(s.opts.HandshakeTimeout, func() {
			c.kill(fmt.Errorf("%w: no hello within %v", ErrHandshake, s.opts.HandshakeTimeout))
		})
		s.wg.Add(1)
		go c.serve()
	}
}

// conn is one client connection: a reader goroutine (serve) that handles
// requests in order, and a writer goroutine that drains the bounded queue.
type conn struct {
	s     *Server
	nc    net.Conn
	owner valuespace.Owner
	name  string

	hsTimer Timer
	seq     uint64 // connection order

	// holding: the connection subscribed, listens on a channel or
	// published a value; active: the sequence number of its last frame
	// (from Server.activity). Both are read by accept to choose which
	// connection to close when the server is full.
	holding  atomic.Bool
	active   atomic.Uint64
	framesIn atomic.Uint64 // frames read after the handshake

	mu        sync.Mutex
	framesOut uint64
	sent      map[string]uint64
	received  map[string]uint64
	queue     [][]byte
	queued    int
	dead      bool
	cause     error
	wake      chan struct{}
	quit      chan struct{}

	// Only the reader goroutine touches these.
	subs  map[uint64]func()
	chans map[string]struct{}
}

// enqueue queues a frame for the writer. It never blocks: a connection whose
// queue would pass the limit is killed instead. Safe under the tree lock.
func (c *conn) enqueue(frame []byte) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	if c.queued+len(frame) > c.s.opts.QueueLimit {
		c.mu.Unlock()
		c.kill(fmt.Errorf("%w: %d bytes waiting", ErrSlowReader, c.queued))
		return
	}
	c.queue = append(c.queue, frame)
	c.queued += len(frame)
	c.framesOut++
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

func (c *conn) send(m *Message) {
	frame, err := AppendFrame(nil, m, c.s.opts.MaxMessage)
	if err != nil {
		// A reply too large for the wire (a huge snapshot): say so instead.
		frame, _ = AppendFrame(nil, &Message{Op: OpReply, ID: m.ID, Name: err.Error()}, c.s.opts.MaxMessage)
	}
	c.enqueue(frame)
}

// kill marks the connection dead and closes the socket, which ends both
// goroutines; the reader then cleans up. Idempotent.
func (c *conn) kill(cause error) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.dead = true
	c.cause = cause
	c.queue = nil
	c.mu.Unlock()
	close(c.quit)
	c.nc.Close()
}

func (c *conn) writer() {
	defer c.s.wg.Done()
	for {
		select {
		case <-c.quit:
			return
		case <-c.wake:
		}
		c.mu.Lock()
		q := c.queue
		c.queue = nil
		c.queued = 0
		c.mu.Unlock()
		if len(q) == 0 {
			continue
		}
		bufs := net.Buffers(q)
		if _, err := bufs.WriteTo(c.nc); err != nil {
			c.kill(fmt.Errorf("bus: write: %w", err))
			return
		}
	}
}

func (c *conn) serve() {
	defer c.s.wg.Done()
	log := c.s.log.With("owner", uint64(c.owner))
	r := bufio.NewReaderSize(c.nc, 64<<10)
	err := c.handshake(r)
	if err == nil {
		log = log.With("client", c.name)
		log.Debug("client connected")
		c.s.wg.Add(1)
		go c.writer()
		var buf []byte
		for err == nil {
			var payload []byte
			payload, err = c.readFrame(r, buf)
			if err != nil {
				break
			}
			if cap(payload) <= 64<<10 {
				buf = payload // reuse small buffers, drop big ones
			}
			c.framesIn.Add(1)
			c.active.Store(c.s.activity.Add(1))
			var m Message
			if err = m.Unmarshal(payload); err != nil {
				break
			}
			err = c.handle(&m)
		}
	}
	c.kill(err)
	c.mu.Lock()
	cause := c.cause
	c.mu.Unlock()
	c.cleanup()
	if errors.Is(cause, io.EOF) || errors.Is(cause, ErrClosed) {
		log.Debug("client disconnected")
	} else {
		log.Warn("client dropped", "err", cause)
	}
}

func (c *conn) handshake(r *bufio.Reader) error {
	payload, err := ReadFrame(r, nil, 4096)
	if err != nil {
		return err
	}
	// Stopped before the welcome is written, so a client that has its
	// welcome is never timed out.
	c.hsTimer.Stop()
	var m Message
	if err := m.Unmarshal(payload); err != nil {
		return fmt.Errorf("%w: %w", ErrHandshake, err)
	}
	if m.Op != OpHello {
		return fmt.Errorf("%w: first message is %s", ErrHandshake, m.Op)
	}
	if m.Version != Version {
		err := fmt.Errorf("%w: client speaks %d, server %d", ErrVersion, m.Version, Version)
		// The socket buffer of a fresh connection holds this small frame.
		f, _ := AppendFrame(nil, &Message{Op: OpReply, Name: err.Error()}, c.s.opts.MaxMessage)
		c.nc.Write(f)
		return err
	}
	c.s.mu.Lock() // Clients reads names under the server lock
	c.name = m.Name
	c.s.mu.Unlock()
	f, _ := AppendFrame(nil, &Message{Op: OpWelcome, Version: Version, Ref: uint64(c.owner)}, c.s.opts.MaxMessage)
	_, err = c.nc.Write(f)
	return err
}

func (c *conn) cleanup() {
	for _, cancel := range c.subs {
		cancel()
	}
	c.s.mu.Lock()
	for ch := range c.chans {
		delete(c.s.listeners[ch], c)
		if len(c.s.listeners[ch]) == 0 {
			delete(c.s.listeners, ch)
		}
	}
	delete(c.s.conns, c)
	c.s.endedLocked(c.statsLocked())
	c.s.mu.Unlock()
	c.s.tree.RemoveOwner(c.owner)
}

// handle performs one request. Errors in the request are reported back;
// only a protocol violation (a server-to-client op) ends the connection.
func (c *conn) handle(m *Message) error {
	reply := Message{Op: OpReply, ID: m.ID}
	var err error
	switch m.Op {
	case OpSet:
		err = c.s.tree.Set(c.owner, m.Path, m.Value)
		c.holding.Store(true)
	case OpRemove:
		err = c.s.tree.Remove(c.owner, m.Path)
	case OpApply:
		ops := make([]valuespace.Op, len(m.Changes))
		for i, ch := range m.Changes {
			ops[i] = valuespace.Op{Path: ch.Path, Value: ch.Value, Remove: ch.Removed}
		}
		err = c.s.tree.Apply(c.owner, ops...)
		c.holding.Store(true)
	case OpGet:
		reply.Value, reply.Found = c.s.tree.Get(m.Path)
	case OpList:
		reply.Names, err = c.s.tree.Children(m.Path)
	case OpSnapshot:
		var entries []valuespace.Entry
		entries, err = c.s.tree.Snapshot(m.Path)
		for _, e := range entries {
			reply.Changes = append(reply.Changes, valuespace.Change{Path: e.Path, Value: e.Value})
			reply.Owners = append(reply.Owners, uint64(e.Owner))
		}
	case OpClients:
		stats := c.s.Stats()
		for _, ci := range stats {
			if ci.Ended == 0 {
				reply.Names = append(reply.Names, ci.Name)
				reply.Owners = append(reply.Owners, uint64(ci.Owner))
			}
		}
		reply.Changes = encodeStats(stats)
	case OpSubscribe:
		err = c.subscribe(m.ID, m.Path)
		c.holding.Store(true)
	case OpUnsubscribe:
		if cancel, ok := c.subs[m.Ref]; ok {
			cancel()
			delete(c.subs, m.Ref)
		}
	case OpListen:
		c.listen(m.Path, true)
		c.holding.Store(true)
	case OpUnlisten:
		c.listen(m.Path, false)
	case OpSend:
		c.count(func() { c.sent = bump(c.sent, m.Name) })
		reply.Count, reply.Found = c.s.deliver(c.owner, m)
	default:
		return fmt.Errorf("%w: client sent %s", ErrBadMessage, m.Op)
	}
	if err != nil {
		reply.Name = err.Error()
	} else if m.ID == 0 {
		return nil
	}
	c.send(&reply)
	return nil
}

func (c *conn) subscribe(id uint64, path string) error {
	if id == 0 {
		return fmt.Errorf("%w: subscription needs a request id", ErrBadMessage)
	}
	if _, dup := c.subs[id]; dup {
		return fmt.Errorf("%w: subscription %d exists", ErrBadMessage, id)
	}
	cancel, err := c.s.tree.Subscribe(path, func(b valuespace.Batch) {
		c.send(&Message{Op: OpNotify, Ref: id, Seq: b.Seq, Initial: b.Initial, Changes: b.Changes})
	})
	if err != nil {
		return err
	}
	c.subs[id] = cancel
	return nil
}

func (c *conn) listen(ch string, on bool) {
	c.s.mu.Lock()
	defer c.s.mu.Unlock()
	if on {
		if c.s.listeners[ch] == nil {
			c.s.listeners[ch] = make(map[*conn]struct{})
		}
		c.s.listeners[ch][c] = struct{}{}
		c.chans[ch] = struct{}{}
		for _, f := range c.s.held[ch] {
			c.enqueue(f)
		}
		delete(c.s.held, ch)
		return
	}
	delete(c.s.listeners[ch], c)
	if len(c.s.listeners[ch]) == 0 {
		delete(c.s.listeners, ch)
	}
	delete(c.chans, ch)
}

// Application channels: a message sent to a channel with this prefix while
// nobody listens is held (up to HeldPerChannel messages, on up to
// HeldChannels channels) and delivered to the first connection that listens,
// as Qt Extended queued messages for an application that was not running
// yet. This lets phoned send Telephony::start() right after launching an
// agent.
const (
	ApplicationChannelPrefix = "QPE/Application/"
	HeldPerChannel           = 32
	HeldChannels             = 256
)

// deliver sends a qcop message to every connection listening on its
// channel and returns how many there were, and whether the message was
// held for a future listener. The frame is encoded once.
func (s *Server) deliver(from valuespace.Owner, m *Message) (n uint64, held bool) {
	d := Message{Op: OpDeliver, Ref: uint64(from), Path: m.Path, Name: m.Name, Args: m.Args}
	frame, err := AppendFrame(nil, &d, s.opts.MaxMessage)
	if err != nil {
		return 0, false
	}
	s.mu.Lock()
	targets := make([]*conn, 0, len(s.listeners[m.Path]))
	for c := range s.listeners[m.Path] {
		targets = append(targets, c)
	}
	local := len(s.local[m.Path])
	if local > 0 {
		s.localQ = append(s.localQ, localDelivery{channel: m.Path,
			d: Delivery{Channel: m.Path, Name: m.Name, Args: m.Args, From: from}})
		select {
		case s.localWake <- struct{}{}:
		default:
		}
	}
	if len(targets) == 0 && local == 0 && strings.HasPrefix(m.Path, ApplicationChannelPrefix) {
		q, exists := s.held[m.Path]
		if len(q) < HeldPerChannel && (exists || len(s.held) < HeldChannels) {
			s.held[m.Path] = append(q, frame)
			held = true
		}
	}
	s.mu.Unlock()
	for _, c := range targets {
		c.count(func() { c.received = bump(c.received, m.Name) })
		c.enqueue(frame)
	}
	return uint64(len(targets) + local), held
}

// Publish sends a qcop message from the hosting process (owner 0) to the
// channel's listeners and returns how many received it.
func (s *Server) Publish(channel, name string, args ...valuespace.Value) int {
	n, _ := s.deliver(0, &Message{Path: channel, Name: name, Args: args})
	return int(n)
}

// handler is one of the hosting process's listeners on a channel.
type handler struct {
	fn      func(Delivery)
	stopped atomic.Bool
}

type localDelivery struct {
	channel string
	d       Delivery
}

// Handle calls fn, in the hosting process, for every qcop message sent to
// channel from the moment Handle returns, as a client's listener would be
// called, but without a connection: nothing crosses the socket. Handlers
// run on one goroutine of the server, one at a time, in the order the
// messages were sent; a handler may send (Publish) and use the tree, but
// must not wait for a later delivery. A message held for an application
// channel is not replayed to a handler. The returned stop ends the
// handler: fn is not called for messages sent after stop returns.
func (s *Server) Handle(channel string, fn func(Delivery)) (stop func()) {
	h := &handler{fn: fn}
	s.mu.Lock()
	s.local[channel] = append(s.local[channel], h)
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		s.local[channel] = slices.DeleteFunc(s.local[channel], func(x *handler) bool { return x == h })
		if len(s.local[channel]) == 0 {
			delete(s.local, channel)
		}
		h.stopped.Store(true)
		s.mu.Unlock()
	}
}

// dispatchLocal runs the hosting process's handlers until Close.
func (s *Server) dispatchLocal() {
	defer s.wg.Done()
	for {
		select {
		case <-s.localWake:
		case <-s.done:
			return
		}
		for {
			s.mu.Lock()
			if len(s.localQ) == 0 {
				s.mu.Unlock()
				break
			}
			ld := s.localQ[0]
			s.localQ = s.localQ[1:]
			hs := slices.Clone(s.local[ld.channel])
			s.mu.Unlock()
			for _, h := range hs {
				if !h.stopped.Load() {
					h.fn(ld.d)
				}
			}
		}
	}
}

// idlestLocked returns the least recently active connection that holds
// nothing, or nil; s.mu held.
func (s *Server) idlestLocked() *conn {
	var best *conn
	for c := range s.conns {
		if c.holding.Load() {
			continue
		}
		if best == nil || c.active.Load() < best.active.Load() ||
			(c.active.Load() == best.active.Load() && c.seq < best.seq) {
			best = c
		}
	}
	return best
}

// refuse tells a connection the server is full, then closes it, on a
// goroutine of its own so that accepting goes on.
func (s *Server) refuse(nc net.Conn) {
	s.log.Warn("too many clients, all of them in use; connection refused", "max", s.opts.MaxClients)
	f, _ := AppendFrame(nil, &Message{Op: OpReply, Name: fmt.Sprintf("%s: %d clients, all in use", ErrFull, s.opts.MaxClients)}, s.opts.MaxMessage)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		defer nc.Close()
		// Read the hello first, so that closing does not reset the
		// connection under the client's feet before it reads why.
		nc.SetDeadline(time.Now().Add(time.Second))
		ReadFrame(bufio.NewReader(nc), nil, 4096)
		nc.Write(f)
	}()
}

// PartialBytes reports the bytes held now for frames still arriving.
func (s *Server) PartialBytes() int64 { return s.partial.Load() }

// readFrame reads one frame as ReadFrame does, but grows the payload
// buffer with what arrives (64 KiB at a time), counts what a frame holds
// beyond its first 64 KiB in the server's partial-frame total while the
// frame is incomplete, and drops a client whose frame does not complete
// within FrameTimeout. The first 64 KiB of every connection are not
// counted: ordinary requests are that small, so a storm of large frames
// cannot starve them.
func (c *conn) readFrame(r *bufio.Reader, buf []byte) ([]byte, error) {
	var hdr [4]byte
	if _, err := io.ReadFull(r, hdr[:]); err != nil {
		return nil, err
	}
	n := int(binary.BigEndian.Uint32(hdr[:]))
	if n == 0 {
		return nil, fmt.Errorf("%w: empty frame", ErrShortMessage)
	}
	if n > c.s.opts.MaxMessage {
		return nil, fmt.Errorf("%w: frame of %d bytes, at most %d", ErrTooLarge, n, c.s.opts.MaxMessage)
	}
	c.nc.SetReadDeadline(time.Now().Add(c.s.opts.FrameTimeout))
	defer c.nc.SetReadDeadline(time.Time{})
	buf = buf[:0]
	var held int64
	defer func() { c.s.partial.Add(-held) }()
	const chunk = 64 << 10
	for len(buf) < n {
		k := min(chunk, n-len(buf))
		if cap(buf)-len(buf) < k && len(buf)+k > chunk {
			if c.s.partial.Add(int64(k)) > c.s.opts.MaxPartialBytes {
				c.s.partial.Add(-int64(k))
				return nil, fmt.Errorf("%w: %d bytes already wait in unfinished frames", ErrTooManyPartial, c.s.partial.Load())
			}
			held += int64(k)
		}
		buf = slices.Grow(buf, k)
		m, err := io.ReadFull(r, buf[len(buf):len(buf)+k])
		buf = buf[:len(buf)+m]
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				return nil, fmt.Errorf("%w: %d of %d bytes after %v", ErrStalledFrame, len(buf), n, c.s.opts.FrameTimeout)
			}
			if err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf, nil
}
