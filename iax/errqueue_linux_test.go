package iax

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/ringo-phone/ringo/internal/clock"
)

// cmsg builds one control message as the kernel lays it out.
func cmsg(level, typ int32, data []byte) []byte {
	b := make([]byte, unix.CmsgSpace(len(data)))
	h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
	h.Level, h.Type = level, typ
	h.SetLen(unix.CmsgLen(len(data)))
	copy(b[unix.CmsgLen(0):], data)
	return b
}

// extErr is a struct sock_extended_err followed by an offender address.
func extErr(errno unix.Errno, origin, typ, code uint8) []byte {
	b := make([]byte, sockExtendedErrSize+unix.SizeofSockaddrInet4)
	binary.NativeEndian.PutUint32(b, uint32(errno))
	b[4], b[5], b[6] = origin, typ, code
	return b
}

func TestParseRecvErr(t *testing.T) {
	for _, tc := range []struct {
		name     string
		oob      []byte
		ok, port bool
		errno    unix.Errno
	}{
		{"ICMP port unreachable", cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP, 3, 3)), true, true, unix.ECONNREFUSED},
		{"ICMPv6 port unreachable", cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP6, 1, 4)), true, true, unix.ECONNREFUSED},
		{"IPv4 ICMP on an IPv6 socket", cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP, 3, 3)), true, true, unix.ECONNREFUSED},
		{"host unreachable", cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.EHOSTUNREACH, unix.SO_EE_ORIGIN_ICMP, 3, 1)), true, false, unix.EHOSTUNREACH},
		{"ICMPv6 code 4 of another type", cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.EPROTO, unix.SO_EE_ORIGIN_ICMP6, 4, 4)), true, false, unix.EPROTO},
		{"a local error", cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.EMSGSIZE, unix.SO_EE_ORIGIN_LOCAL, 3, 3)), true, false, unix.EMSGSIZE},
		{"another control message", cmsg(unix.IPPROTO_IP, unix.IP_TTL, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP, 3, 3)), false, false, 0},
		{"too short", cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, make([]byte, sockExtendedErrSize-1)), false, false, 0},
		{"nothing", nil, false, false, 0},
		{"garbage", []byte{1, 2, 3}, false, false, 0},
	} {
		r, ok := parseRecvErr(tc.oob)
		if ok != tc.ok || r.portUnreachable != tc.port || r.errno != tc.errno {
			t.Errorf("parseRecvErr(%s) = port unreachable %v errno %v ok %v, want %v %v %v",
				tc.name, r.portUnreachable, r.errno, ok, tc.port, tc.errno, tc.ok)
		}
	}
}

// parseRecvErr reads what the kernel hands over: it never panics, and
// only a recvmsg control message of the right level and type counts.
func FuzzParseRecvErr(f *testing.F) {
	f.Add(cmsg(unix.IPPROTO_IP, unix.IP_RECVERR, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP, 3, 3)))
	f.Add(cmsg(unix.IPPROTO_IPV6, unix.IPV6_RECVERR, extErr(unix.ECONNREFUSED, unix.SO_EE_ORIGIN_ICMP6, 1, 4)))
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, oob []byte) {
		r, ok := parseRecvErr(oob)
		if !ok && (r.portUnreachable || r.errno != 0) {
			t.Fatalf("parseRecvErr(%x) = %+v with ok false", oob, r)
		}
		if r.portUnreachable && len(oob) < unix.CmsgLen(sockExtendedErrSize) {
			t.Fatalf("parseRecvErr(%x): port unreachable from %d bytes", oob, len(oob))
		}
	})
}

func TestSourceCall(t *testing.T) {
	full, _ := (&FullFrame{SourceCall: 1234, DestCall: 5, Type: FrameIAX, Subclass: uint8(CmdNew)}).Marshal()
	mini, _ := (&MiniFrame{SourceCall: 32767, Timestamp: 1, Payload: []byte{1}}).Marshal()
	for _, tc := range []struct {
		b    []byte
		call uint16
		ok   bool
	}{
		{full, 1234, true}, {full[:2], 0, false}, {mini, 32767, true}, {[]byte{0, 0, 0, 1}, 0, false}, {nil, 0, false},
	} {
		if call, ok := sourceCall(tc.b); call != tc.call || ok != tc.ok {
			t.Errorf("sourceCall(%x) = %d, %v; want %d, %v", tc.b, call, ok, tc.call, tc.ok)
		}
	}
}

// closedPort returns a loopback address where nothing listens: a port
// that was just bound and closed again.
func closedPort(t *testing.T) netip.AddrPort {
	t.Helper()
	c, err := net.ListenPacket("udp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := c.LocalAddr().(*net.UDPAddr).AddrPort()
	c.Close()
	return addr
}

// frozen is an endpoint on a fake clock that the test never advances:
// no retransmission ever falls due, so whatever fails, fails from the
// ICMP report alone.
func frozen(t *testing.T, addr string, cfg Config) *Endpoint {
	t.Helper()
	cfg.Clock = clock.NewFake(replayStart)
	ep, err := Listen(t.Context(), addr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })
	return ep
}

