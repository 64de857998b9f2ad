package udprelay

import (
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// echoServer answers every datagram with the same bytes.
func echoServer(t *testing.T) netip.AddrPort {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	go func() {
		buf := make([]byte, 2048)
		for {
			n, from, err := c.ReadFromUDPAddrPort(buf)
			if err != nil {
				return
			}
			c.WriteToUDPAddrPort(buf[:n], from)
		}
	}()
	return c.LocalAddr().(*net.UDPAddr).AddrPort()
}

func client(t *testing.T) *net.UDPConn {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recv(t *testing.T, c *net.UDPConn) byte {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(5 * time.Second))
	buf := make([]byte, 16)
	n, _, err := c.ReadFromUDPAddrPort(buf)
	if err != nil || n != 1 {
		t.Fatalf("read = %d, %v", n, err)
	}
	return buf[0]
}

func TestRelayPassesBothWays(t *testing.T) {
	r, err := Listen("127.0.0.1:0", Config{Target: echoServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := client(t)
	for i := range byte(5) {
		c.WriteToUDPAddrPort([]byte{i}, r.Addr())
		if got := recv(t, c); got != i {
			t.Fatalf("echo %d came back as %d", i, got)
		}
	}
	up, down := r.Counts()
	if up.In != 5 || up.Out != 5 || down.In != 5 || down.Out != 5 {
		t.Errorf("Counts() = %+v, %+v; want 5 in and out each way", up, down)
	}
}

// A held datagram leaves when its hold time runs out on the relay's
// clock, or right after the next datagram overtakes it.
func TestDirectionHold(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	z, err := NewImpairer(Impairment{Reorder: 1}, 1)
	if err != nil {
		t.Fatal(err)
	}
	var sent []byte
	d := &direction{z: z, clk: clk, hold: 50 * time.Millisecond, send: func(p Packet) { sent = append(sent, p.Data[0]) }}
	d.process(Packet{Data: []byte{1}})
	clk.Advance(49 * time.Millisecond)
	if len(sent) != 0 {
		t.Fatalf("sent %v before the hold ran out", sent)
	}
	clk.Advance(time.Millisecond)
	if string(sent) != "\x01" {
		t.Fatalf("after the hold: sent %v, want [1]", sent)
	}
	d.process(Packet{Data: []byte{2}}) // held
	d.process(Packet{Data: []byte{3}}) // overtakes it
	clk.Advance(time.Second)           // the stale timer sends nothing more
	if string(sent) != "\x01\x03\x02" {
		t.Errorf("sent %v, want [1 3 2]", sent)
	}
}

func TestRelayCloseIdempotent(t *testing.T) {
	r, err := Listen("127.0.0.1:0", Config{Target: echoServer(t)})
	if err != nil {
		t.Fatal(err)
	}
	r.Close()
	r.Close()
}
