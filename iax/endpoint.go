package iax

import (
	"context"
	"crypto/rand"
	"encoding/binary"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// DefaultPort is the IANA port of IAX2.
const DefaultPort = 4569

// Retransmit tunes retransmission of full frames (RFC 5456 §7). The zero
// value picks the defaults shown.
type Retransmit struct {
	// Initial is the timeout before an RTT has been measured (1 s).
	Initial time.Duration
	// Min and Max bound the timeout once an RTT is known (2×RTT), and Max
	// caps the backoff that doubles it at each try (200 ms, 10 s).
	Min, Max time.Duration
	// Tries is how many times a frame is sent in all before the call or
	// registration fails (5).
	Tries int
}

func (r Retransmit) withDefaults() Retransmit {
	if r.Initial <= 0 {
		r.Initial = time.Second
	}
	if r.Min <= 0 {
		r.Min = 200 * time.Millisecond
	}
	if r.Max <= 0 {
		r.Max = 10 * time.Second
	}
	if r.Tries <= 0 {
		r.Tries = 5
	}
	return r
}

// Config configures an Endpoint. The zero value is a client endpoint on
// the wall clock.
type Config struct {
	// Clock drives every timer (nil: the wall clock); tests pass a fake.
	Clock Clock
	// Logger receives protocol logs with category=voip. Secrets are never
	// logged. Nil discards.
	Logger *slog.Logger
	// Rand feeds call numbers, challenges and token keys (crypto/rand).
	Rand io.Reader
	// Retransmit tunes retransmission.
	Retransmit Retransmit
	// Server, when set, makes the endpoint answer REGREQ/REGREL and check
	// calltokens and MD5 for incoming NEW (the embedded-peer role).
	Server *ServerConfig
	// IncomingQueue is how many incoming calls wait for Accept (16);
	// more are rejected with congestion.
	IncomingQueue int
	// Formats are the codecs accepted for incoming calls, in preference
	// order (ulaw, alaw).
	Formats []Format
	// PingInterval is how often a connected call sends PING to measure
	// the round trip and check the peer still has the call (20 s);
	// negative turns it off.
	PingInterval time.Duration
	// Trace, if set, sees every datagram sent and received, in the clear
	// (decrypted, or before encryption): iaxcli prints its steps from it,
	// a ladder can be drawn from it. It runs on the loop: it must not
	// block nor call the Endpoint.
	Trace func(TraceFrame)
	// PingTimeout ends a call whose PING the peer has not answered
	// within it, as failed with a *NoAnswerError (ErrTimeout): a call
	// whose peer fell silent ends at most PingInterval + PingTimeout
	// after the last frame it heard. Zero leaves it to the PING's
	// retransmissions (Retransmit.Tries sends).
	PingTimeout time.Duration
	// AcceptCalls says who may call this endpoint besides the server of
	// one of its registrations (the address and port registered to),
	// which always may. Nil means nobody else in the client role, and
	// everybody in the server role (where Server decides who is let
	// in); AcceptFrom builds one for a list of peers. A NEW from anyone
	// else is dropped without an answer, counted in
	// EndpointStats.StrangerCalls, and logged at most every 10 s. It
	// runs on the loop: it must not block nor call the Endpoint.
	AcceptCalls func(from netip.AddrPort) bool
	// MaxSetupPerSource bounds the transactions one source address (all
	// its ports) may have being set up at once: incoming calls not yet
	// answered and registration requests not yet settled (4 in the
	// client role, 64 in the server role; negative: no bound). Beyond
	// it, a NEW is refused (REJECT with cause 34 in the server role,
	// dropped in the client role) and a REGREQ dropped; each is counted
	// in EndpointStats.SetupLimited.
	MaxSetupPerSource int
	// BatchedWrites makes a client endpoint send voice as the server
	// role always does: SendVoice queues the mini frame, and a writer
	// goroutine sends what gathered with one system call (sendmmsg on
	// Linux). For an endpoint carrying many calls, a load generator say;
	// a handset's one call is better served by writing its frame at
	// once (the default), without waking another goroutine.
	BatchedWrites bool
}

// Endpoint is one UDP socket speaking IAX2: it owns the socket, the call
// numbers, retransmission, and every registration and call on it. One
// goroutine (the loop) owns all protocol state; the methods of Endpoint,
// Call and Registration hand work to it, so they are safe for concurrent
// use. Voice is the exception: Call.SendVoice sends mini frames and
// Call.TakeVoice takes received frames without waiting for the loop.
type Endpoint struct {
	conn net.PacketConn
	// errq reads ICMP errors (client role, Linux); nil when unavailable.
	errq *errQueue
	cfg  Config
	clk  Clock
	log  *slog.Logger
	rtx  Retransmit

	cmds      chan func()
	in        chan inbound
	closing   chan struct{}
	done      chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup
	errMu     sync.Mutex
	err       error

	incoming chan *Call

	// Owned by the loop.
	sessions map[uint16]*session
	byRemote map[remoteKey]*session
	tokens   *tokenIssuer
	registry map[string]*binding
	regs     []*Registration
	txbuf    []byte
	crypt    endpointCrypt
	// setup counts, per source address, the transactions it opened that
	// are still being set up (MaxSetupPerSource).
	setup map[netip.Addr]int
	stats EndpointStats
	logs  rateLog
	// refusals are ICMP reports a failed write found, handled once the
	// loop has finished what it was doing.
	refusals []refusal

	// Socket I/O (io.go). udp is conn when it is a *net.UDPConn; mm is
	// its batched I/O (nil: one datagram per system call); rxFree holds
	// the receive batches the reader may fill; batchTx says voice goes
	// through tx and the batched writer (server role).
	udp     *net.UDPConn
	mm      *mmsgConn
	rxFree  chan *rxBatch
	batchTx bool
	tx      txQueue
	// kick wakes the loop for what other goroutines left it under
	// asyncMu: ICMP reports a sender's own write found.
	kick          chan struct{}
	asyncMu       sync.Mutex
	asyncRefusals []refusal
}

type remoteKey struct {
	peer netip.AddrPort
	call uint16
}

type inbound struct {
	from netip.AddrPort
	at   time.Time
	b    []byte
	// refused, when set, carries ICMP error reports instead of a datagram.
	refused []refusal
	// batch, when set, carries datagrams the reader read at once.
	batch *rxBatch
	// borrowed says b is the reader's buffer, reused once the loop is
	// done with the batch: whatever outlives the datagram copies it.
	borrowed bool
	// mini is the session a mini frame is for, once looked up
	// (miniFound; mini is nil when there is none).
	mini      *session
	miniFound bool
}

// Listen opens a UDP socket on addr ("127.0.0.1:0", ":4569") and starts an
// endpoint on it. The endpoint closes the socket on Close.
func Listen(ctx context.Context, addr string, cfg Config) (*Endpoint, error) {
	var lc net.ListenConfig
	conn, err := lc.ListenPacket(ctx, "udp", addr)
	if err != nil {
		return nil, fmt.Errorf("iax: listen %s: %w", addr, err)
	}
	return New(conn, cfg), nil
}

// New starts an endpoint on conn, which it owns from now on.
//
// A client endpoint (no Config.Server) on Linux learns from the kernel's
// ICMP reports that nothing listens where it sends (when conn gives its
// socket through syscall.Conn, as a *net.UDPConn does), and fails the
// registration, call or POKE concerned at once with an
// *UnreachableError instead of retransmitting into the void.
func New(conn net.PacketConn, cfg Config) *Endpoint {
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Rand == nil {
		cfg.Rand = rand.Reader
	}
	if cfg.IncomingQueue <= 0 {
		cfg.IncomingQueue = 16
	}
	if len(cfg.Formats) == 0 {
		cfg.Formats = []Format{FormatULaw, FormatALaw}
	}
	if cfg.PingInterval == 0 {
		cfg.PingInterval = 20 * time.Second
	}
	e := &Endpoint{
		conn:     conn,
		cfg:      cfg,
		clk:      cfg.Clock,
		log:      cfg.Logger.With("category", "voip"),
		rtx:      cfg.Retransmit.withDefaults(),
		cmds:     make(chan func()),
		in:       make(chan inbound, 64),
		closing:  make(chan struct{}),
		done:     make(chan struct{}),
		incoming: make(chan *Call, cfg.IncomingQueue),
		sessions: map[uint16]*session{},
		byRemote: map[remoteKey]*session{},
		registry: map[string]*binding{},
		txbuf:    make([]byte, 4096),
		setup:    map[netip.Addr]int{},
		logs:     rateLog{every: 10 * time.Second},
	}
	if cfg.Server != nil {
		e.tokens = newTokenIssuer(e.randBytes(32), e.clk)
	} else if q, err := openErrQueue(conn); err == nil {
		e.errq = q
	} else {
		e.log.Debug("ICMP errors are not reported; a peer that is not there is found out by retransmission", "err", err)
	}
	e.setupIO()
	e.wg.Add(2)
	go e.readLoop()
	go e.loop()
	if e.batchTx {
		e.wg.Add(1)
		go e.writeLoop()
	}
	return e
}

// LocalAddr returns the socket's address.
func (e *Endpoint) LocalAddr() netip.AddrPort {
	if a, ok := e.conn.LocalAddr().(*net.UDPAddr); ok {
		return a.AddrPort()
	}
	ap, _ := netip.ParseAddrPort(e.conn.LocalAddr().String())
	return ap
}

// Done is closed when the endpoint has stopped.
func (e *Endpoint) Done() <-chan struct{} { return e.done }

// Err returns why the endpoint stopped: nil while running, ErrClosed
// after Close, or the socket error that stopped it.
func (e *Endpoint) Err() error {
	e.errMu.Lock()
	defer e.errMu.Unlock()
	return e.err
}

// Close ends every call and registration (without signalling the peers),
// closes the socket and waits for the endpoint's goroutines. It is
// idempotent.
func (e *Endpoint) Close() error {
	e.stop(ErrClosed)
	e.wg.Wait()
	return nil
}

func (e *Endpoint) stop(err error) {
	e.closeOnce.Do(func() {
		e.errMu.Lock()
		e.err = err
		e.errMu.Unlock()
		close(e.closing)
		e.conn.Close()
	})
}

func (e *Endpoint) loop() {
	defer e.wg.Done()
	defer close(e.done)
	for {
		select {
		case p := <-e.in:
			if p.batch != nil {
				e.receiveBatch(p.batch)
			} else {
				e.receive(p)
			}
		case <-e.kick:
			e.takeAsync()
		case f := <-e.cmds:
			f()
		case <-e.closing:
			e.shutdown()
			return
		}
		e.takeRefusals()
	}
}

// shutdown ends every session with the endpoint's error.
func (e *Endpoint) shutdown() {
	err := e.Err()
	for _, s := range e.sessions {
		s.fail(err)
	}
	for _, r := range append([]*Registration(nil), e.regs...) {
		r.finish(err)
	}
	close(e.incoming)
	for c := range e.incoming {
		c.end(StateFailed, err)
	}
}

// do runs f on the loop and waits for it.
func (e *Endpoint) do(f func()) error {
	ch := make(chan struct{})
	select {
	case e.cmds <- func() { f(); close(ch) }:
	case <-e.closing:
		return ErrClosed
	}
	select {
	case <-ch:
		return nil
	case <-e.done:
		return ErrClosed
	}
}

// post queues f on the loop without waiting (timers use it).
func (e *Endpoint) post(f func()) {
	select {
	case e.cmds <- f:
	case <-e.closing:
	}
}

// afterFunc runs f on the loop after d.
func (e *Endpoint) afterFunc(d time.Duration, f func()) Timer {
	return e.clk.AfterFunc(d, func() { e.post(f) })
}

func (e *Endpoint) randBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := io.ReadFull(e.cfg.Rand, b); err != nil {
		panic(fmt.Sprintf("iax: random source failed: %v", err))
	}
	return b
}

