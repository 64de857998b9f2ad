package iax

import (
	"bytes"
	"errors"
	"net"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// wire records what an endpoint sends and what Config.Trace shows.
type wire struct {
	mu     sync.Mutex
	sent   [][]byte // datagrams as they went out
	traced []TraceFrame
}

func (w *wire) trace(f TraceFrame) {
	w.mu.Lock()
	f.Frame = append([]byte(nil), f.Frame...)
	w.traced = append(w.traced, f)
	w.mu.Unlock()
}

type wireConn struct {
	net.PacketConn
	w *wire
}

func (c wireConn) WriteTo(b []byte, to net.Addr) (int, error) {
	c.w.mu.Lock()
	c.w.sent = append(c.w.sent, append([]byte(nil), b...))
	c.w.mu.Unlock()
	return c.PacketConn.WriteTo(b, to)
}

// count returns how many traced frames were sent (or received) IAX
// commands cmd.
func (w *wire) count(sent bool, cmd Command) int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := 0
	for _, f := range w.traced {
		var ff FullFrame
		if f.Sent == sent && KindOf(f.Frame) == KindFull && ff.Unmarshal(f.Frame) == nil && ff.IsCommand(cmd) {
			n++
		}
	}
	return n
}

// cryptPair is a server with the users given and a client, on one fake
// clock, both recording their traffic.
type cryptPair struct {
	srv, cli   *Endpoint
	clk        *clock.Fake
	sw, cw     *wire
	users      map[string]User
	serverAddr func() (a [2]byte)
}

func newCryptPair(t *testing.T, users ...User) *cryptPair {
	t.Helper()
	p := &cryptPair{clk: clock.NewFake(replayStart), sw: &wire{}, cw: &wire{}, users: map[string]User{}}
	for _, u := range users {
		p.users[u.Name] = u
	}
	open := func(w *wire, cfg Config) *Endpoint {
		conn, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		cfg.Clock, cfg.Trace = p.clk, w.trace
		e := New(wireConn{conn, w}, cfg)
		t.Cleanup(func() { e.Close() })
		return e
	}
	p.srv = open(p.sw, Config{Server: &ServerConfig{Users: func(n string) (User, bool) { u, ok := p.users[n]; return u, ok }}})
	p.cli = open(p.cw, Config{})
	return p
}

// call dials 600 as user with encryption enc and, when the server lets
// the call in, answers it.
func (p *cryptPair) call(t *testing.T, user, secret string, enc Encryption) (out, in *Call) {
	t.Helper()
	out, err := p.cli.Dial(DialOptions{Peer: p.srv.LocalAddr(), Called: "600", Username: user, Secret: secret, Encryption: enc})
	if err != nil {
		t.Fatal(err)
	}
	accepted := make(chan *Call, 1)
	go func() {
		c, err := p.srv.Accept(t.Context())
		if err == nil {
			accepted <- c
		}
	}()
	select {
	case in = <-accepted:
	case <-out.Done():
		return out, nil
	case <-time.After(10 * time.Second):
		t.Fatal("no call arrived")
	}
	if err := in.Answer(); err != nil {
		t.Fatal(err)
	}
	waitState(t, out, StateConnected)
	return out, in
}

// voice sends one frame each way and checks it arrives intact.
func voiceBothWays(t *testing.T, out, in *Call, tag byte) {
	t.Helper()
	for _, dir := range []struct {
		from, to *Call
		what     string
	}{{out, in, "client to server"}, {in, out, "server to client"}} {
		payload := bytes.Repeat([]byte{tag, 0x5a, 0xa5, dir.what[0]}, 40)
		if err := dir.from.SendVoice(payload); err != nil {
			t.Fatal(err)
		}
		select {
		case v := <-dir.to.Voice():
			if !bytes.Equal(v.Payload, payload) {
				t.Fatalf("voice %s, frame %#x: % x..., want % x...", dir.what, tag, v.Payload[:8], payload[:8])
			}
		case <-dir.to.Done():
			t.Fatalf("voice %s: call ended: %v", dir.what, dir.to.Err())
		case <-time.After(10 * time.Second):
			t.Fatalf("voice %s, frame %#x: nothing arrived", dir.what, tag)
		}
	}
}

func waitEvent(t *testing.T, c *Call, typ EventType) CallEvent {
	t.Helper()
	for {
		select {
		case ev := <-c.Events():
			if ev.Type == typ {
				return ev
			}
		case <-c.Done():
			t.Fatalf("call ended (%v) waiting for %v", c.Err(), typ)
		case <-time.After(10 * time.Second):
			t.Fatalf("waiting for %v", typ)
		}
	}
}

