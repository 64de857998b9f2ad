package iax

import (
	"bytes"
	"testing"
)

func addCaptureSeeds(f *testing.F) {
	for _, name := range captureFiles(f) {
		for _, p := range readCapture(f, name) {
			f.Add(p.Data)
		}
	}
}

// FuzzFrame: whatever a datagram holds, parsing never panics, and a frame
// that parses marshals back to the same bytes.
func FuzzFrame(f *testing.F) {
	addCaptureSeeds(f)
	f.Add([]byte{0, 0, 0x80, 1, 0, 2, 0xde, 0xad})
	f.Add([]byte{0, 0, 1, 1, 0, 0, 0, 9, 7})
	f.Fuzz(func(t *testing.T, b []byte) {
		var (
			out []byte
			err error
		)
		switch KindOf(b) {
		case KindFull:
			var fr FullFrame
			if err = fr.Unmarshal(b); err == nil {
				_ = fr.String()
				out, err = fr.Marshal()
			} else {
				return
			}
		case KindMini:
			var m MiniFrame
			if err = m.Unmarshal(b); err != nil {
				t.Fatalf("mini frame rejected: %v", err)
			}
			out, err = m.Marshal()
		case KindMeta:
			var m MetaFrame
			if err = m.Unmarshal(b); err != nil {
				return
			}
			if !m.Video && m.Command&0x80 != 0 {
				return
			}
			out, err = m.Marshal()
		default:
			return
		}
		if err != nil {
			t.Fatalf("Marshal after Unmarshal: %v", err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("Marshal(Unmarshal(%x)) = %x", b, out)
		}
	})
}

// FuzzIEs: an IE list that parses re-marshals to the same bytes, and the
// typed readers never panic.
func FuzzIEs(f *testing.F) {
	for _, name := range captureFiles(f) {
		for _, p := range readCapture(f, name) {
			if len(p.Data) > FullFrameHeaderSize && p.Data[10] == byte(FrameIAX) {
				f.Add(p.Data[FullFrameHeaderSize:])
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		var l IEs
		if err := l.Unmarshal(b); err != nil {
			return
		}
		out, err := l.Marshal()
		if err != nil || !bytes.Equal(out, b) {
			t.Fatalf("Marshal(Unmarshal(%x)) = %x, %v", b, out, err)
		}
		for _, ie := range l {
			_ = ie.String()
			_, _ = l.Uint(ie.Type)
		}
		_, _ = l.Formats()
		_ = l.CodecPrefs()
		_, _ = l.ApparentAddr()
		_, _ = l.DateTime()
	})
}
