package pbx

import (
	"bytes"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

// udpPeer is a bare UDP socket on a loopback address of its own.
type udpPeer struct {
	t    *testing.T
	conn *net.UDPConn
}

func newUDPPeer(t *testing.T, ip string) *udpPeer {
	t.Helper()
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
	if err != nil {
		t.Fatalf("cannot bind %s (the whole of 127/8 is loopback on Linux): %v", ip, err)
	}
	t.Cleanup(func() { conn.Close() })
	return &udpPeer{t: t, conn: conn}
}

func (u *udpPeer) send(to netip.AddrPort, f *iax.FullFrame) {
	u.t.Helper()
	b, err := f.Marshal()
	if err != nil {
		u.t.Fatal(err)
	}
	if _, err := u.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(to)); err != nil {
		u.t.Fatal(err)
	}
}

// recv returns the next frame that is not an ACK.
func (u *udpPeer) recv() *iax.FullFrame {
	u.t.Helper()
	buf := make([]byte, 4096)
	for {
		u.conn.SetReadDeadline(time.Now().Add(5 * time.Second))
		n, _, err := u.conn.ReadFromUDP(buf)
		if err != nil {
			u.t.Fatalf("waiting for a frame from iaxpbx: %v", err)
		}
		var f iax.FullFrame
		if err := f.Unmarshal(buf[:n]); err != nil {
			u.t.Fatalf("iaxpbx sent a bad frame: %v", err)
		}
		if !f.IsCommand(iax.CmdAck) {
			return &f
		}
	}
}

// A POKE flood from two addresses (5,000 from each, as fast as the
// sockets take them) holds no call number: a registration right after
// it succeeds, and a call to the echo connects and echoes.
func TestPokeFloodThenRegisterAndCall(t *testing.T) {
	p, ep, _ := start(t)
	var wg sync.WaitGroup
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		src := newUDPPeer(t, ip)
		wg.Add(1)
		go func() {
			defer wg.Done()
			deadline := time.Now().Add(10 * time.Second)
			for i := range 5000 {
				if time.Now().After(deadline) {
					return
				}
				f := &iax.FullFrame{SourceCall: uint16(i%iax.MaxCallNumber) + 1, Timestamp: uint32(i), Type: iax.FrameIAX, Subclass: uint8(iax.CmdPoke)}
				f.IEs.AddEmpty(iax.IECallToken)
				b, _ := f.Marshal()
				src.conn.WriteToUDP(b, net.UDPAddrFromAddrPort(p.Addr()))
			}
		}()
	}
	wg.Wait()
	reg, err := ep.Register(t.Context(), iax.RegisterOptions{Server: p.Addr(), Username: "handset1", Secret: "s3cret"})
	if err != nil {
		t.Fatalf("registration after the flood: %v", err)
	}
	defer reg.Close()
	// The REGREQs queued behind the flood: it has all been handled.
	if st := p.Stats(); st.StatelessAnswers == 0 || st.CallNumbers > 2 {
		t.Errorf("after the flood: %d POKEs answered, %d call numbers in use; want some answered and at most 2 in use", st.StatelessAnswers, st.CallNumbers)
	}
	c := dial(t, p, ep, "600")
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("call after the flood: %v", err)
	}
	payload := bytes.Repeat([]byte{7}, 160)
	if err := c.SendVoice(payload); err != nil {
		t.Fatal(err)
	}
	select {
	case v := <-c.Voice():
		if !bytes.Equal(v.Payload, payload) {
			t.Errorf("echo %x..., want %x...", v.Payload[:4], payload[:4])
		}
	case <-t.Context().Done():
		t.Fatal("no echo")
	}
	c.Hangup(0)
}

