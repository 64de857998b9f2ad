package iax

import (
	"errors"
	"fmt"
	"time"
)

// causeNoEncryption (Q.931 58, bearer capability not available) is the
// cause of a call refused because it would not be encrypted.
const causeNoEncryption uint8 = 58

// Key rotation: chan_iax2 rotates 2 to 5 minutes apart, at random.
const (
	keyRotationMin    = 2 * time.Minute
	keyRotationSpread = 3 * time.Minute
)

// addEncryptionOffer adds a NEW's ENCRYPTION element for e.
func addEncryptionOffer(ies *IEs, e Encryption) {
	if o := e.offer(); o != 0 {
		ies.AddUint16(IEEncryption, o)
	}
}

// startEncryption switches the session to AES-128.
func (c *Call) startEncryption(s *session, cc *callCrypt) {
	s.crypt = cc
	c.mu.Lock()
	c.info.Encrypted = true
	c.mu.Unlock()
	c.e.log.Info("call encrypted", "peer", s.peer, "call", s.local, "cipher", "aes128", "key_rotation", cc.rotate)
}

// clientEncryption answers the encryption part of an AUTHREQ on an
// outgoing call, before the AUTHREP goes out (encrypted, as Asterisk
// expects). The server asks for AES-128 with the ENCRYPTION element; the
// key is made from its challenge and our secret. Each side rotates its
// key only when both offered rotation.
func (c *Call) clientEncryption(s *session, authreq *FullFrame) error {
	asked, _ := authreq.IEs.Uint(IEEncryption)
	if uint16(asked)&EncryptAES128 == 0 {
		if c.opts.Encryption == EncryptionRequired {
			return ErrEncryptionRequired
		}
		return nil
	}
	methods, _ := authreq.IEs.Uint(IEAuthMethods)
	if uint16(methods)&AuthMD5 == 0 || !authreq.IEs.Has(IEChallenge) {
		return fmt.Errorf("%w: the server asks for AES-128 encryption without an MD5 challenge, which its key is made from", ErrNoAuthMethod)
	}
	if c.opts.Secret == "" {
		return fmt.Errorf("%w: the server asks for AES-128 encryption, whose key is made from the account's secret, and no secret was given", ErrNoAuthMethod)
	}
	k := NewFrameCipher(DeriveKey(authreq.IEs.String(IEChallenge), c.opts.Secret))
	rotate := c.opts.Encryption.offer()&EncryptKeyRotate != 0 && uint16(asked)&EncryptKeyRotate != 0
	c.startEncryption(s, &callCrypt{tx: k, rx: k, rotate: rotate})
	return nil
}

// refuseClear ends an outgoing call that goes ahead in the clear (an
// ACCEPT with no AUTHREQ, or after one that asked for no encryption)
// although its options require encryption. It reports whether it did.
func (c *Call) refuseClear(s *session) bool {
	if c.info.Incoming || c.opts.Encryption != EncryptionRequired || s.crypt != nil {
		return false
	}
	c.closeWith(s, causeFrame(CmdHangup, "Encryption required", causeNoEncryption))
	c.end(StateFailed, ErrEncryptionRequired)
	return true
}

// serverEncryption decides an incoming call's encryption from the
// account and the NEW: the ENCRYPTION bits of the AUTHREQ to send (0 for
// a clear call). With the account's encryption on and AES-128 offered,
// the call is encrypted, with key rotation when the caller offered it
// (then both sides rotate). It returns ErrCallerUnencrypted when the
// account requires encryption and the call cannot have it: the caller
// offers none, or the account has no secret to make the key from.
func serverEncryption(u *User, nw *FullFrame) (uint16, error) {
	if u == nil || u.Encryption == EncryptionOff {
		return 0, nil
	}
	offered, _ := nw.IEs.Uint(IEEncryption)
	if uint16(offered)&EncryptAES128 == 0 || u.Secret == "" {
		if u.Encryption == EncryptionRequired {
			return 0, fmt.Errorf("%w (user %s)", ErrCallerUnencrypted, u.Name)
		}
		return 0, nil
	}
	return EncryptAES128 | uint16(offered)&EncryptKeyRotate, nil
}

