package bus

import (
	"bufio"
	"context"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/ringo-phone/ringo/telephony/valuespace"
)

// ClientOptions tune Dial; the zero value gives the defaults.
type ClientOptions struct {
	// Name identifies the program in the server's logs (e.g. "iaxagent").
	Name string
	// MaxMessage is the largest payload sent or accepted (default
	// MaxMessageSize).
	MaxMessage int
	// Logger receives errors the server reports for requests sent without
	// waiting (category "bus").
	Logger *slog.Logger
}

// Delivery is a qcop message as it arrives on a channel.
type Delivery struct {
	Channel string
	Name    string
	Args    []valuespace.Value
	From    valuespace.Owner // the sender's connection; 0 is the server's host
}

// Client is a connection to the bus. Its callbacks (subscriptions and
// channel listeners) all run on one dispatch goroutine, one at a time, in
// the order the messages arrived, like an event loop. A callback may make
// requests on the client; it must not wait for a later callback.
//
// Client owns three goroutines (reader, writer, dispatcher); Close stops
// them. Done is closed when the connection is over, for any reason.
type Client struct {
	nc    net.Conn
	owner valuespace.Owner
	opts  ClientOptions
	log   *slog.Logger

	mu        sync.Mutex
	nextID    uint64
	pending   map[uint64]chan *Message
	subs      map[uint64]*Subscription
	listeners map[string][]*Listener
	out       [][]byte
	events    []func()
	dead      bool
	err       error

	outWake chan struct{}
	evWake  chan struct{}
	done    chan struct{}
	wg      sync.WaitGroup
}

// Dial connects to the bus socket at path and performs the handshake.
func Dial(ctx context.Context, path string, opts ClientOptions) (*Client, error) {
	var d net.Dialer
	nc, err := d.DialContext(ctx, "unix", path)
	if err != nil {
		return nil, fmt.Errorf("bus: dial %s: %w", path, err)
	}
	return NewClient(ctx, nc, opts)
}

// NewClient performs the handshake on an open connection, which the client
// then owns.
func NewClient(ctx context.Context, nc net.Conn, opts ClientOptions) (*Client, error) {
	if opts.MaxMessage <= 0 {
		opts.MaxMessage = MaxMessageSize
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Client{
		nc:        nc,
		opts:      opts,
		log:       opts.Logger.With("category", "bus"),
		pending:   make(map[uint64]chan *Message),
		subs:      make(map[uint64]*Subscription),
		listeners: make(map[string][]*Listener),
		outWake:   make(chan struct{}, 1),
		evWake:    make(chan struct{}, 1),
		done:      make(chan struct{}),
	}
	r := bufio.NewReaderSize(nc, 64<<10)
	hs := make(chan error, 1)
	go func() {
		var err error
		c.owner, err = handshake(nc, r, opts)
		hs <- err
	}()
	select {
	case err := <-hs:
		if err != nil {
			nc.Close()
			return nil, fmt.Errorf("bus: handshake: %w", err)
		}
	case <-ctx.Done():
		nc.Close()
		<-hs
		return nil, ctx.Err()
	}
	c.wg.Add(3)
	go c.reader(r)
	go c.writer()
	go c.dispatcher()
	return c, nil
}

// handshake sends Hello and reads the server's Welcome.
func handshake(nc net.Conn, r *bufio.Reader, opts ClientOptions) (valuespace.Owner, error) {
	f, err := AppendFrame(nil, &Message{Op: OpHello, Version: Version, Name: opts.Name}, opts.MaxMessage)
	if err != nil {
		return 0, err
	}
	_, werr := nc.Write(f)
	p, err := ReadFrame(r, nil, opts.MaxMessage)
	if err != nil {
		if werr != nil {
			return 0, werr
		}
		return 0, err
	}
	var m Message
	if err := m.Unmarshal(p); err != nil {
		return 0, err
	}
	switch {
	case m.Op == OpWelcome && m.Version == Version:
		return valuespace.Owner(m.Ref), nil
	case m.Op == OpReply && strings.HasPrefix(m.Name, ErrFull.Error()):
		return 0, fmt.Errorf("%w%s", ErrFull, strings.TrimPrefix(m.Name, ErrFull.Error()))
	case m.Op == OpReply && m.Name != "":
		return 0, fmt.Errorf("%w: %s", ErrVersion, m.Name)
	}
	return 0, fmt.Errorf("%w: server answered %s version %d", ErrHandshake, m.Op, m.Version)
}

// Owner returns the value-space owner id the server gave this connection.
func (c *Client) Owner() valuespace.Owner { return c.owner }

// Done is closed when the connection has ended.
func (c *Client) Done() <-chan struct{} { return c.done }

// Err returns why the connection ended (ErrClosed after Close), or nil
// while it is up.
func (c *Client) Err() error {
	select {
	case <-c.done:
		c.mu.Lock()
		defer c.mu.Unlock()
		return c.err
	default:
		return nil
	}
}

// Close ends the connection (the server removes this client's entries) and
// waits for the client's goroutines. Callbacks already queued are dropped.
// It is idempotent; do not call it from a callback (use CloseAsync).
func (c *Client) Close() error {
	c.fail(ErrClosed)
	c.wg.Wait()
	return nil
}

// CloseAsync ends the connection without waiting for the goroutines; it is
// the form usable from inside a callback.
func (c *Client) CloseAsync() { c.fail(ErrClosed) }

func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.dead {
		c.mu.Unlock()
		return
	}
	c.dead = true
	c.err = err
	c.out = nil
	c.events = nil
	pending := c.pending
	c.pending = nil
	c.mu.Unlock()
	c.nc.Close()
	for _, ch := range pending {
		close(ch)
	}
	close(c.done)
}

