package iax

import (
	"encoding/binary"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"syscall"
	"unsafe"

	"golang.org/x/sys/unix"
)

// mmsgConn reads and writes many datagrams per system call (recvmmsg,
// sendmmsg) on a UDP socket. Its reader and writer halves each belong to
// one goroutine at a time: the endpoint's reader reads, its batched
// writer writes.
//
// It speaks to the socket through syscall.RawConn rather than through
// golang.org/x/net's ipv4/ipv6 ReadBatch: that one builds a *net.UDPAddr
// and its IP for every datagram received, two allocations per voice
// frame, where the hot path must make none. Addresses here go straight
// between the kernel's sockaddr and a netip.AddrPort.
type mmsgConn struct {
	rc syscall.RawConn
	// v6 says the socket is AF_INET6 (IPv4 peers are then v4-mapped).
	v6 bool
	// rd is the reader's scratch; writers take theirs from wr (the
	// batched writer and the loop may write at once).
	rd *mmsgOp
	wr sync.Pool
}

// mmsghdr is struct mmsghdr: Go lays it out as C does on every Linux
// architecture (msg_len follows the msghdr, padded to its alignment).
type mmsghdr struct {
	hdr unix.Msghdr
	n   uint32
}

// mmsgOp is the scratch of one recvmmsg or sendmmsg of up to len(hdrs)
// datagrams. Its do method is made a func value once, so that passing it
// to RawConn allocates nothing.
type mmsgOp struct {
	call  uintptr // SYS_RECVMMSG or SYS_SENDMMSG
	hdrs  []mmsghdr
	iovs  []unix.Iovec
	names []unix.RawSockaddrInet6
	// n is how many datagrams to pass; got and errno what came back.
	n     int
	got   int
	errno syscall.Errno
	fn    func(fd uintptr) bool
}

func newMmsgOp(call uintptr, batch int) *mmsgOp {
	o := &mmsgOp{call: call, hdrs: make([]mmsghdr, batch), iovs: make([]unix.Iovec, batch), names: make([]unix.RawSockaddrInet6, batch)}
	for i := range o.hdrs {
		o.hdrs[i].hdr.Iov = &o.iovs[i]
		o.hdrs[i].hdr.SetIovlen(1)
		o.hdrs[i].hdr.Name = (*byte)(unsafe.Pointer(&o.names[i]))
	}
	o.fn = o.do
	return o
}

// do makes the system call on a non-blocking socket; false asks RawConn
// to wait until the socket is ready.
func (o *mmsgOp) do(fd uintptr) bool {
	r, _, e := unix.Syscall6(o.call, fd, uintptr(unsafe.Pointer(&o.hdrs[0])), uintptr(o.n), 0, 0, 0)
	if e == unix.EAGAIN || e == unix.EINTR {
		return false
	}
	o.got, o.errno = int(r), e
	return true
}

// openMmsg returns batched I/O on conn's socket, or an error when conn is
// not a plain UDP socket (a test's wrapper, say): then the endpoint reads
// and writes one datagram per call.
func openMmsg(conn net.PacketConn, batch int) (*mmsgConn, error) {
	uc, ok := conn.(*net.UDPConn)
	if !ok {
		return nil, fmt.Errorf("%T is not a UDP socket", conn)
	}
	rc, err := uc.SyscallConn()
	if err != nil {
		return nil, err
	}
	var domain int
	var serr error
	if err := rc.Control(func(fd uintptr) {
		domain, serr = unix.GetsockoptInt(int(fd), unix.SOL_SOCKET, unix.SO_DOMAIN)
	}); err != nil {
		return nil, err
	}
	if serr != nil {
		return nil, fmt.Errorf("SO_DOMAIN: %w", serr)
	}
	m := &mmsgConn{rc: rc, v6: domain == unix.AF_INET6, rd: newMmsgOp(unix.SYS_RECVMMSG, batch)}
	m.wr.New = func() any { return newMmsgOp(unix.SYS_SENDMMSG, batch) }
	return m, nil
}

// readBatch fills b's slots with the datagrams waiting on the socket,
// blocking until at least one is there, and returns how many it read.
func (m *mmsgConn) readBatch(b *rxBatch) (int, error) {
	o := m.rd
	o.n = min(len(b.msgs), len(o.hdrs))
	for i := range o.n {
		buf := b.msgs[i].buf
		o.iovs[i].Base = &buf[0]
		o.iovs[i].SetLen(len(buf))
		o.hdrs[i].hdr.Namelen = uint32(unsafe.Sizeof(o.names[i]))
		o.hdrs[i].hdr.Flags = 0
		o.hdrs[i].n = 0
	}
	if err := m.rc.Read(o.fn); err != nil {
		return 0, err
	}
	if o.errno != 0 {
		return 0, o.errno
	}
	for i := range o.got {
		msg := &b.msgs[i]
		msg.n = int(o.hdrs[i].n)
		msg.truncated = o.hdrs[i].hdr.Flags&unix.MSG_TRUNC != 0
		msg.from = sockaddrToAddrPort(&o.names[i])
	}
	return o.got, nil
}

// writeBatch sends every packet in ps, in as few system calls as the
// kernel allows. A datagram the kernel refuses is skipped; the first
// such error is returned with the number refused.
func (m *mmsgConn) writeBatch(ps []txPacket) (failed int, first error) {
	o := m.wr.Get().(*mmsgOp)
	defer m.wr.Put(o)
	for len(ps) > 0 {
		o.n = min(len(ps), len(o.hdrs))
		for i := range o.n {
			p := &ps[i]
			o.iovs[i].Base = &p.buf[0]
			o.iovs[i].SetLen(p.n)
			o.hdrs[i].hdr.Namelen = addrPortToSockaddr(&o.names[i], p.to, m.v6)
			o.hdrs[i].n = 0
		}
		if err := m.rc.Write(o.fn); err != nil {
			return failed + len(ps), err
		}
		sent := o.got
		if o.errno != 0 {
			// The first datagram of the batch was refused: skip it.
			failed++
			if first == nil {
				first = o.errno
			}
			sent = 1
		}
		ps = ps[sent:]
	}
	return failed, first
}

// sockaddrToAddrPort reads a struct sockaddr_in or sockaddr_in6.
func sockaddrToAddrPort(sa *unix.RawSockaddrInet6) netip.AddrPort {
	b := (*[unix.SizeofSockaddrInet6]byte)(unsafe.Pointer(sa))
	port := binary.BigEndian.Uint16(b[2:4])
	switch sa.Family {
	case unix.AF_INET:
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte(b[4:8])), port)
	case unix.AF_INET6:
		return netip.AddrPortFrom(netip.AddrFrom16([16]byte(b[8:24])).Unmap(), port)
	}
	return netip.AddrPort{}
}

// addrPortToSockaddr writes ap as the socket's family wants it and
// returns the length.
func addrPortToSockaddr(sa *unix.RawSockaddrInet6, ap netip.AddrPort, v6 bool) uint32 {
	*sa = unix.RawSockaddrInet6{}
	b := (*[unix.SizeofSockaddrInet6]byte)(unsafe.Pointer(sa))
	binary.BigEndian.PutUint16(b[2:4], ap.Port())
	if !v6 {
		sa.Family = unix.AF_INET
		a := ap.Addr().Unmap().As4()
		copy(b[4:8], a[:])
		return unix.SizeofSockaddrInet4
	}
	sa.Family = unix.AF_INET6
	a := ap.Addr().As16() // an IPv4 address comes out v4-mapped
	copy(b[8:24], a[:])
	return unix.SizeofSockaddrInet6
}