var handset3 = User{Name: "handset3", Secret: "crypt0", Encryption: EncryptionRequired}

// Our client and our server with encryption required on both: the call
// is encrypted both ways, voice, DTMF and text go through, and the
// hangup ends it; on the wire, nothing after the AUTHREQ is in the
// clear: every datagram of the call is whole blocks and no voice payload
// shows.
func TestEncryptedCallBetweenOurEnds(t *testing.T) {
	p := newCryptPair(t, handset3)
	out, in := p.call(t, "handset3", "crypt0", EncryptionRequired)
	if in == nil {
		t.Fatalf("call refused: %v", out.Err())
	}
	if !out.Info().Encrypted || !in.Info().Encrypted {
		t.Fatalf("Encrypted client %v server %v, want both", out.Info().Encrypted, in.Info().Encrypted)
	}
	for i := range 5 {
		voiceBothWays(t, out, in, byte(i))
	}
	if err := out.DTMFBegin('7'); err != nil {
		t.Fatal(err)
	}
	if err := out.DTMFEnd('7'); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, in, EventDTMFEnd); ev.Digit != '7' {
		t.Errorf("server heard digit %c, want 7", ev.Digit)
	}
	if err := in.SendText("hello"); err != nil {
		t.Fatal(err)
	}
	if ev := waitEvent(t, out, EventText); ev.Text != "hello" {
		t.Errorf("client read text %q, want hello", ev.Text)
	}
	if err := out.Hangup(0); err != nil {
		t.Fatal(err)
	}
	<-in.Done()
	var he *HangupError
	if !errors.As(in.Err(), &he) || in.State() != StateHangupRemote {
		t.Errorf("server side ended %v (%v), want hung up by the peer", in.State(), in.Err())
	}
	p.cli.Close()
	p.srv.Close()

	for _, w := range []*wire{p.cw, p.sw} {
		encrypted := false
		for _, b := range w.sent {
			var f FullFrame
			if KindOf(b) == KindFull && f.Unmarshal(b) == nil && f.DestCall != 0 && f.IsCommand(CmdAuthReq) {
				encrypted = true // the server's AUTHREQ is the last clear frame
				continue
			}
			if voiceInClear(b) || bytes.Contains(b, []byte("hello")) {
				t.Errorf("payload in the clear on the wire: % x", b)
			}
			if KindOf(b) == KindMini && (len(b)-2)%16 != 0 {
				t.Errorf("mini frame of %d octets on the wire: not encrypted", len(b))
			}
		}
		_ = encrypted
	}
	if n := p.cw.count(true, CmdAuthRep); n != 1 {
		t.Errorf("client traced %d AUTHREPs sent, want 1 (Trace sees frames in the clear)", n)
	}
	var encSent, miniSent int
	for _, f := range p.cw.traced {
		if f.Sent && f.Encrypted {
			encSent++
			if KindOf(f.Frame) == KindMini {
				miniSent++
			}
		}
		if f.Undecrypted {
			t.Errorf("client could not decrypt a frame: % x", f.Frame)
		}
	}
	if encSent == 0 || miniSent == 0 {
		t.Errorf("client traced %d encrypted frames sent (%d mini), want some of each", encSent, miniSent)
	}
}

// What each side's setting gives: encryption when one side offers and
// the other accepts; a refusal with words a person reads when one
// requires it and the other does not offer or ask.
func TestEncryptionSettingsAgree(t *testing.T) {
	for _, tc := range []struct {
		client, server Encryption
		encrypted      bool
		refused        string // words in the client's error
		err            error
	}{
		{client: EncryptionRequired, server: EncryptionRequired, encrypted: true},
		{client: EncryptionAES128, server: EncryptionAES128, encrypted: true},
		{client: EncryptionAES128, server: EncryptionRequired, encrypted: true},
		{client: EncryptionRequired, server: EncryptionAES128, encrypted: true},
		{client: EncryptionAES128, server: EncryptionOff},
		{client: EncryptionOff, server: EncryptionAES128},
		{client: EncryptionOff, server: EncryptionOff},
		{client: EncryptionRequired, server: EncryptionOff, err: ErrEncryptionRequired,
			refused: "the server does not offer AES-128 encryption, and this account requires it"},
		{client: EncryptionOff, server: EncryptionRequired, err: ErrRejected,
			refused: `"This account requires AES-128 encryption, and the call offered none" (cause 58)`},
	} {
		t.Run(tc.client.String()+"-"+tc.server.String(), func(t *testing.T) {
			p := newCryptPair(t, User{Name: "handset3", Secret: "crypt0", Encryption: tc.server})
			out, in := p.call(t, "handset3", "crypt0", tc.client)
			if tc.err != nil {
				if in != nil {
					t.Fatal("the call went through")
				}
				<-out.Done()
				if !errors.Is(out.Err(), tc.err) || !strings.Contains(out.Err().Error(), tc.refused) {
					t.Fatalf("Err() = %v, want %v saying %s", out.Err(), tc.err, tc.refused)
				}
				return
			}
			if in == nil {
				t.Fatalf("call refused: %v", out.Err())
			}
			if out.Info().Encrypted != tc.encrypted || in.Info().Encrypted != tc.encrypted {
				t.Fatalf("Encrypted client %v server %v, want %v", out.Info().Encrypted, in.Info().Encrypted, tc.encrypted)
			}
			voiceBothWays(t, out, in, 1)
			out.Hangup(0)
			<-in.Done()
		})
	}
}

