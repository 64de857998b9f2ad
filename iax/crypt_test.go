package iax

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

const aesCapture = "testdata/aes/call-aes128-601.pcapng"

// The encrypted call between two Asterisk 22 instances, decrypted by
// hand: the first key from the AUTHREQ's challenge and the secret, the
// callee's second from its RTKEY. Every frame after the AUTHREQ is
// encrypted and decrypts to a well-formed IAX2 frame, the AUTHREP's MD5
// answer is the key itself in hex, the caller's voice is the callee's
// tone echoed, and sealing each decrypted frame again with the padding
// it came with gives the captured bytes back.
func TestAES128CaptureDecryptsByHand(t *testing.T) {
	pkts := readCapture(t, aesCapture)
	authreq := fullAt(t, pkts, 4)
	enc, _ := authreq.IEs.Uint(IEEncryption)
	if !authreq.IsCommand(CmdAuthReq) || uint16(enc) != EncryptAES128 {
		t.Fatalf("packet 4 = %v, want AUTHREQ with ENCRYPTION 0x0001", authreq)
	}
	if nw := fullAt(t, pkts, 3); nw.IEs.String(IEUsername) != "handset3" {
		t.Fatalf("packet 3 = %v, want the NEW of handset3", nw)
	}
	if v, _ := fullAt(t, pkts, 3).IEs.Uint(IEEncryption); uint16(v) != EncryptAES128|EncryptKeyRotate {
		t.Errorf("NEW offers ENCRYPTION %#x, want 0x8001 (aes128 + keyrotate)", v)
	}
	key := DeriveKey(authreq.IEs.String(IEChallenge), "crypt0")
	caller, callee := authreq.DestCall, authreq.SourceCall
	keys := map[uint16]*FrameCipher{caller: NewFrameCipher(key), callee: NewFrameCipher(key)}

	var (
		names        []string
		voice        = map[uint16][][]byte{}
		rotations    int
		voiceFormats = map[Format]int{}
	)
	for _, p := range pkts[4:] {
		src := uint16(p.Data[0]&0x7f)<<8 | uint16(p.Data[1])
		k := keys[src]
		if k == nil {
			t.Fatalf("packet %d from call %d: not a side of the call", p.N, src)
		}
		h, _ := clearHeader(p.Data)
		if (len(p.Data)-h)%16 != 0 {
			t.Fatalf("packet %d: %d octets after the clear header, not whole blocks", p.N, len(p.Data)-h)
		}
		ws := make([]byte, len(p.Data)-h)
		k.decryptBlocks(ws, p.Data[h:])
		pad := ws[:16+int(ws[15]&0xf)]
		frame, err := k.Open(nil, p.Data)
		if err != nil {
			t.Fatalf("packet %d: Open: %v", p.N, err)
		}
		again, err := k.Seal(nil, frame, pad)
		if err != nil || !bytes.Equal(again, p.Data) {
			t.Fatalf("packet %d: Seal(Open(b), its padding) = % x, %v; want the captured % x", p.N, again, err, p.Data)
		}
		switch KindOf(frame) {
		case KindMini:
			var m MiniFrame
			if err := m.Unmarshal(frame); err != nil || len(m.Payload) != 160 {
				t.Fatalf("packet %d: mini frame %v with %d octets, want 160 of ulaw", p.N, err, len(m.Payload))
			}
			voice[src] = append(voice[src], m.Payload)
		case KindFull:
			var f FullFrame
			if err := f.Unmarshal(frame); err != nil || !plausibleFull(frame) {
				t.Fatalf("packet %d: decrypted to %v (%v), not an IAX2 frame", p.N, &f, err)
			}
			if f.SourceCall != src || (f.DestCall != caller && f.DestCall != callee) {
				t.Fatalf("packet %d: decrypted header %v does not match the clear one", p.N, &f)
			}
			name := subclassName(&f)
			switch {
			case f.Type == FrameVoice:
				name = "VOICE"
				voiceFormats[SubclassFormat(f.Subclass)]++
				voice[src] = append(voice[src], f.Payload)
			case f.IsCommand(CmdAuthRep):
				if got := f.IEs.String(IEMD5Result); got != hex.EncodeToString(key[:]) {
					t.Errorf("AUTHREP MD5 answer %s, want the key %x", got, key)
				}
			case f.IsCommand(CmdRTKey):
				nk, ok := rtKey(frame)
				if !ok {
					t.Fatalf("packet %d: RTKEY without a 16-octet key: %v", p.N, &f)
				}
				keys[src] = NewFrameCipher(nk)
				rotations++
			}
			names = append(names, fmt.Sprintf("%s:%s", side(src, caller), name))
		default:
			t.Fatalf("packet %d: decrypted to neither a full nor a mini frame", p.N)
		}
	}
	want := "caller:AUTHREP callee:ACCEPT callee:ANSWER caller:ACK callee:STOP_SOUNDS caller:VNAK caller:ACK " +
		"callee:ANSWER callee:STOP_SOUNDS caller:ACK caller:ACK callee:RTKEY callee:VOICE caller:ACK caller:ACK " +
		"caller:VOICE callee:ACK callee:HANGUP caller:ACK"
	if got := strings.Join(names, " "); got != want {
		t.Errorf("decrypted full frames:\n got %s\nwant %s", got, want)
	}
	if rotations != 1 {
		t.Errorf("%d RTKEYs, want 1: the callee rotates (both offered rotation), the caller does not (the AUTHREQ said 0x0001)", rotations)
	}
	if voiceFormats[FormatULaw] != 2 || len(voiceFormats) != 1 {
		t.Errorf("full voice frames %v, want two ulaw", voiceFormats)
	}
	a, b := voice[caller], voice[callee]
	if len(a) != 126 || len(b) != 126 {
		t.Fatalf("voice frames caller %d callee %d, want 126 each", len(a), len(b))
	}
	for i := range a {
		if !bytes.Equal(a[i], b[i]) {
			t.Fatalf("voice frame %d: the caller's echo differs from the callee's tone", i)
		}
	}
}

