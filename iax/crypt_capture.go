package iax

import (
	"encoding/binary"
	"fmt"
	"net/netip"
)

// CaptureDecrypter reads the encrypted calls of a capture, datagram by
// datagram in capture order, as the two ends did: it learns a call's
// first key from the AUTHREQ that asked for encryption (its challenge)
// and the account's secret, decrypts every later frame of the call, and
// follows each side's RTKEY to the key that side sends with next.
// Without a secret it still tells which frames are encrypted.
//
// Sides are told apart by address and source call number, so two
// Asterisk instances on one address and port (as in the shared
// captures) are two sides.
type CaptureDecrypter struct {
	secret string
	sides  map[captureSide]*captureKeys
}

type captureSide struct {
	addr netip.AddrPort
	call uint16
}

type captureKeys struct {
	cur, prev *FrameCipher // nil without a secret
	// oseq is the side's latest sequence number, peer the other side:
	// a decrypted frame must carry numbers near both (noise from a
	// wrong key seldom does).
	oseq uint8
	peer *captureKeys
}

// NewCaptureDecrypter returns a decrypter for calls made with secret
// ("" to only recognise encrypted frames).
func NewCaptureDecrypter(secret string) *CaptureDecrypter {
	return &CaptureDecrypter{secret: secret, sides: map[captureSide]*captureKeys{}}
}

// Frame returns datagram b, sent from src to dst, as it was before
// encryption, and whether it was encrypted. An encrypted frame it has no
// key for (no secret) comes back as it is, with ErrNoKey; one no key
// decrypts to a frame, with ErrDecrypt. The result may refer into b.
func (d *CaptureDecrypter) Frame(src, dst netip.AddrPort, b []byte) ([]byte, bool, error) {
	kind := KindOf(b)
	if kind != KindFull && kind != KindMini {
		return b, false, nil
	}
	scall := binary.BigEndian.Uint16(b) & 0x7fff
	if kind == KindFull {
		dcall := binary.BigEndian.Uint16(b[2:]) & 0x7fff
		if dcall == 0 || scall == 1 {
			// Opens a transaction, or comes from call number 1 (a
			// calltoken or a refusal from nowhere): never encrypted.
			return b, false, nil
		}
		keys := d.sides[captureSide{src, scall}]
		if keys == nil {
			d.noteAuthReq(src, dst, b)
			return b, false, nil
		}
		return d.openFull(keys, b)
	}
	keys := d.sides[captureSide{src, scall}]
	if keys == nil {
		return b, false, nil
	}
	if keys.cur == nil {
		return b, true, ErrNoKey
	}
	out, err := keys.cur.Open(nil, b)
	if err != nil {
		return b, true, err
	}
	return out, true, nil
}

// noteAuthReq starts decrypting a call at an AUTHREQ that asks for
// AES-128: from then on both sides encrypt.
func (d *CaptureDecrypter) noteAuthReq(src, dst netip.AddrPort, b []byte) {
	var f FullFrame
	if f.Unmarshal(b) != nil || !f.IsCommand(CmdAuthReq) {
		return
	}
	enc, _ := f.IEs.Uint(IEEncryption)
	if uint16(enc)&EncryptAES128 == 0 {
		return
	}
	var c *FrameCipher
	if d.secret != "" {
		c = NewFrameCipher(DeriveKey(f.IEs.String(IEChallenge), d.secret))
	}
	server := &captureKeys{cur: c, oseq: f.OSeq}
	client := &captureKeys{cur: c, oseq: f.ISeq, peer: server}
	server.peer = client
	d.sides[captureSide{src, f.SourceCall}] = server
	d.sides[captureSide{dst, f.DestCall}] = client
}

func (d *CaptureDecrypter) openFull(keys *captureKeys, b []byte) ([]byte, bool, error) {
	if keys.cur == nil {
		if plausibleFull(b) && b[2]&0x80 != 0 {
			// Most likely a clear frame of the setup sent again.
			return b, false, nil
		}
		return b, true, ErrNoKey
	}
	for _, c := range []*FrameCipher{keys.cur, keys.prev} {
		if c == nil {
			continue
		}
		out, err := c.Open(nil, b)
		if err != nil || !plausibleFull(out) || !near(out[8], keys.oseq) || !near(out[9], keys.peer.oseq) {
			continue
		}
		keys.oseq = out[8]
		if k, ok := rtKey(out); ok && c == keys.cur && k != keys.cur.Key() {
			keys.prev, keys.cur = keys.cur, NewFrameCipher(k)
		}
		return out, true, nil
	}
	if plausibleFull(b) && b[2]&0x80 != 0 {
		return b, false, nil // a clear frame of the setup sent again
	}
	return b, true, fmt.Errorf("%w: no key of the call reads it as a frame", ErrDecrypt)
}

// near reports whether sequence numbers a and b are within 16 of each
// other (8-bit sequence space).
func near(a, b uint8) bool {
	d := int8(a - b)
	return d > -16 && d < 16
}

// rtKey returns the key an RTKEY frame carries.
func rtKey(frame []byte) (Key, bool) {
	var f FullFrame
	if f.Unmarshal(frame) != nil || !f.IsCommand(CmdRTKey) {
		return Key{}, false
	}
	ie, ok := f.IEs.Get(IEChallenge)
	if !ok || len(ie.Data) != len(Key{}) {
		return Key{}, false
	}
	return Key(ie.Data), true
}