func (e *Endpoint) randUint32() uint32 { return binary.BigEndian.Uint32(e.randBytes(4)) }

// allocCall picks a random free call number (2..32767; 1 is what
// Asterisk answers calltoken requests from).
func (e *Endpoint) allocCall() (uint16, error) {
	if len(e.sessions) >= MaxCallNumber-2 {
		return 0, ErrNoCallNumbers
	}
	for {
		n := uint16(e.randUint32()%(MaxCallNumber-1)) + 2
		if _, used := e.sessions[n]; !used {
			return n, nil
		}
	}
}

// writeTo sends a datagram. A send can fail with the ICMP error an
// earlier datagram drew (to any peer); then the report is read, kept for
// the loop, and the datagram sent again.
func (e *Endpoint) writeTo(b []byte, to netip.AddrPort) {
	ua := net.UDPAddrFromAddrPort(to)
	_, err := e.conn.WriteTo(b, ua)
	if err != nil && e.errq != nil && errorReport(err) {
		e.refusals = append(e.refusals, e.errq.drain()...)
		_, err = e.conn.WriteTo(b, ua)
	}
	if err != nil {
		e.log.Debug("send failed", "to", to, "err", err)
	}
}

func (e *Endpoint) sendRaw(f *FullFrame, to netip.AddrPort) {
	n, err := f.MarshalTo(e.txbuf)
	if err != nil {
		e.log.Warn("cannot marshal frame", "frame", f.String(), "err", err)
		return
	}
	if e.log.Enabled(context.Background(), slog.LevelDebug) {
		e.log.Debug("tx", "to", to, "frame", f.String())
	}
	e.transmit(e.txbuf[:n], to, nil)
}

