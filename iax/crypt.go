package iax

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/md5"
	"crypto/subtle"
	"fmt"
	"strings"
)

// Bits of the ENCRYPTION information element (0x2b) of NEW and AUTHREQ.
const (
	// EncryptAES128 offers (in NEW) or asks for (in AUTHREQ) AES-128.
	EncryptAES128 uint16 = 0x0001
	// EncryptKeyRotate says the side rotates its key with RTKEY and
	// takes the peer's RTKEY. Each side rotates only when both offered
	// it.
	EncryptKeyRotate uint16 = 0x8000
)

// Encryption is what a call or an account wants from AES-128.
type Encryption uint8

// Encryption choices. The zero value is EncryptionOff.
const (
	// EncryptionOff offers nothing. A peer that asks for encryption in
	// its AUTHREQ still gets it, as Asterisk does it: refusing would
	// only end the call.
	EncryptionOff Encryption = iota
	// EncryptionAES128 offers AES-128 with key rotation and encrypts
	// when the peer agrees; a peer that does not gets a clear call.
	EncryptionAES128
	// EncryptionRequired offers it and refuses a call the peer will not
	// encrypt (ErrEncryptionRequired).
	EncryptionRequired
)

func (e Encryption) String() string {
	switch e {
	case EncryptionOff:
		return "no"
	case EncryptionAES128:
		return "aes128"
	case EncryptionRequired:
		return "required"
	}
	return fmt.Sprintf("Encryption(%d)", uint8(e))
}

// ParseEncryption reads "aes128", "required" or "no" (also "" and "off"),
// the words of iaxcli's -encryption, iaxpbx's configuration and
// Asterisk.conf, in any case.
func ParseEncryption(s string) (Encryption, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "no", "off":
		return EncryptionOff, nil
	case "aes128":
		return EncryptionAES128, nil
	case "required":
		return EncryptionRequired, nil
	}
	return EncryptionOff, fmt.Errorf("%w: %q (want aes128, required or no)", ErrBadEncryption, s)
}

// offer is the ENCRYPTION element a NEW carries (0: none).
func (e Encryption) offer() uint16 {
	if e == EncryptionAES128 || e == EncryptionRequired {
		return EncryptAES128 | EncryptKeyRotate
	}
	return 0
}

// Key is the AES-128 key of an encrypted call. Both sides start from the
// MD5 digest of the challenge followed by the secret (the MD5 answer of
// the AUTHREP, in binary); each side then replaces the key it sends
// with by one carried in an RTKEY frame.
type Key [16]byte

// DeriveKey returns the first key of a call from the AUTHREQ's challenge
// and the account's secret.
func DeriveKey(challenge, secret string) Key { return md5.Sum([]byte(challenge + secret)) }

// FrameCipher encrypts and decrypts the frames of one side of a call
// with one key, as chan_iax2 frames them:
//
// Encrypted full frame (the first four octets stay in the clear, so the
// peer finds the call before it decrypts):
//
//	 0                   1                   2                   3
//	 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|F|     Source Call Number      |R|   Destination Call Number   |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//	|  AES-128-CBC, IV zero, over 16-octet blocks of:               |
//	|    padding, 16 to 31 random octets; the low four bits of its  |
//	|    16th octet hold its length minus 16                        |
//	|    time-stamp, OSeqno, ISeqno, frame type, subclass, data     |
//	+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//
// Encrypted mini frame: the source call number (two octets) in the
// clear, then the same CBC over padding, time-stamp and data.
//
// The padding brings the encrypted part to a multiple of 16 octets and,
// being random and first, makes equal frames encrypt differently
// although the IV is fixed. There is no integrity check: a frame
// decrypted with the wrong key is noise, which is why the endpoint
// checks that what it decrypted reads as a frame (see plausibleFull).
type FrameCipher struct {
	key Key
	b   cipher.Block
}

// NewFrameCipher returns the cipher for key k.
func NewFrameCipher(k Key) *FrameCipher {
	b, err := aes.NewCipher(k[:])
	if err != nil {
		panic(err) // 16 octets is always a valid AES key
	}
	return &FrameCipher{key: k, b: b}
}

// Key returns the cipher's key.
func (c *FrameCipher) Key() Key { return c.key }

// MaxPadding is the most padding an encrypted frame carries.
const MaxPadding = 31

// clearHeader is how many octets of a frame stay in the clear.
func clearHeader(b []byte) (int, error) {
	switch KindOf(b) {
	case KindFull:
		return 4, nil
	case KindMini:
		return 2, nil
	case KindMeta:
		return 0, fmt.Errorf("%w: meta frames are not encrypted", ErrDecrypt)
	}
	return 0, fmt.Errorf("%w: %d octets", ErrShortFrame, len(b))
}