// sendAuthReq sends the AUTHREQ g of an incoming call, asking for the
// encryption enc (serverEncryption), and from then on encrypts.
func (c *Call) sendAuthReq(s *session, g *FullFrame, enc uint16) {
	if enc == 0 {
		s.send(g, false)
		return
	}
	g.IEs.AddUint16(IEEncryption, enc)
	s.send(g, false)
	k := NewFrameCipher(DeriveKey(c.challenge, c.user.Secret))
	c.startEncryption(s, &callCrypt{tx: k, rx: k, rotate: enc&EncryptKeyRotate != 0})
}

// refuseUnencrypted rejects an incoming call that offered no encryption
// to an account that requires it, with words the caller's user reads.
func (c *Call) refuseUnencrypted(s *session, err error) {
	c.e.log.Info("call refused: not encrypted", "user", c.info.Username, "from", s.peer)
	c.refuse(s, "This account requires AES-128 encryption, and the call offered none", causeNoEncryption, err)
}

// refuseUndecryptable ends an incoming encrypted call whose caller sends
// what our key does not read before anything of it did: its secret is
// not the account's. The REJECT goes in the clear, the only way the
// caller can read it.
func (c *Call) refuseUndecryptable(s *session) {
	if c.ended {
		return
	}
	c.e.log.Info("call authentication failed: the caller's frames do not decrypt", "user", c.info.Username, "from", s.peer)
	s.crypt.clear = true
	c.refuse(s, "Authentication failed", CauseFacilityRejected, ErrAuth)
}

// receiveRTKey takes the peer's new key: what it sends from now on.
func (c *Call) receiveRTKey(s *session, f *FullFrame) {
	ie, ok := f.IEs.Get(IEChallenge)
	switch {
	case s.crypt == nil:
		c.e.log.Info("RTKEY on a call that is not encrypted: ignored", "peer", s.peer, "call", s.local)
	case !ok || len(ie.Data) != len(Key{}):
		c.e.log.Info("RTKEY without a 16-octet key: ignored", "peer", s.peer, "call", s.local)
	default:
		s.crypt.rxPrev, s.crypt.rx = s.crypt.rx, NewFrameCipher(Key(ie.Data))
		c.e.log.Debug("peer rotated its key", "peer", s.peer, "call", s.local)
	}
}

// rotateBeforeVoice starts key rotation with the first voice frame of an
// encrypted call, as chan_iax2's iax2_key_rotate does.
func (c *Call) rotateBeforeVoice(s *session) {
	if s.crypt == nil || !s.crypt.rotate || s.crypt.rotation != nil || s.crypt.clear {
		return
	}
	c.rotateKey(s)
}

// rotateKey sends RTKEY with a fresh random key, under the key in use
// (the peer decrypts it, then switches), switches to the new key for
// everything sent after it, and schedules the next rotation.
func (c *Call) rotateKey(s *session) {
	var k Key
	copy(k[:], c.e.randBytes(len(k)))
	f := &FullFrame{Type: FrameIAX, Subclass: uint8(CmdRTKey)}
	f.IEs.Add(IEChallenge, k[:])
	s.send(f, false)
	s.crypt.tx = NewFrameCipher(k)
	d := keyRotationMin + time.Duration(c.e.randUint32()%uint32(keyRotationSpread/time.Millisecond+1))*time.Millisecond
	s.crypt.rotation = c.e.afterFunc(d, func() {
		if !c.ended && !s.closed && s.crypt != nil && !s.crypt.clear {
			c.rotateKey(s)
		}
	})
	c.e.log.Debug("key rotated", "peer", s.peer, "call", s.local, "next", d)
}

// explainFailure adds to the error of an encrypted call that failed for
// want of answers, when nothing from the peer ever decrypted, what that
// usually means.
func explainFailure(s *session, err error) error {
	if s == nil || s.crypt == nil || s.crypt.heard || !errors.Is(err, ErrTimeout) {
		return err
	}
	return fmt.Errorf("%w; the call is encrypted and nothing the peer sent could be decrypted: a wrong secret looks like this", err)
}
