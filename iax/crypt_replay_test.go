package iax

import (
	"bytes"
	"testing"
)

// openAt decrypts packet n (1-based) of the encrypted capture with k.
func openAt(t *testing.T, pkts []captured, n int, k *FrameCipher) []byte {
	t.Helper()
	b, err := k.Open(nil, pkts[n-1].Data)
	if err != nil {
		t.Fatalf("packet %d: %v", n, err)
	}
	return b
}

// recvSealed reads the endpoint's next datagram, which must be an
// encrypted full frame, and decrypts it with k.
func (a *asterisk) recvSealed(k *FrameCipher) *FullFrame {
	a.t.Helper()
	raw := a.recvRaw()
	if KindOf(raw) != KindFull || (len(raw)-4)%16 != 0 {
		a.t.Fatalf("endpoint sent % x, want an encrypted full frame", raw)
	}
	b, err := k.Open(nil, raw)
	if err != nil {
		a.t.Fatalf("endpoint's frame does not decrypt: %v", err)
	}
	var f FullFrame
	if err := f.Unmarshal(b); err != nil || !plausibleFull(b) {
		a.t.Fatalf("endpoint's frame decrypts to noise: %v", err)
	}
	return &f
}

// The Asterisk callee of the encrypted capture, replayed against our
// client: its AUTHREQ (in the clear) makes our client encrypt the
// AUTHREP with the key from the challenge and the secret exactly as the
// Asterisk caller did; its encrypted ACCEPT, ANSWER and stop-sounds
// decrypt; its RTKEY switches our decryption to its new key, under which
// its voice, full and mini, comes out as the tone; its HANGUP ends the
// call. Our acknowledgements are encrypted and carry the sequence
// numbers Asterisk's did. A client set to EncryptionOff follows the
// server that asks for encryption, as Asterisk does.
func TestReplayAsteriskEncryptedCall(t *testing.T) {
	for _, enc := range []Encryption{EncryptionRequired, EncryptionOff} {
		t.Run(enc.String(), func(t *testing.T) {
			pkts := readCapture(t, aesCapture)
			a := newAsterisk(t, Config{})
			c, err := a.ep.Dial(DialOptions{Peer: a.addr(), Called: "601", Username: "handset3", Secret: "crypt0", Encryption: enc})
			if err != nil {
				t.Fatal(err)
			}
			nw := a.recv()
			offer, _ := nw.IEs.Uint(IEEncryption)
			if want := uint64(enc.offer()); offer != want || nw.IEs.Has(IEEncryption) != (want != 0) {
				t.Fatalf("NEW offers ENCRYPTION %#x, want %#x", offer, want)
			}
			us := nw.SourceCall
			a.play(pkts[1], us) // CALLTOKEN
			if nw2 := a.recv(); !nw2.IsCommand(CmdNew) || nw2.IEs.String(IECallToken) == "" {
				t.Fatalf("after CALLTOKEN: %v, want the NEW with the token", nw2)
			}
			a.play(pkts[3], us) // AUTHREQ, clear, ENCRYPTION 0x0001
			k0 := NewFrameCipher(captureKey)
			expect := func(n int) {
				t.Helper()
				got := a.recvSealed(k0)
				var want FullFrame
				if err := want.Unmarshal(openAt(t, pkts, n, k0)); err != nil {
					t.Fatal(err)
				}
				if err := match(got, &want, false); err != nil {
					t.Fatalf("answer to packet %d: %v", n-1, err)
				}
			}
			expect(5) // AUTHREP: the same MD5 answer, encrypted
			if !c.Info().Encrypted {
				t.Error("Info().Encrypted = false after the AUTHREQ asked for encryption")
			}
			a.play(pkts[5], us) // ACCEPT
			expect(8)           // ACK
			if ev := waitEvent(t, c, EventAccepted); ev.Format != FormatULaw {
				t.Fatalf("event = %v, want accepted ulaw", ev)
			}
			a.play(pkts[6], us) // ANSWER
			expect(11)          // ACK, i=3
			waitState(t, c, StateConnected)
			a.play(pkts[8], us) // STOP_SOUNDS
			expect(15)          // ACK, i=4
			a.play(pkts[15], us)
			expect(18)           // the RTKEY's ACK, i=5: still under our own key
			a.play(pkts[16], us) // the first voice frame, under the callee's new key
			expect(19)
			// The callee's voice from then on, decrypted as the capture
			// decrypts it.
			d := NewCaptureDecrypter("crypt0")
			var want [][]byte
			for _, p := range pkts {
				frame, _, err := d.Frame(p.Src, p.Dst, p.Data)
				if err != nil {
					t.Fatal(err)
				}
				src := uint16(p.Data[0]&0x7f)<<8 | uint16(p.Data[1])
				if src != fullAt(t, pkts, 4).SourceCall || p.N < 17 || len(want) == 20 {
					continue
				}
				switch KindOf(frame) {
				case KindFull:
					var f FullFrame
					f.Unmarshal(frame)
					if f.Type == FrameVoice {
						want = append(want, f.Payload)
					}
				case KindMini:
					var m MiniFrame
					m.Unmarshal(frame)
					want = append(want, m.Payload)
					a.play(p, 0)
				}
			}
			for i, w := range want {
				v := <-c.Voice()
				if !bytes.Equal(v.Payload, w) {
					t.Fatalf("voice %d: % x..., want % x...", i, v.Payload[:8], w[:8])
				}
			}
			// Our voice (the echo), a full frame under our key, and the
			// callee's ACK of it.
			if err := c.SendVoice(want[0]); err != nil {
				t.Fatal(err)
			}
			if v := a.recvSealed(k0); v.Type != FrameVoice || v.OSeq != 2 || !bytes.Equal(v.Payload, want[0]) {
				t.Fatalf("our voice: %v, want a full ulaw frame o=2 with the payload", v)
			}
			a.play(pkts[20], us)
			a.play(pkts[271], us) // HANGUP
			expect(273)
			<-c.Done()
			if c.State() != StateHangupRemote {
				t.Errorf("State() = %v (%v), want hung up by the peer", c.State(), c.Err())
			}
		})
	}
}