func wantUnreachable(t *testing.T, what string, err error, at netip.AddrPort) {
	t.Helper()
	var ue *UnreachableError
	if !errors.Is(err, ErrUnreachable) || !errors.As(err, &ue) || ue.Addr != at {
		t.Fatalf("%s: %v, want nothing listening at %v", what, err, at)
	}
	if want := "nothing listening at " + at.String() + " (ICMP port unreachable)"; err.Error() != want {
		t.Errorf("%s: error text %q, want %q", what, err.Error(), want)
	}
}

// A registration to a port where nothing listens fails after its first
// REGREQ, without waiting for a retransmission.
func TestRegisterNothingListening(t *testing.T) {
	ep := frozen(t, "127.0.0.1:0", Config{})
	server := closedPort(t)
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	_, err := ep.Register(ctx, RegisterOptions{Server: server, Username: "u", Secret: "s", StopIfUnreachable: true})
	wantUnreachable(t, "Register", err, server)
}

// Without StopIfUnreachable the registration says why it retries, and
// keeps going: the server may start later.
func TestRegisterNothingListeningRetries(t *testing.T) {
	ep := frozen(t, "127.0.0.1:0", Config{})
	server := closedPort(t)
	reg, err := ep.StartRegistration(RegisterOptions{Server: server, Username: "u", Secret: "s"})
	if err != nil {
		t.Fatal(err)
	}
	defer reg.Close()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case ev := <-reg.Events():
			if ev.State != RegRetrying {
				continue
			}
			wantUnreachable(t, "RegRetrying event", ev.Err, server)
			if st := reg.State(); st != RegRetrying {
				t.Errorf("State() = %v after the report, want retrying", st)
			}
			if st := reg.Stats(); st.FramesSent != 1 || st.Retransmissions != 0 {
				t.Errorf("Stats() sent %d retransmitted %d, want 1 REGREQ and no retransmission", st.FramesSent, st.Retransmissions)
			}
			return
		case <-timeout:
			t.Fatalf("no RegRetrying event; state %v", reg.State())
		}
	}
}

// A call and a POKE to a port where nothing listens fail at once; so
// does a call on a dual-stack socket.
func TestDialAndPokeNothingListening(t *testing.T) {
	for _, local := range []string{"127.0.0.1:0", ":0"} {
		ep := frozen(t, local, Config{})
		peer := closedPort(t)
		c, err := ep.Dial(DialOptions{Peer: peer, Called: "600"})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err = c.Wait(ctx)
		cancel()
		wantUnreachable(t, "Dial from "+local, err, peer)
		if c.State() != StateFailed {
			t.Errorf("call from %s is %v, want failed", local, c.State())
		}
		ctx, cancel = context.WithTimeout(t.Context(), 10*time.Second)
		_, err = ep.Poke(ctx, peer)
		cancel()
		wantUnreachable(t, "Poke from "+local, err, peer)
	}
}

// The report of one peer fails only that peer's call, even when it turns
// up as the error of a send to another peer (the kernel hands a queued
// ICMP error to the next send or receive on the socket): that send is
// made again, and the other call goes on.
func TestNothingListeningSparesOtherPeers(t *testing.T) {
	ep := frozen(t, "127.0.0.1:0", Config{})
	live, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer live.Close()
	dead := closedPort(t)
	for range 20 {
		gone, err := ep.Dial(DialOptions{Peer: dead, Called: "600"})
		if err != nil {
			t.Fatal(err)
		}
		// Right after the refused NEW, while its report may be pending.
		kept, err := ep.Dial(DialOptions{Peer: live.LocalAddr().(*net.UDPAddr).AddrPort(), Called: "600"})
		if err != nil {
			t.Fatal(err)
		}
		live.SetReadDeadline(time.Now().Add(5 * time.Second))
		buf := make([]byte, 1500)
		n, _, err := live.ReadFromUDP(buf)
		if err != nil {
			t.Fatalf("the NEW to the live peer never came: %v", err)
		}
		var f FullFrame
		if err := f.Unmarshal(buf[:n]); err != nil || !f.IsCommand(CmdNew) || f.SourceCall != kept.Info().LocalCall {
			t.Fatalf("live peer got %v (%v), want the NEW of call %d", &f, err, kept.Info().LocalCall)
		}
		ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
		err = gone.Wait(ctx)
		cancel()
		wantUnreachable(t, "call to the closed port", err, dead)
		if st := kept.State(); st != StateDialing {
			t.Fatalf("call to the live peer is %v (%v), want still dialing", st, kept.Err())
		}
		_ = kept.Hangup(0)
		live.ReadFromUDP(buf) // its HANGUP
	}
}

// The server role does not ask for ICMP reports: one peer's error never
// reaches another peer's send or call.
func TestServerRoleIgnoresICMP(t *testing.T) {
	ep := frozen(t, "127.0.0.1:0", Config{Server: &ServerConfig{AllowGuests: true}})
	if ep.errq != nil {
		t.Fatal("a server endpoint reads the ICMP error queue")
	}
	client := frozen(t, "127.0.0.1:0", Config{})
	if client.errq == nil {
		t.Fatal("a client endpoint on Linux does not read the ICMP error queue")
	}
}
