package pcaptap

import (
	"encoding/binary"
	"fmt"
	"io"
	"net"
	"net/netip"
	"sync"
	"time"
)

const (
	linkTypeRaw = 101
	ipHeaderLen = 20
	udpHeadLen  = 8
	recHeadLen  = 16
	maxDatagram = 65535 - ipHeaderLen - udpHeadLen
)

// Writer writes UDP datagrams to a pcap stream. It is safe for concurrent
// use.
type Writer struct {
	mu  sync.Mutex
	w   io.Writer
	buf []byte
	id  uint16
	now func() time.Time
}

// NewWriter writes the pcap file header to w and returns a writer.
// now stamps the records (time.Now if nil).
func NewWriter(w io.Writer, now func() time.Time) (*Writer, error) {
	if now == nil {
		now = time.Now
	}
	var h [24]byte
	binary.LittleEndian.PutUint32(h[0:], 0xa1b2c3d4)
	binary.LittleEndian.PutUint16(h[4:], 2)
	binary.LittleEndian.PutUint16(h[6:], 4)
	binary.LittleEndian.PutUint32(h[16:], 65535)
	binary.LittleEndian.PutUint32(h[20:], linkTypeRaw)
	if _, err := w.Write(h[:]); err != nil {
		return nil, fmt.Errorf("pcaptap: %w", err)
	}
	return &Writer{w: w, now: now, buf: make([]byte, recHeadLen+ipHeaderLen+udpHeadLen+maxDatagram)}, nil
}

// WriteUDP records one datagram from src to dst.
func (w *Writer) WriteUDP(src, dst netip.AddrPort, payload []byte) error {
	if !src.Addr().Unmap().Is4() || !dst.Addr().Unmap().Is4() {
		return fmt.Errorf("%w: %v → %v", ErrNotIPv4, src, dst)
	}
	if len(payload) > maxDatagram {
		payload = payload[:maxDatagram]
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	w.id++
	n := ipHeaderLen + udpHeadLen + len(payload)
	b := w.buf[:recHeadLen+n]
	t := w.now()
	binary.LittleEndian.PutUint32(b[0:], uint32(t.Unix()))
	binary.LittleEndian.PutUint32(b[4:], uint32(t.Nanosecond()/1000))
	binary.LittleEndian.PutUint32(b[8:], uint32(n))
	binary.LittleEndian.PutUint32(b[12:], uint32(n))
	ip := b[recHeadLen:]
	clear(ip[:ipHeaderLen+udpHeadLen])
	ip[0] = 0x45
	binary.BigEndian.PutUint16(ip[2:], uint16(n))
	binary.BigEndian.PutUint16(ip[4:], w.id)
	ip[8] = 64
	ip[9] = 17 // UDP
	s, d := src.Addr().Unmap().As4(), dst.Addr().Unmap().As4()
	copy(ip[12:16], s[:])
	copy(ip[16:20], d[:])
	binary.BigEndian.PutUint16(ip[10:], checksum(ip[:ipHeaderLen]))
	udp := ip[ipHeaderLen:]
	binary.BigEndian.PutUint16(udp[0:], src.Port())
	binary.BigEndian.PutUint16(udp[2:], dst.Port())
	binary.BigEndian.PutUint16(udp[4:], uint16(udpHeadLen+len(payload)))
	// The UDP checksum stays 0: "not computed", valid over IPv4.
	copy(udp[udpHeadLen:], payload)
	if _, err := w.w.Write(b); err != nil {
		return fmt.Errorf("pcaptap: %w", err)
	}
	return nil
}

func checksum(h []byte) uint16 {
	var sum uint32
	for i := 0; i+1 < len(h); i += 2 {
		sum += uint32(binary.BigEndian.Uint16(h[i:]))
	}
	for sum > 0xffff {
		sum = sum&0xffff + sum>>16
	}
	return ^uint16(sum)
}

// Conn is a net.PacketConn that records its traffic. Recording errors do
// not fail the socket's reads and writes; the first one is kept in Err.
type Conn struct {
	net.PacketConn
	w     *Writer
	local netip.AddrPort
	// OnPacket, if set before use, sees every datagram: sent or received,
	// the peer, and the bytes (valid only during the call).
	OnPacket func(sent bool, peer netip.AddrPort, b []byte)

	errMu sync.Mutex
	err   error
}

// NewConn wraps c so that every datagram is also written to w.
func NewConn(c net.PacketConn, w *Writer) *Conn {
	local := netip.MustParseAddrPort("127.0.0.1:0")
	if ua, ok := c.LocalAddr().(*net.UDPAddr); ok {
		ap := ua.AddrPort()
		a := ap.Addr().Unmap()
		if a.IsUnspecified() {
			a = netip.MustParseAddr("127.0.0.1")
		}
		local = netip.AddrPortFrom(a, ap.Port())
	}
	return &Conn{PacketConn: c, w: w, local: local}
}

// Err returns the first recording error.
func (c *Conn) Err() error {
	c.errMu.Lock()
	defer c.errMu.Unlock()
	return c.err
}

func (c *Conn) note(err error) {
	if err == nil {
		return
	}
	c.errMu.Lock()
	if c.err == nil {
		c.err = err
	}
	c.errMu.Unlock()
}

func peerOf(a net.Addr) (netip.AddrPort, bool) {
	ua, ok := a.(*net.UDPAddr)
	if !ok {
		return netip.AddrPort{}, false
	}
	ap := ua.AddrPort()
	return netip.AddrPortFrom(ap.Addr().Unmap(), ap.Port()), true
}

// ReadFrom reads a datagram and records it.
func (c *Conn) ReadFrom(b []byte) (int, net.Addr, error) {
	n, addr, err := c.PacketConn.ReadFrom(b)
	if err == nil {
		if p, ok := peerOf(addr); ok {
			if c.w != nil {
				c.note(c.w.WriteUDP(p, c.local, b[:n]))
			}
			if c.OnPacket != nil {
				c.OnPacket(false, p, b[:n])
			}
		}
	}
	return n, addr, err
}

// WriteTo records a datagram and sends it.
func (c *Conn) WriteTo(b []byte, addr net.Addr) (int, error) {
	if p, ok := peerOf(addr); ok {
		if c.w != nil {
			c.note(c.w.WriteUDP(c.local, p, b))
		}
		if c.OnPacket != nil {
			c.OnPacket(true, p, b)
		}
	}
	return c.PacketConn.WriteTo(b, addr)
}