func side(call, caller uint16) string {
	if call == caller {
		return "caller"
	}
	return "callee"
}

// CaptureDecrypter reads the same capture without help: every frame after
// the AUTHREQ comes back encrypted and decrypted, the rest clear; without
// a secret it names the encrypted frames and decrypts none.
func TestCaptureDecrypterAES128(t *testing.T) {
	pkts := readCapture(t, aesCapture)
	for _, secret := range []string{"crypt0", ""} {
		d := NewCaptureDecrypter(secret)
		for _, p := range pkts {
			out, enc, err := d.Frame(p.Src, p.Dst, p.Data)
			wantEnc := p.N > 4
			if enc != wantEnc {
				t.Fatalf("secret %q packet %d: encrypted %v, want %v", secret, p.N, enc, wantEnc)
			}
			switch {
			case !enc && (err != nil || !bytes.Equal(out, p.Data)):
				t.Fatalf("secret %q packet %d: clear frame came back changed (%v)", secret, p.N, err)
			case enc && secret == "" && (!errors.Is(err, ErrNoKey) || !bytes.Equal(out, p.Data)):
				t.Fatalf("packet %d without a secret: %v, want ErrNoKey and the datagram as it is", p.N, err)
			case enc && secret != "" && err != nil:
				t.Fatalf("packet %d: %v", p.N, err)
			case enc && secret != "" && KindOf(out) == KindFull && !plausibleFull(out):
				t.Fatalf("packet %d decrypted to noise", p.N)
			}
		}
	}
	// A wrong secret decrypts no full frame to a frame.
	d := NewCaptureDecrypter("crypt1")
	for _, p := range pkts {
		_, _, err := d.Frame(p.Src, p.Dst, p.Data)
		switch {
		case p.N <= 4 && err != nil:
			t.Fatalf("clear packet %d: %v", p.N, err)
		case p.N > 4 && KindOf(p.Data) == KindFull && !errors.Is(err, ErrDecrypt):
			t.Fatalf("packet %d with the wrong secret: %v, want ErrDecrypt", p.N, err)
		}
	}
}

// Seal and Open are inverses for frames of every length; the padding
// is 16 to 31 octets, the encrypted part whole blocks, the clear header
// unchanged, and two seals of one frame differ with their padding.
func TestSealOpenRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var k Key
	for i := range k {
		k[i] = byte(rng.Uint32())
	}
	c := NewFrameCipher(k)
	pad := func() []byte {
		b := make([]byte, MaxPadding)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		return b
	}
	for n := 0; n < 200; n++ {
		for _, full := range []bool{true, false} {
			var frame []byte
			if full {
				f := FullFrame{SourceCall: 4730, DestCall: 11054, Timestamp: uint32(n), OSeq: 3, ISeq: 4, Type: FrameText, Payload: bytes.Repeat([]byte{'x'}, n)}
				frame, _ = f.Marshal()
			} else {
				m := MiniFrame{SourceCall: 4730, Timestamp: uint16(n), Payload: bytes.Repeat([]byte{0x55}, n)}
				frame, _ = m.Marshal()
			}
			h, _ := clearHeader(frame)
			s1, err := c.Seal(nil, frame, pad())
			if err != nil {
				t.Fatal(err)
			}
			s2, _ := c.Seal(nil, frame, pad())
			if pl := len(s1) - len(frame); pl < 16 || pl > 31 || (len(s1)-h)%16 != 0 || len(s1) != SealedSize(frame) {
				t.Fatalf("full %v n %d: sealed %d octets from %d (padding %d), want 16-31 of padding and whole blocks", full, n, len(s1), len(frame), pl)
			}
			if !bytes.Equal(s1[:h], frame[:h]) {
				t.Fatalf("full %v n %d: clear header % x, want % x", full, n, s1[:h], frame[:h])
			}
			if bytes.Equal(s1, s2) {
				t.Fatalf("full %v n %d: two seals with different padding are equal", full, n)
			}
			for _, s := range [][]byte{s1, s2} {
				got, err := c.Open(nil, s)
				if err != nil || !bytes.Equal(got, frame) {
					t.Fatalf("full %v n %d: Open(Seal(f)) = % x, %v; want % x", full, n, got, err, frame)
				}
				inPlace := append([]byte(nil), s...)
				if got, err := c.Open(inPlace, inPlace); err != nil || !bytes.Equal(got, frame) {
					t.Fatalf("full %v n %d: Open in place = % x, %v", full, n, got, err)
				}
			}
		}
	}
}