func (c *Client) reader(r *bufio.Reader) {
	defer c.wg.Done()
	var buf []byte
	for {
		p, err := ReadFrame(r, buf, c.opts.MaxMessage)
		if err != nil {
			c.fail(fmt.Errorf("bus: read: %w", err))
			return
		}
		if cap(p) <= 64<<10 {
			buf = p
		}
		m := new(Message)
		if err := m.Unmarshal(p); err != nil {
			c.fail(err)
			return
		}
		c.handle(m)
	}
}

func (c *Client) handle(m *Message) {
	c.mu.Lock()
	defer c.mu.Unlock()
	switch m.Op {
	case OpReply:
		if ch, ok := c.pending[m.ID]; ok {
			delete(c.pending, m.ID)
			ch <- m
		} else if m.Name != "" {
			c.log.Warn("request refused", "err", m.Name)
		}
	case OpNotify:
		if s := c.subs[m.Ref]; s != nil {
			b := valuespace.Batch{Seq: m.Seq, Initial: m.Initial, Changes: m.Changes}
			c.queueEventLocked(func() { s.call(b) })
		}
	case OpDeliver:
		ls := c.listeners[m.Path]
		if len(ls) > 0 {
			d := Delivery{Channel: m.Path, Name: m.Name, Args: m.Args, From: valuespace.Owner(m.Ref)}
			ls = append([]*Listener(nil), ls...)
			c.queueEventLocked(func() {
				for _, l := range ls {
					l.call(d)
				}
			})
		}
	}
}

func (c *Client) queueEventLocked(f func()) {
	if c.dead {
		return
	}
	c.events = append(c.events, f)
	select {
	case c.evWake <- struct{}{}:
	default:
	}
}

func (c *Client) dispatcher() {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case <-c.evWake:
		}
		c.mu.Lock()
		evs := c.events
		c.events = nil
		c.mu.Unlock()
		for _, f := range evs {
			select {
			case <-c.done:
				return
			default:
			}
			f()
		}
	}
}

func (c *Client) writer() {
	defer c.wg.Done()
	for {
		select {
		case <-c.done:
			return
		case <-c.outWake:
		}
		c.mu.Lock()
		q := c.out
		c.out = nil
		c.mu.Unlock()
		if len(q) == 0 {
			continue
		}
		bufs := net.Buffers(q)
		if _, err := bufs.WriteTo(c.nc); err != nil {
			c.fail(fmt.Errorf("bus: write: %w", err))
			return
		}
	}
}

// post queues m (with ID 0: no reply wanted) without waiting; messages
// leave in the order they were posted.
func (c *Client) post(m *Message) error {
	f, err := AppendFrame(nil, m, c.opts.MaxMessage)
	if err != nil {
		return err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return c.errLocked()
	}
	c.out = append(c.out, f)
	select {
	case c.outWake <- struct{}{}:
	default:
	}
	return nil
}

func (c *Client) errLocked() error {
	if c.err != nil {
		return c.err
	}
	return ErrClosed
}

// request sends m and waits for the reply.
func (c *Client) request(ctx context.Context, m *Message) (*Message, error) {
	ch, err := c.prepareAndPost(m)
	if err != nil {
		return nil, err
	}
	select {
	case r, ok := <-ch:
		if !ok {
			c.mu.Lock()
			defer c.mu.Unlock()
			return nil, c.errLocked()
		}
		if r.Name != "" {
			return r, fmt.Errorf("%w: %s %s: %s", ErrRemote, m.Op, m.Path, r.Name)
		}
		return r, nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, m.ID)
		c.mu.Unlock()
		return nil, ctx.Err()
	}
}

