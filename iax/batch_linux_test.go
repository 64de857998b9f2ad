package iax

import (
	"net"
	"net/netip"
	"testing"

	"golang.org/x/sys/unix"
)

// Addresses go between netip and the kernel's sockaddr as the socket's
// family wants them: IPv4 peers of an IPv6 socket v4-mapped on the way
// out and plain IPv4 on the way in.
func TestSockaddrRoundTrip(t *testing.T) {
	for _, tc := range []struct {
		ap     string
		v6     bool
		family uint16
	}{
		{"192.0.2.7:4569", false, unix.AF_INET},
		{"192.0.2.7:4569", true, unix.AF_INET6},
		{"[2001:db8::5]:40000", true, unix.AF_INET6},
	} {
		ap := netip.MustParseAddrPort(tc.ap)
		var sa unix.RawSockaddrInet6
		n := addrPortToSockaddr(&sa, ap, tc.v6)
		if sa.Family != tc.family || (tc.family == unix.AF_INET) != (n == unix.SizeofSockaddrInet4) {
			t.Errorf("%v (v6 socket %v): family %d length %d, want family %d", ap, tc.v6, sa.Family, n, tc.family)
		}
		if got := sockaddrToAddrPort(&sa); got != ap {
			t.Errorf("%v (v6 socket %v) came back as %v", ap, tc.v6, got)
		}
	}
}

// A batch read and a batch write carry several datagrams each, from
// and to the right addresses, on an IPv6 socket that talks to IPv4
// peers too.
func TestMmsgBatch(t *testing.T) {
	srv, err := net.ListenUDP("udp", &net.UDPAddr{}) // dual-stack when the machine has IPv6
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	m, err := openMmsg(srv, 8)
	if err != nil {
		t.Fatal(err)
	}
	if !m.v6 {
		t.Log("no IPv6 here: only the IPv4 socket is tried")
	}
	peer, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	to := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(srv.LocalAddr().(*net.UDPAddr).Port))
	for i := range 3 {
		if _, err := peer.WriteToUDPAddrPort([]byte{byte(i), 1, 2}, to); err != nil {
			t.Fatal(err)
		}
	}
	b := &rxBatch{msgs: make([]rxMsg, 8)}
	for i := range b.msgs {
		b.msgs[i].buf = make([]byte, 64)
	}
	var got int
	for got < 3 {
		n, err := m.readBatch(b)
		if err != nil {
			t.Fatal(err)
		}
		for _, msg := range b.msgs[:n] {
			if msg.n != 3 || msg.buf[0] != byte(got) || msg.from.Addr().Unmap() != peer.LocalAddr().(*net.UDPAddr).AddrPort().Addr() {
				t.Fatalf("datagram %d: %d octets %v from %v", got, msg.n, msg.buf[:msg.n], msg.from)
			}
			got++
		}
	}
	back := peer.LocalAddr().(*net.UDPAddr).AddrPort()
	ps := make([]txPacket, 5)
	for i := range ps {
		ps[i] = txPacket{buf: []byte{byte(10 + i), 0}, n: 2, to: back}
	}
	if failed, err := m.writeBatch(ps); failed != 0 || err != nil {
		t.Fatalf("writeBatch = %d, %v", failed, err)
	}
	buf := make([]byte, 16)
	for i := range ps {
		n, from, err := peer.ReadFromUDPAddrPort(buf)
		if err != nil {
			t.Fatal(err)
		}
		if n != 2 || buf[0] != byte(10+i) || from.Port() != to.Port() {
			t.Fatalf("datagram %d back: %v from %v", i, buf[:n], from)
		}
	}
}
