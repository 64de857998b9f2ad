package iax

import (
	"bytes"
	"encoding/binary"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// captureKey is the first key of the encrypted capture's call.
var captureKey = DeriveKey("153902005", "crypt0")

// FuzzOpen decrypts anything: it never panics, never reads past its
// input, and whatever it opens seals back to the same bytes with the
// padding it came with.
func FuzzOpen(f *testing.F) {
	for _, p := range readCapture(f, aesCapture)[4:] {
		f.Add(p.Data)
	}
	f.Add([]byte{0x80, 1, 0, 2})
	f.Add(append([]byte{0x80, 1, 0, 2}, make([]byte, 17)...))
	f.Add(append([]byte{0, 1}, make([]byte, 16)...))
	f.Add(sealedWithPadNibble(NewFrameCipher(captureKey), 15))
	c := NewFrameCipher(captureKey)
	f.Fuzz(func(t *testing.T, b []byte) {
		in := append([]byte(nil), b...)
		frame, err := c.Open(nil, in)
		if !bytes.Equal(in, b) {
			t.Fatal("Open changed its input")
		}
		if err != nil {
			return
		}
		h, _ := clearHeader(b)
		ws := make([]byte, len(b)-h)
		c.decryptBlocks(ws, b[h:])
		pad := ws[:16+int(ws[15]&0xf)]
		again, err := c.Seal(nil, frame, pad)
		if err != nil || !bytes.Equal(again, b) {
			t.Fatalf("Seal(Open(b)) = % x, %v; want % x", again, err, b)
		}
		if got, err := c.Open(in, in); err != nil || !bytes.Equal(got, frame) {
			t.Fatalf("Open in place = % x, %v; want % x", got, err, frame)
		}
	})
}

// FuzzCaptureDecrypter reads any sequence of datagrams without panicking.
func FuzzCaptureDecrypter(f *testing.F) {
	f.Add(joinDatagrams(readCapture(f, aesCapture), true))
	all := readCapture(f, aesCapture)
	var both []byte
	for _, p := range all {
		both = append(both, byte(p.Src.Port()&1))
		both = binary.BigEndian.AppendUint16(both, uint16(len(p.Data)))
		both = append(both, p.Data...)
	}
	f.Add(both)
	a := netip.MustParseAddrPort("127.0.0.1:4569")
	b := netip.MustParseAddrPort("127.0.0.1:4570")
	f.Fuzz(func(t *testing.T, in []byte) {
		dgrams, flags := splitDatagrams(in)
		d := NewCaptureDecrypter("crypt0")
		for i, g := range dgrams {
			src, dst := a, b
			if flags[i] {
				src, dst = b, a
			}
			out, _, _ := d.Frame(src, dst, g)
			if out == nil && g != nil {
				t.Fatal("Frame returned nil for a datagram")
			}
		}
	})
}

// FuzzEncryptedCall feeds datagrams to a server's encrypted call: after
// a NEW that offers AES-128, each input datagram is sent as it is or,
// when its flag says so, encrypted with the call's key and addressed to
// the call (so the fuzzer reaches what comes after decryption: any
// frame, bad padding, short frames). The endpoint never panics, and the
// call's number is freed once time runs on.
func FuzzEncryptedCall(f *testing.F) {
	pkts := readCapture(f, aesCapture)
	d := NewCaptureDecrypter("crypt0")
	var seed []byte
	for _, p := range pkts {
		frame, enc, err := d.Frame(p.Src, p.Dst, p.Data)
		if err != nil || !enc || p.Dst.Port() != 4569 {
			continue
		}
		// Voice from the caller, and its frames, to be sealed again.
		if p.N > 30 && KindOf(frame) == KindMini {
			continue
		}
		seed = append(seed, 1)
		seed = binary.BigEndian.AppendUint16(seed, uint16(len(frame)))
		seed = append(seed, frame...)
	}
	f.Add(seed)
	f.Add([]byte{1, 0, 12, 0x80, 1, 0, 0, 0, 0, 0, 0, 1, 0, 6, 9})
	f.Add([]byte{0, 0, 20, 0x80, 1, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16})
	from := netip.MustParseAddrPort("127.0.0.1:40000")
	f.Fuzz(func(t *testing.T, in []byte) {
		dgrams, seal := splitDatagrams(in)
		clk := clock.NewFake(replayStart)
		users := func(n string) (User, bool) {
			return User{Name: "handset3", Secret: "crypt0", NoCallToken: true, Encryption: EncryptionRequired}, n == "handset3"
		}
		e := New(newNullConn(), Config{Clock: clk, Server: &ServerConfig{Users: users}, Retransmit: Retransmit{Tries: 2}})
		defer e.Close()
		nw := &FullFrame{SourceCall: 4730, Type: FrameIAX, Subclass: uint8(CmdNew), Timestamp: 3}
		nw.IEs.AddUint16(IEVersion, 2)
		nw.IEs.AddString(IECalledNumber, "601")
		nw.IEs.AddString(IEUsername, "handset3")
		nw.IEs.AddUint32(IEFormat, uint32(FormatULaw))
		nw.IEs.AddUint32(IECapability, uint32(FormatULaw))
		nw.IEs.AddUint16(IEEncryption, EncryptAES128|EncryptKeyRotate)
		b, _ := nw.Marshal()
		var (
			key   *FrameCipher
			local uint16
		)
		e.do(func() {
			e.receive(inbound{from: from, at: clk.Now(), b: b})
			for n, s := range e.sessions {
				if s.crypt != nil {
					key, local = s.crypt.rx, n
				}
			}
		})
		if key == nil {
			t.Fatal("the NEW opened no encrypted call")
		}
		for i, g := range dgrams {
			if seal[i] && len(g) >= MiniFrameHeaderSize {
				g = append([]byte(nil), g...)
				if KindOf(g) == KindFull {
					binary.BigEndian.PutUint16(g[2:], uint16(g[2]&0x80)<<8|local)
				}
				sealed, err := key.Seal(nil, g, make([]byte, MaxPadding))
				if err == nil {
					g = sealed
				}
			}
			e.do(func() { e.receive(inbound{from: from, at: clk.Now(), b: g}) })
		}
		for range 24 {
			clk.Advance(5 * time.Second)
			e.do(func() {})
		}
		var n int
		e.do(func() { n = len(e.sessions) })
		if n != 0 {
			t.Fatalf("%d sessions left two minutes after the input", n)
		}
	})
}
