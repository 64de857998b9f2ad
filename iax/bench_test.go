package iax

import "testing"

func benchFrames(b *testing.B) (mini, full []byte) {
	pkts := readCapture(b, "call-milliwatt-601.pcapng")
	mini = pkts[13].Data // first mini voice frame
	full = readCapture(b, "incoming-new-from-asterisk.pcapng")[7].Data
	return mini, full
}

func BenchmarkMiniFrameUnmarshal(b *testing.B) {
	mini, _ := benchFrames(b)
	var m MiniFrame
	b.ReportAllocs()
	b.SetBytes(int64(len(mini)))
	for b.Loop() {
		if err := m.Unmarshal(mini); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkMiniFrameMarshalTo(b *testing.B) {
	mini, _ := benchFrames(b)
	var m MiniFrame
	if err := m.Unmarshal(mini); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(mini)))
	for b.Loop() {
		if _, err := m.MarshalTo(buf); err != nil {
			b.Fatal(err)
		}
	}
}

// The NEW Asterisk sends to a handset: 17 IEs.
func BenchmarkFullFrameUnmarshal(b *testing.B) {
	_, full := benchFrames(b)
	var f FullFrame
	b.ReportAllocs()
	b.SetBytes(int64(len(full)))
	for b.Loop() {
		if err := f.Unmarshal(full); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullFrameMarshalTo(b *testing.B) {
	_, full := benchFrames(b)
	var f FullFrame
	if err := f.Unmarshal(full); err != nil {
		b.Fatal(err)
	}
	buf := make([]byte, 1500)
	b.ReportAllocs()
	b.SetBytes(int64(len(full)))
	for b.Loop() {
		if _, err := f.MarshalTo(buf); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkFullFrameUnmarshalFresh(b *testing.B) {
	_, full := benchFrames(b)
	b.ReportAllocs()
	for b.Loop() {
		var f FullFrame
		if err := f.Unmarshal(full); err != nil {
			b.Fatal(err)
		}
	}
}