// iaxpbx answers a known and an unknown user alike: the same challenge
// (frame type and elements) to a REGREQ and to a NEW, and after the
// answer (a wrong secret for the one, any for the other) the same
// refusal.
func TestUnknownUserAnsweredLikeKnown(t *testing.T) {
	p, _, _ := start(t)
	u := newUDPPeer(t, "127.0.0.2")
	src := uint16(300)
	shape := func(f *iax.FullFrame) string {
		s := f.Type.String() + " " + f.Command().String()
		for _, ie := range f.IEs {
			s += " " + ie.Type.String()
		}
		return s
	}
	// exchange runs one transaction as user: the calltoken round, the
	// challenge, a wrong answer; it returns the shapes of the challenge
	// and of the final answer.
	exchange := func(cmd iax.Command, user string) (string, string) {
		t.Helper()
		src++
		open := func(token []byte) *iax.FullFrame {
			f := &iax.FullFrame{SourceCall: src, Timestamp: 1, Type: iax.FrameIAX, Subclass: uint8(cmd)}
			if cmd == iax.CmdNew {
				f.IEs.AddUint16(iax.IEVersion, 2)
				f.IEs.AddString(iax.IECalledNumber, "600")
				f.IEs.AddUint32(iax.IEFormat, uint32(iax.FormatULaw))
				f.IEs.AddUint32(iax.IECapability, uint32(iax.FormatULaw))
			}
			f.IEs.AddString(iax.IEUsername, user)
			f.IEs.Add(iax.IECallToken, token)
			return f
		}
		u.send(p.Addr(), open([]byte{}))
		tok := u.recv()
		if !tok.IsCommand(iax.CmdCallToken) {
			t.Fatalf("%v for %s: answer %v, want CALLTOKEN", cmd, user, tok)
		}
		u.send(p.Addr(), open([]byte(tok.IEs.String(iax.IECallToken))))
		chal := u.recv()
		answer := iax.CmdRegReq
		if cmd == iax.CmdNew {
			answer = iax.CmdAuthRep
		}
		rep := &iax.FullFrame{SourceCall: src, DestCall: chal.SourceCall, Timestamp: 2, OSeq: 1, ISeq: 1, Type: iax.FrameIAX, Subclass: uint8(answer)}
		rep.IEs.AddString(iax.IEUsername, user)
		rep.IEs.AddString(iax.IEMD5Result, "0123456789abcdef0123456789abcdef")
		u.send(p.Addr(), rep)
		return shape(chal), shape(u.recv())
	}
	for _, cmd := range []iax.Command{iax.CmdRegReq, iax.CmdNew} {
		kc, kf := exchange(cmd, "handset1")
		uc, uf := exchange(cmd, "nobody")
		if kc != uc || kf != uf {
			t.Errorf("%v: known user got %q then %q, unknown %q then %q; want the same", cmd, kc, kf, uc, uf)
		}
		if want := map[iax.Command]string{iax.CmdRegReq: "IAX REGAUTH", iax.CmdNew: "IAX AUTHREQ"}[cmd]; len(kc) < len(want) || kc[:len(want)] != want {
			t.Errorf("%v: challenge %q, want %s", cmd, kc, want)
		}
	}
	if len(p.Registrations()) != 0 {
		t.Errorf("registrations %v after wrong answers, want none", p.Registrations())
	}
}

// maxsetup in the file (or -max-setup) bounds what one address may have
// being set up: with 1, a second registration request from the same
// address is dropped while the first waits for its answer.
func TestMaxSetup(t *testing.T) {
	for in, want := range map[string]int{"[pbx]\nmaxsetup = 8\n": 8, "[pbx]\n": 0} {
		if cfg, err := ParseConfig([]byte(in)); err != nil || cfg.MaxSetup != want {
			t.Errorf("ParseConfig(%q) MaxSetup = %d, %v; want %d", in, cfg.MaxSetup, err, want)
		}
	}
	for _, in := range []string{"[pbx]\nmaxsetup = 0\n", "[pbx]\nmaxsetup = many\n"} {
		if _, err := ParseConfig([]byte(in)); err == nil {
			t.Errorf("ParseConfig(%q) = nil error, want one", in)
		}
	}

	p, err := Listen(t.Context(), "127.0.0.1:0", Config{Users: []User{{Name: "fax", Secret: "pw", NoCallToken: true}}, MaxSetup: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	u := newUDPPeer(t, "127.0.0.2")
	for src := uint16(10); src < 12; src++ {
		f := &iax.FullFrame{SourceCall: src, Timestamp: 1, Type: iax.FrameIAX, Subclass: uint8(iax.CmdRegReq)}
		f.IEs.AddString(iax.IEUsername, "fax")
		u.send(p.Addr(), f)
	}
	u.send(p.Addr(), &iax.FullFrame{SourceCall: 99, Timestamp: 1, Type: iax.FrameIAX, Subclass: uint8(iax.CmdPing)})
	if f := u.recv(); !f.IsCommand(iax.CmdRegAuth) || f.DestCall != 10 {
		t.Errorf("first answer %v, want REGAUTH to the first request", f)
	}
	if f := u.recv(); !f.IsCommand(iax.CmdPong) {
		t.Errorf("second answer %v, want the PONG: the second request dropped", f)
	}
	if st := p.Stats(); st.SetupLimited != 1 {
		t.Errorf("SetupLimited = %d, want 1", st.SetupLimited)
	}
}
