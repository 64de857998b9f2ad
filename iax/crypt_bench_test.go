package iax

import "testing"

// The cost of encryption per frame: a 20 ms μ-law frame (the capture's
// first mini frame, and a full voice frame of the same payload) made and
// read in the clear, against made, encrypted, decrypted and read. The
// per-frame padding comes from the endpoint's source (ChaCha8), as in
// a call.

func benchVoice(b *testing.B) (mini MiniFrame, full FullFrame) {
	mini.SourceCall, mini.Timestamp, mini.Payload = 4730, 560, make([]byte, 160)
	full = FullFrame{SourceCall: 4730, DestCall: 11054, Timestamp: 540, OSeq: 5, ISeq: 2, Type: FrameVoice, Subclass: 4, Payload: make([]byte, 160)}
	return mini, full
}

func BenchmarkMiniFrameClear(b *testing.B) {
	m, _ := benchVoice(b)
	buf := make([]byte, 1500)
	var got MiniFrame
	b.ReportAllocs()
	b.SetBytes(int64(m.MarshalSize()))
	for b.Loop() {
		n, _ := m.MarshalTo(buf)
		if err := got.Unmarshal(buf[:n]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMiniFrameEncrypted(b *testing.B) {
	m, _ := benchVoice(b)
	e := &Endpoint{cfg: Config{Rand: zeroReader{}}}
	c := NewFrameCipher(captureKey)
	buf, sealed, opened := make([]byte, 1500), make([]byte, 0, 1500), make([]byte, 1500)
	var got MiniFrame
	b.ReportAllocs()
	b.SetBytes(int64(m.MarshalSize()))
	for b.Loop() {
		n, _ := m.MarshalTo(buf)
		s, err := c.Seal(sealed[:0], buf[:n], e.padding())
		if err != nil {
			b.Fatal(err)
		}
		frame, err := c.Open(opened, s)
		if err != nil {
			b.Fatal(err)
		}
		if err := got.Unmarshal(frame); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullVoiceClear(b *testing.B) {
	_, f := benchVoice(b)
	buf := make([]byte, 1500)
	var got FullFrame
	b.ReportAllocs()
	b.SetBytes(int64(f.MarshalSize()))
	for b.Loop() {
		n, _ := f.MarshalTo(buf)
		if err := got.Unmarshal(buf[:n]); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullVoiceEncrypted(b *testing.B) {
	_, f := benchVoice(b)
	e := &Endpoint{cfg: Config{Rand: zeroReader{}}}
	c := NewFrameCipher(captureKey)
	buf, sealed, opened := make([]byte, 1500), make([]byte, 0, 1500), make([]byte, 1500)
	var got FullFrame
	b.ReportAllocs()
	b.SetBytes(int64(f.MarshalSize()))
	for b.Loop() {
		n, _ := f.MarshalTo(buf)
		s, err := c.Seal(sealed[:0], buf[:n], e.padding())
		if err != nil {
			b.Fatal(err)
		}
		frame, err := c.Open(opened, s)
		if err != nil || !plausibleFull(frame) {
			b.Fatal(err)
		}
		if err := got.Unmarshal(frame); err != nil {
			b.Fatal(err)
		}
	}
}

type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) { clear(p); return len(p), nil }