// prepareAndPost assigns the id before encoding so the frame is built once.
func (c *Client) prepareAndPost(m *Message) (chan *Message, error) {
	c.mu.Lock()
	if c.dead {
		defer c.mu.Unlock()
		return nil, c.errLocked()
	}
	c.nextID++
	m.ID = c.nextID
	c.mu.Unlock()
	f, err := AppendFrame(nil, m, c.opts.MaxMessage)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.dead {
		return nil, c.errLocked()
	}
	ch := make(chan *Message, 1)
	c.pending[m.ID] = ch
	c.out = append(c.out, f)
	select {
	case c.outWake <- struct{}{}:
	default:
	}
	return ch, nil
}

// Set stores v at path, owned by this connection, and waits for the server.
func (c *Client) Set(ctx context.Context, path string, v valuespace.Value) error {
	_, err := c.request(ctx, &Message{Op: OpSet, Path: path, Value: v})
	return err
}

// Remove deletes path and its subtree.
func (c *Client) Remove(ctx context.Context, path string) error {
	_, err := c.request(ctx, &Message{Op: OpRemove, Path: path})
	return err
}

// Apply performs ops atomically; subscribers see one batch.
func (c *Client) Apply(ctx context.Context, ops ...valuespace.Op) error {
	_, err := c.request(ctx, applyMessage(ops))
	return err
}

// ApplyAsync queues ops without waiting for the server. Requests from one
// client are handled in the order they were queued, so a later request
// sees the effect. A refusal is logged.
func (c *Client) ApplyAsync(ops ...valuespace.Op) error {
	err := c.post(applyMessage(ops))
	return err
}

func applyMessage(ops []valuespace.Op) *Message {
	m := &Message{Op: OpApply, Changes: make([]valuespace.Change, len(ops))}
	for i, op := range ops {
		m.Changes[i] = valuespace.Change{Path: op.Path, Value: op.Value, Removed: op.Remove}
	}
	return m
}

// Get returns the value at path and whether there is one.
func (c *Client) Get(ctx context.Context, path string) (valuespace.Value, bool, error) {
	r, err := c.request(ctx, &Message{Op: OpGet, Path: path})
	if err != nil {
		return valuespace.Value{}, false, err
	}
	return r.Value, r.Found, nil
}

// List returns the sorted names directly below path.
func (c *Client) List(ctx context.Context, path string) ([]string, error) {
	r, err := c.request(ctx, &Message{Op: OpList, Path: path})
	if err != nil {
		return nil, err
	}
	return r.Names, nil
}

// Snapshot returns every value at or below path with its owner, sorted by
// path.
func (c *Client) Snapshot(ctx context.Context, path string) ([]valuespace.Entry, error) {
	r, err := c.request(ctx, &Message{Op: OpSnapshot, Path: path})
	if err != nil {
		return nil, err
	}
	out := make([]valuespace.Entry, len(r.Changes))
	for i, ch := range r.Changes {
		out[i] = valuespace.Entry{Path: ch.Path, Value: ch.Value}
		if i < len(r.Owners) {
			out[i].Owner = valuespace.Owner(r.Owners[i])
		}
	}
	return out, nil
}

// Clients lists the connected clients (owner id, name and traffic
// counters), by id.
func (c *Client) Clients(ctx context.Context) ([]ClientInfo, error) {
	r, err := c.request(ctx, &Message{Op: OpClients})
	if err != nil {
		return nil, err
	}
	out := make([]ClientInfo, 0, len(r.Names))
	for i, n := range r.Names {
		ci := ClientInfo{Name: n}
		if i < len(r.Owners) {
			ci.Owner = valuespace.Owner(r.Owners[i])
		}
		out = append(out, ci)
	}
	// Fill in the counters (a server older than the counters sends none).
	for _, st := range decodeStats(r.Changes) {
		for i := range out {
			if st.Ended == 0 && out[i].Owner == st.Owner {
				out[i] = st
			}
		}
	}
	return out, nil
}

// Stats returns the server's traffic counters: the connected clients, by
// id, then the totals of closed connections, by name (see
// Server.Stats).
func (c *Client) Stats(ctx context.Context) ([]ClientInfo, error) {
	r, err := c.request(ctx, &Message{Op: OpClients})
	if err != nil {
		return nil, err
	}
	return decodeStats(r.Changes), nil
}

// Subscription delivers value-space batches below a prefix.
type Subscription struct {
	c      *Client
	id     uint64
	fn     func(valuespace.Batch)
	closed atomic.Bool
}

func (s *Subscription) call(b valuespace.Batch) {
	if !s.closed.Load() {
		s.fn(b)
	}
}

// Close stops the subscription and waits until the server has dropped it;
// fn is not called after Close returns (unless Close runs inside fn).
func (s *Subscription) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	s.c.mu.Lock()
	delete(s.c.subs, s.id)
	s.c.mu.Unlock()
	_, err := s.c.request(context.Background(), &Message{Op: OpUnsubscribe, Ref: s.id})
	if s.c.Err() != nil {
		return nil // the connection is gone, and the subscription with it
	}
	return err
}

