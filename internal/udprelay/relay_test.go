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

// A held datagram leaves when its hold time runs out on the relay's clock.
func TestRelayHoldExpires(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	r, err := Listen("127.0.0.1:0", Config{Target: echoServer(t), Up: Impairment{Reorder: 1}, Clock: clk, Hold: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	c := client(t)
	c.WriteToUDPAddrPort([]byte{9}, r.Addr())
	// Wait until the relay holds it (a timer is pending), then expire it.
	deadline := time.Now().Add(5 * time.Second)
	for clk.Pending() == 0 {
		if time.Now().After(deadline) {
			t.Fatal("the relay never held the datagram")
		}
		time.Sleep(time.Millisecond) // polling a condition, not timing
	}
	clk.Advance(49 * time.Millisecond)
	if up, _ := r.Counts(); up.Out != 0 {
		t.Fatalf("released before the hold ran out: %+v", up)
	}
	clk.Advance(time.Millisecond)
	if got := recv(t, c); got != 9 {
		t.Errorf("got %d, want 9", got)
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
