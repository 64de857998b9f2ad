package iax

import (
	"fmt"
	"net"
	"net/netip"
	"runtime"
	"sync"
	"time"
)

// Socket I/O. The reader goroutine reads datagrams in batches (one
// recvmmsg on Linux) into buffers it reuses, and hands each batch to
// the loop whole: one hand-off per batch, not per datagram. Voice sent
// on a connected call does not go through the loop (see
// Call.SendVoice): in the client role the sender writes its datagram
// itself; in the server role it queues it and the writer goroutine sends
// what has gathered with one sendmmsg.

// Batch sizes: how many datagrams one system call reads or writes.
const (
	serverBatch = 64
	clientBatch = 8
	// rxBatches is how many batches the reader may fill before the loop
	// has handed one back.
	rxBatches = 3
	// rxSlot is the room for one datagram read in a batch; an IAX2
	// datagram is far smaller (a 20 ms G.711 mini frame is 164
	// octets). A larger one is dropped. Without batching, one read
	// takes up to 64 KiB as before.
	rxSlot = 4096
)

// rxMsg is one datagram of a receive batch.
type rxMsg struct {
	buf       []byte
	n         int
	truncated bool
	from      netip.AddrPort
}

// rxBatch is what one read brought; the loop hands it back when done.
type rxBatch struct {
	msgs []rxMsg
	n    int
	at   time.Time
}

// txPacket is one datagram waiting for the batched writer.
type txPacket struct {
	buf []byte
	n   int
	to  netip.AddrPort
}

// txQueue gathers voice datagrams for the batched writer.
type txQueue struct {
	mu    sync.Mutex
	q     []txPacket
	spare []txPacket
	kick  chan struct{}
}

// setupIO picks batched or one-datagram I/O for conn.
func (e *Endpoint) setupIO() {
	if uc, ok := e.conn.(*net.UDPConn); ok {
		e.udp = uc
	}
	many := e.cfg.Server != nil || e.cfg.BatchedWrites
	batch := clientBatch
	if many {
		batch = serverBatch
	}
	if mm, err := openMmsg(e.conn, batch); err == nil {
		e.mm = mm
	} else {
		batch = 1
	}
	size := rxSlot
	if e.mm == nil {
		size = 65536
	}
	e.rxFree = make(chan *rxBatch, rxBatches)
	for range rxBatches {
		b := &rxBatch{msgs: make([]rxMsg, batch)}
		for i := range b.msgs {
			b.msgs[i].buf = make([]byte, size)
		}
		e.rxFree <- b
	}
	e.batchTx = e.mm != nil && many
	e.tx.kick = make(chan struct{}, 1)
	e.kick = make(chan struct{}, 1)
}

// readBatch reads what is waiting into b (at least one datagram).
func (e *Endpoint) readBatch(b *rxBatch) (int, error) {
	if e.mm != nil {
		return e.mm.readBatch(b)
	}
	m := &b.msgs[0]
	n, addr, err := e.conn.ReadFrom(m.buf)
	if err != nil {
		return 0, err
	}
	ua, ok := addr.(*net.UDPAddr)
	if !ok {
		return 0, nil
	}
	m.n, m.truncated, m.from = n, false, ua.AddrPort()
	return 1, nil
}

func (e *Endpoint) readLoop() {
	defer e.wg.Done()
	for {
		var b *rxBatch
		select {
		case b = <-e.rxFree:
		case <-e.closing:
			return
		}
		n, err := e.readBatch(b)
		if err != nil && e.errq != nil && errorReport(err) {
			e.rxFree <- b
			// An ICMP error for something we sent: read what it was.
			if rs := e.errq.drain(); len(rs) > 0 {
				select {
				case e.in <- inbound{refused: rs}:
				case <-e.closing:
					return
				}
			}
			continue
		}
		if err != nil {
			select {
			case <-e.closing:
			default:
				e.stop(fmt.Errorf("iax: read: %w", err))
			}
			return
		}
		if n == 0 {
			e.rxFree <- b
			continue
		}
		b.n, b.at = n, e.clk.Now()
		select {
		case e.in <- inbound{batch: b}:
		case <-e.closing:
			return
		}
	}
}