// Subscribe calls fn with the current content below prefix (one batch with
// Initial set), then with every later batch of changes, in order, on the
// client's dispatch goroutine.
func (c *Client) Subscribe(ctx context.Context, prefix string, fn func(valuespace.Batch)) (*Subscription, error) {
	m := &Message{Op: OpSubscribe, Path: prefix}
	c.mu.Lock()
	if c.dead {
		defer c.mu.Unlock()
		return nil, c.errLocked()
	}
	c.nextID++
	m.ID = c.nextID
	s := &Subscription{c: c, id: m.ID, fn: fn}
	c.subs[m.ID] = s
	c.mu.Unlock()
	f, err := AppendFrame(nil, m, c.opts.MaxMessage)
	if err == nil {
		var ch chan *Message
		c.mu.Lock()
		if c.dead {
			err = c.errLocked()
		} else {
			ch = make(chan *Message, 1)
			c.pending[m.ID] = ch
			c.out = append(c.out, f)
			select {
			case c.outWake <- struct{}{}:
			default:
			}
		}
		c.mu.Unlock()
		if err == nil {
			err = c.await(ctx, m, ch)
		}
	}
	if err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (c *Client) await(ctx context.Context, m *Message, ch chan *Message) error {
	select {
	case r, ok := <-ch:
		if !ok {
			c.mu.Lock()
			defer c.mu.Unlock()
			return c.errLocked()
		}
		if r.Name != "" {
			return fmt.Errorf("%w: %s %s: %s", ErrRemote, m.Op, m.Path, r.Name)
		}
		return nil
	case <-ctx.Done():
		c.mu.Lock()
		delete(c.pending, m.ID)
		c.mu.Unlock()
		return ctx.Err()
	}
}

// Listener receives qcop messages on a channel.
type Listener struct {
	c       *Client
	channel string
	fn      func(Delivery)
	closed  atomic.Bool
}

func (l *Listener) call(d Delivery) {
	if !l.closed.Load() {
		l.fn(d)
	}
}

// Close stops listening; the last listener of a channel on this client
// tells the server and waits until it has stopped delivering.
func (l *Listener) Close() error {
	if l.closed.Swap(true) {
		return nil
	}
	c := l.c
	c.mu.Lock()
	ls := c.listeners[l.channel]
	for i, x := range ls {
		if x == l {
			ls = append(ls[:i:i], ls[i+1:]...)
			break
		}
	}
	last := len(ls) == 0
	if last {
		delete(c.listeners, l.channel)
	} else {
		c.listeners[l.channel] = ls
	}
	c.mu.Unlock()
	if last {
		if _, err := c.request(context.Background(), &Message{Op: OpUnlisten, Path: l.channel}); err != nil && c.Err() == nil {
			return err
		}
	}
	return nil
}

// Listen calls fn for every message sent to channel (on the dispatch
// goroutine), from the moment Listen returns.
func (c *Client) Listen(ctx context.Context, channel string, fn func(Delivery)) (*Listener, error) {
	l := &Listener{c: c, channel: channel, fn: fn}
	c.mu.Lock()
	if c.dead {
		defer c.mu.Unlock()
		return nil, c.errLocked()
	}
	first := len(c.listeners[channel]) == 0
	c.listeners[channel] = append(c.listeners[channel], l)
	c.mu.Unlock()
	if first {
		if _, err := c.request(ctx, &Message{Op: OpListen, Path: channel}); err != nil {
			l.Close()
			return nil, err
		}
	}
	return l, nil
}

// Send delivers a message to every connection listening on channel
// (including this one) and returns how many received it. A message for an
// application channel (QPE/Application/...) that nobody listens on yet is
// held by the server for the first listener; Send then returns 0 and a nil
// error, and SendHeld tells the two cases apart.
func (c *Client) Send(ctx context.Context, channel, name string, args ...valuespace.Value) (int, error) {
	n, _, err := c.SendHeld(ctx, channel, name, args...)
	return n, err
}

// SendHeld is Send that also reports whether the server held the message
// for a future listener.
func (c *Client) SendHeld(ctx context.Context, channel, name string, args ...valuespace.Value) (receivers int, held bool, err error) {
	r, err := c.request(ctx, &Message{Op: OpSend, Path: channel, Name: name, Args: args})
	if err != nil {
		return 0, false, err
	}
	return int(r.Count), r.Found, nil
}

// Post queues a message for channel without waiting; it leaves after
// everything queued before it.
func (c *Client) Post(channel, name string, args ...valuespace.Value) error {
	err := c.post(&Message{Op: OpSend, Path: channel, Name: name, Args: args})
	return err
}