// PaddingLen returns how much padding Seal puts in front of the
// encrypted part of a frame of n octets whose first h stay clear:
// 16 to 31, so that the total is a multiple of 16.
func PaddingLen(n, h int) int { return 16 + (16-(n-h)%16)&0xf }

// SealedSize returns the length of frame once encrypted (0 when it
// cannot be).
func SealedSize(frame []byte) int {
	h, err := clearHeader(frame)
	if err != nil {
		return 0
	}
	return len(frame) + PaddingLen(len(frame), h)
}

// Seal appends to dst the encryption of frame, a marshalled full or mini
// frame, and returns the result. pad gives the padding's octets (random
// for every frame; at least PaddingLen of them, MaxPadding always does);
// the low four bits of its 16th octet are replaced by the padding's
// length. dst and frame must not overlap.
func (c *FrameCipher) Seal(dst, frame, pad []byte) ([]byte, error) {
	h, err := clearHeader(frame)
	if err != nil {
		return dst, err
	}
	body := frame[h:]
	pl := PaddingLen(len(frame), h)
	if len(pad) < pl {
		return dst, fmt.Errorf("%w: %d octets of padding given, %d needed", ErrDecrypt, len(pad), pl)
	}
	n := len(dst)
	dst = append(dst, frame[:h]...)
	dst = append(dst, pad[:pl]...)
	dst = append(dst, body...)
	ws := dst[n+h:]
	ws[15] = ws[15]&0xf0 | byte(pl&0xf)
	c.encryptBlocks(ws)
	return dst, nil
}

// encryptBlocks encrypts b (a multiple of 16 octets) in place, CBC with
// a zero IV.
func (c *FrameCipher) encryptBlocks(b []byte) {
	for i := 0; i < len(b); i += 16 {
		blk := b[i : i+16]
		if i > 0 {
			subtle.XORBytes(blk, blk, b[i-16:i])
		}
		c.b.Encrypt(blk, blk)
	}
}

// decryptBlocks decrypts src (a multiple of 16 octets) into dst, which
// may be src itself: it works from the last block back, so each block's
// predecessor is still ciphertext when it is needed.
func (c *FrameCipher) decryptBlocks(dst, src []byte) {
	for i := len(src) - 16; i >= 0; i -= 16 {
		c.b.Decrypt(dst[i:i+16], src[i:i+16])
		if i > 0 {
			subtle.XORBytes(dst[i:i+16], dst[i:i+16], src[i-16:i])
		}
	}
}

// Open decrypts wire, an encrypted full or mini frame, into dst (which
// may be wire itself, or dst[:len(wire)] is used) and returns the frame
// as it was before Seal: the clear header followed by the decrypted
// rest, without the padding. It fails when the encrypted part is not a
// whole number of blocks or the padding it names leaves no header; it
// cannot tell a wrong key, which yields noise.
func (c *FrameCipher) Open(dst, wire []byte) ([]byte, error) {
	h, err := clearHeader(wire)
	if err != nil {
		return nil, err
	}
	body := wire[h:]
	if len(body) < 16 || len(body)%16 != 0 {
		return nil, fmt.Errorf("%w: %d encrypted octets, want a multiple of 16", ErrDecrypt, len(body))
	}
	if cap(dst) < len(wire) {
		dst = make([]byte, len(wire))
	}
	dst = dst[:len(wire)]
	ws := dst[h:]
	c.decryptBlocks(ws, body)
	pl := 16 + int(ws[15]&0x0f)
	rest := 8 // the rest of a full frame's header
	if h == 2 {
		rest = 2 // a mini frame's time-stamp
	}
	if len(ws)-pl < rest {
		return nil, fmt.Errorf("%w: %d octets of padding leave %d, too few for a frame", ErrDecrypt, pl, len(ws)-pl)
	}
	// The frame is the clear header moved up against the content: the
	// padding's last octets make room for it.
	out := dst[pl:len(wire)]
	copy(out[:h], wire[:h])
	return out, nil
}

// plausibleFull reports whether b, just decrypted, reads as a full
// frame: a known frame type, and for IAX frames a known command and
// well-formed information elements. Noise from a wrong key passes
// about one time in twenty; the session's sequence window catches most
// of the rest.
func plausibleFull(b []byte) bool {
	var f FullFrame
	if f.Unmarshal(b) != nil {
		return false
	}
	if _, ok := frameTypeNames[f.Type]; !ok {
		return false
	}
	if f.Type == FrameIAX {
		c := f.Command()
		return int(c) < len(commandNames) && commandNames[c] != ""
	}
	return true
}