// Open refuses what cannot be an encrypted frame, with ErrDecrypt or
// ErrShortFrame, and never reads past its input.
func TestOpenRefuses(t *testing.T) {
	c := NewFrameCipher(DeriveKey("1", "2"))
	cases := map[string][]byte{
		"empty":             nil,
		"three octets":      {0x80, 1, 0},
		"full, no blocks":   {0x80, 1, 0, 2},
		"full, 15 octets":   append([]byte{0x80, 1, 0, 2}, make([]byte, 15)...),
		"full, 17 octets":   append([]byte{0x80, 1, 0, 2}, make([]byte, 17)...),
		"mini, 31 octets":   append([]byte{0, 1}, make([]byte, 31)...),
		"meta frame":        append([]byte{0, 0, 0, 1}, make([]byte, 32)...),
		"padding too large": sealedWithPadNibble(c, 15),
	}
	for name, b := range cases {
		if _, err := c.Open(nil, b); !errors.Is(err, ErrDecrypt) && !errors.Is(err, ErrShortFrame) {
			t.Errorf("Open(%s) = %v, want ErrDecrypt or ErrShortFrame", name, err)
		}
	}
	if _, err := c.Seal(nil, []byte{0x80, 1, 0, 2, 0, 0, 0, 0, 0, 0, 6, 4}, make([]byte, 15)); !errors.Is(err, ErrDecrypt) {
		t.Errorf("Seal with 15 octets of padding = %v, want an error", err)
	}
}

// sealedWithPadNibble is a full frame of one block whose padding nibble
// says 16+n octets: more than the block holds beyond a header when n > 8.
func sealedWithPadNibble(c *FrameCipher, n byte) []byte {
	ws := make([]byte, 16)
	ws[15] = n
	c.encryptBlocks(ws)
	return append([]byte{0x80, 1, 0, 2}, ws...)
}

func TestParseEncryption(t *testing.T) {
	for in, want := range map[string]Encryption{"aes128": EncryptionAES128, "AES128": EncryptionAES128, "required": EncryptionRequired,
		"no": EncryptionOff, "": EncryptionOff, "off": EncryptionOff, " required ": EncryptionRequired} {
		if got, err := ParseEncryption(in); got != want || err != nil {
			t.Errorf("ParseEncryption(%q) = %v, %v; want %v", in, got, err, want)
		}
		if want != EncryptionOff {
			if back, _ := ParseEncryption(want.String()); back != want {
				t.Errorf("ParseEncryption(%v.String()) = %v", want, back)
			}
		}
	}
	for _, in := range []string{"aes", "yes", "aes256", "requried"} {
		if _, err := ParseEncryption(in); !errors.Is(err, ErrBadEncryption) || !strings.Contains(err.Error(), "want aes128, required or no") {
			t.Errorf("ParseEncryption(%q) = %v, want ErrBadEncryption saying what is accepted", in, err)
		}
	}
}

// The RTKEY's key never shows in a frame's text (logs use it).
func TestRTKeyHiddenInLogs(t *testing.T) {
	f := FullFrame{Type: FrameIAX, Subclass: uint8(CmdRTKey)}
	f.IEs.Add(IEChallenge, []byte("0123456789abcdef"))
	if s := f.String(); strings.Contains(s, "0123") || !strings.Contains(s, "CHALLENGE=<hidden>") {
		t.Errorf("String() = %s, want the key hidden", s)
	}
	g := FullFrame{Type: FrameIAX, Subclass: uint8(CmdAuthReq)}
	g.IEs.AddString(IEChallenge, "153902005")
	if s := g.String(); !strings.Contains(s, "153902005") {
		t.Errorf("AUTHREQ String() = %s, want the challenge shown", s)
	}
}