// receiveBatch hands every datagram of b to receive, then b back to the
// reader.
func (e *Endpoint) receiveBatch(b *rxBatch) {
	for i := range b.n {
		m := &b.msgs[i]
		if m.truncated {
			e.log.Debug("datagram too large, dropped", "from", m.from, "room", len(m.buf))
			continue
		}
		from := netip.AddrPortFrom(m.from.Addr().Unmap(), m.from.Port())
		e.receive(inbound{from: from, at: b.at, b: m.buf[:m.n], borrowed: true})
		e.takeRefusals()
	}
	e.rxFree <- b
}

// queueVoice marshals a mini frame into the writer's queue (server
// role) and wakes the writer if the queue was empty.
func (e *Endpoint) queueVoice(m *MiniFrame, to netip.AddrPort) error {
	t := &e.tx
	t.mu.Lock()
	i := len(t.q)
	if i < cap(t.q) {
		t.q = t.q[:i+1]
	} else {
		t.q = append(t.q, txPacket{})
	}
	p := &t.q[i]
	if need := MiniFrameHeaderSize + len(m.Payload); cap(p.buf) < need {
		p.buf = make([]byte, max(need, 256))
	}
	n, err := m.MarshalTo(p.buf[:cap(p.buf)])
	if err != nil {
		t.q = t.q[:i]
		t.mu.Unlock()
		return err
	}
	p.n, p.to = n, to
	t.mu.Unlock()
	if i == 0 {
		select {
		case t.kick <- struct{}{}:
		default:
		}
	}
	return nil
}

// writeLoop is the batched writer (server role): it sends what the
// senders queued, many datagrams per system call.
func (e *Endpoint) writeLoop() {
	defer e.wg.Done()
	for {
		select {
		case <-e.tx.kick:
		case <-e.closing:
			return
		}
		// Let the senders that became runnable with this one queue
		// their frames too: one system call carries them all.
		runtime.Gosched()
		e.flushTx()
	}
}

// flushTx sends every queued datagram now. The loop calls it before a
// full voice frame, so that it does not overtake the call's mini frames.
func (e *Endpoint) flushTx() {
	t := &e.tx
	t.mu.Lock()
	q := t.q
	if len(q) == 0 {
		t.mu.Unlock()
		return
	}
	t.q, t.spare = t.spare[:0], nil
	t.mu.Unlock()
	if failed, err := e.mm.writeBatch(q); err != nil {
		e.log.Debug("send failed", "datagrams", failed, "err", err)
	}
	t.mu.Lock()
	if t.spare == nil {
		t.spare = q[:0]
	}
	t.mu.Unlock()
}

// writeDirect sends a datagram from the sender's goroutine (client
// role), as writeTo does on the loop; ICMP reports it finds go to the
// loop.
func (e *Endpoint) writeDirect(b []byte, to netip.AddrPort) {
	write := func() error {
		if e.udp != nil {
			_, err := e.udp.WriteToUDPAddrPort(b, to)
			return err
		}
		_, err := e.conn.WriteTo(b, net.UDPAddrFromAddrPort(to))
		return err
	}
	err := write()
	if err != nil && e.errq != nil && errorReport(err) {
		if rs := e.errq.drain(); len(rs) > 0 {
			e.asyncMu.Lock()
			e.asyncRefusals = append(e.asyncRefusals, rs...)
			e.asyncMu.Unlock()
			select {
			case e.kick <- struct{}{}:
			default:
			}
		}
		err = write()
	}
	if err != nil {
		e.log.Debug("send failed", "to", to, "err", err)
	}
}

// takeAsync moves what other goroutines left for the loop onto it.
func (e *Endpoint) takeAsync() {
	e.asyncMu.Lock()
	rs := e.asyncRefusals
	e.asyncRefusals = nil
	e.asyncMu.Unlock()
	e.refusals = append(e.refusals, rs...)
}