// receive demultiplexes one datagram.
func (e *Endpoint) receive(p inbound) {
	if p.refused != nil {
		e.refusals = append(e.refusals, p.refused...)
		return
	}
	if !e.decrypt(&p) {
		return
	}
	switch KindOf(p.b) {
	case KindFull:
		if p.borrowed {
			// A full frame's parts (payload, IEs) may be kept.
			p.b, p.borrowed = append([]byte(nil), p.b...), false
		}
		var f FullFrame
		if err := f.Unmarshal(p.b); err != nil {
			e.log.Debug("bad full frame", "from", p.from, "err", err)
			return
		}
		if e.log.Enabled(context.Background(), slog.LevelDebug) {
			e.log.Debug("rx", "from", p.from, "frame", f.String())
		}
		e.receiveFull(&f, p)
	case KindMini:
		var m MiniFrame
		if err := m.Unmarshal(p.b); err != nil {
			return
		}
		s := p.mini
		if !p.miniFound {
			s = e.byRemote[remoteKey{p.from, m.SourceCall}]
		}
		if s != nil {
			s.receiveMini(&m, p.at)
		}
	default:
		e.log.Debug("ignored datagram", "from", p.from, "len", len(p.b))
	}
}

func (e *Endpoint) receiveFull(f *FullFrame, p inbound) {
	if f.DestCall != 0 {
		s := e.sessions[f.DestCall]
		if s == nil || (s.peer != p.from) {
			e.sendInval(f, p.from)
			return
		}
		s.receiveFull(f, p.at)
		return
	}
	// A new transaction, or a retransmission of one we already hold.
	if s := e.byRemote[remoteKey{p.from, f.SourceCall}]; s != nil {
		s.receiveFull(f, p.at)
		return
	}
	if f.Type != FrameIAX {
		e.sendInval(f, p.from)
		return
	}
	switch f.Command() {
	case CmdPoke, CmdPing:
		// Answered statelessly, from call number 1 (RFC 5456 allows it,
		// Asterisk's qualify takes it): a flood of them holds no call
		// number, and the PONG is no larger than what asked for it.
		e.stats.StatelessAnswers++
		e.replyFromNowhere(f, p.from, CmdPong, nil)
	case CmdNew:
		if !e.mayCall(p.from) {
			e.stats.StrangerCalls++
			e.logs.warn(e, "stranger", "call dropped: it comes from neither the registered server nor an accepted peer",
				"from", p.from, "called", f.IEs.String(IECalledNumber))
			return
		}
		e.receiveNew(f, p)
	case CmdRegReq, CmdRegRel:
		if e.cfg.Server == nil {
			// Not a registrar: say nothing to whoever asks.
			e.stats.NotServed++
			return
		}
		e.receiveRegistration(f, p)
	case CmdAck, CmdInval, CmdCallToken, CmdVNAK:
		// Nothing to answer.
	default:
		e.sendInval(f, p.from)
	}
}

// sendInval tells the peer a call does not exist here.
func (e *Endpoint) sendInval(f *FullFrame, to netip.AddrPort) {
	if f.Type == FrameIAX {
		switch f.Command() {
		case CmdInval, CmdAck, CmdCallToken, CmdVNAK, CmdTxCnt, CmdTxAcc:
			return
		}
	}
	e.sendRaw(&FullFrame{
		SourceCall: f.DestCall, DestCall: f.SourceCall, Timestamp: f.Timestamp,
		OSeq: f.ISeq, ISeq: f.OSeq + 1, Type: FrameIAX, Subclass: uint8(CmdInval),
	}, to)
}