// A wrong secret on an encrypted call: the server cannot read the
// AUTHREP, says so in the clear (the only way the caller can read it),
// and the caller's error names it.
func TestEncryptedCallWrongSecret(t *testing.T) {
	p := newCryptPair(t, handset3)
	out, in := p.call(t, "handset3", "crypt1", EncryptionRequired)
	if in != nil {
		t.Fatal("the call went through with the wrong secret")
	}
	<-out.Done()
	var he *HangupError
	if !errors.As(out.Err(), &he) || !he.Rejected || he.Cause != "Authentication failed" {
		t.Fatalf("Err() = %v, want rejected: Authentication failed", out.Err())
	}
}

// Key rotation when both offer it, on a fake clock: each side sends
// RTKEY with its first voice frame and again every 2 to 5 minutes, and
// voice is heard both ways across every rotation.
func TestKeyRotationBothSides(t *testing.T) {
	p := newCryptPair(t, handset3)
	out, in := p.call(t, "handset3", "crypt0", EncryptionRequired)
	if in == nil {
		t.Fatalf("call refused: %v", out.Err())
	}
	// sync waits until both sides have had every frame they sent
	// acknowledged (the acknowledgements travel in real time), so that
	// moving fake time on retransmits nothing.
	sync := func() {
		t.Helper()
		deadline := time.Now().Add(10 * time.Second)
		for {
			var waiting []string
			for _, c := range []*Call{out, in} {
				c.e.do(func() {
					for _, o := range c.s.pending {
						waiting = append(waiting, o.f.String())
					}
				})
			}
			if len(waiting) == 0 {
				return
			}
			if time.Now().After(deadline) {
				t.Fatalf("frames still unacknowledged: %v", waiting)
			}
			time.Sleep(time.Millisecond)
		}
	}
	voiceBothWays(t, out, in, 0)
	sync()
	if c, s := p.cw.count(true, CmdRTKey), p.sw.count(true, CmdRTKey); c != 1 || s != 1 {
		t.Fatalf("RTKEYs after the first voice: client %d server %d, want 1 each", c, s)
	}
	var keys []Key
	p.cli.do(func() { keys = append(keys, out.s.crypt.tx.Key(), out.s.crypt.rx.Key()) })
	if keys[0] == keys[1] {
		t.Fatal("client sends and receives with one key after both rotated")
	}
	// Eleven minutes in 20-second steps, voice at each.
	for i := range 33 {
		p.clk.Advance(20 * time.Second)
		sync()
		voiceBothWays(t, out, in, byte(i+1))
		sync()
	}
	c, s := p.cw.count(true, CmdRTKey), p.sw.count(true, CmdRTKey)
	if c < 3 || c > 7 || s < 3 || s > 7 {
		t.Errorf("RTKEYs over 11 minutes: client %d server %d, want 3 to 7 each (every 2 to 5 minutes)", c, s)
	}
	if r := p.cw.count(false, CmdRTKey); r != s {
		t.Errorf("client received %d RTKEYs, the server sent %d", r, s)
	}
	out.Hangup(0)
	<-in.Done()
}

// voiceInClear reports whether b holds voiceBothWays' payload in the
// clear: its 0x5a 0xa5 twice, 4 octets apart. The two octets alone turn
// up in ciphertext by chance (about once in 300 frames).
func voiceInClear(b []byte) bool {
	for i := 0; i+6 <= len(b); i++ {
		if b[i] == 0x5a && b[i+1] == 0xa5 && b[i+4] == 0x5a && b[i+5] == 0xa5 {
			return true
		}
	}
	return false
}
