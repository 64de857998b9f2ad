package bus

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"slices"
	"testing"

	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// sampleMessages has one message of every op, with every field used.
func sampleMessages() []Message {
	chg := []vs.Change{
		{Path: "/Communications/Calls/1/state", Value: vs.String("Dialing")},
		{Path: "/Communications/Calls/1/number", Removed: true},
		{Path: "/n", Value: vs.Int(-300)},
		{Path: "/b", Value: vs.Bool(true)},
		{Path: "/l", Value: vs.Strings("Asterisk", "")},
	}
	return []Message{
		{Op: OpHello, Version: Version, Name: "iaxagent"},
		{Op: OpWelcome, Version: Version, Ref: 42},
		{Op: OpSet, ID: 1, Path: "/Communications/QServiceChecker/asterisk/valid", Value: vs.Bool(true)},
		{Op: OpRemove, ID: 2, Path: "/a"},
		{Op: OpApply, ID: 300, Changes: chg},
		{Op: OpGet, ID: 4, Path: "/a"},
		{Op: OpList, ID: 5, Path: "/"},
		{Op: OpSnapshot, ID: 6, Path: "/Communications"},
		{Op: OpSubscribe, ID: 7, Path: "/Communications"},
		{Op: OpUnsubscribe, ID: 8, Ref: 7},
		{Op: OpNotify, Ref: 7, Seq: 1 << 40, Initial: true, Changes: chg},
		{Op: OpListen, ID: 9, Path: "QPE/Application/iaxagent"},
		{Op: OpUnlisten, ID: 10, Path: "QPE/Application/iaxagent"},
		{Op: OpSend, ID: 11, Path: "QPE/Application/iaxagent", Name: "Telephony::start()"},
		{Op: OpDeliver, Ref: 3, Path: "QPE/Communications/QPhoneCallProvider/Request/asterisk", Name: "dial", Args: []vs.Value{vs.String("id-1"), vs.Int(1), vs.Bool(false), vs.Strings("x")}},
		{Op: OpReply, ID: 12, Name: "", Found: true, Value: vs.Int(7), Count: 2, Names: []string{"a", "b"}, Changes: chg, Owners: []uint64{0, 1, 1 << 63}},
		{Op: OpClients, ID: 14},
		{Op: OpReply, ID: 13, Name: "valuespace: bad path"},
	}
}

func equalMessages(a, b *Message) bool {
	eqChanges := func(x, y []vs.Change) bool {
		return slices.EqualFunc(x, y, func(p, q vs.Change) bool {
			return p.Path == q.Path && p.Removed == q.Removed && p.Value.Equal(q.Value)
		})
	}
	return a.Op == b.Op && a.ID == b.ID && a.Ref == b.Ref && a.Version == b.Version &&
		a.Seq == b.Seq && a.Count == b.Count && a.Path == b.Path && a.Name == b.Name &&
		a.Found == b.Found && a.Initial == b.Initial && a.Value.Equal(b.Value) &&
		slices.Equal(a.Names, b.Names) && slices.Equal(a.Owners, b.Owners) &&
		slices.EqualFunc(a.Args, b.Args, vs.Value.Equal) && eqChanges(a.Changes, b.Changes)
}

func TestMessageRoundTrip(t *testing.T) {
	for _, m := range sampleMessages() {
		b, err := m.Marshal()
		if err != nil {
			t.Fatalf("%s: Marshal: %v", m.Op, err)
		}
		if len(b) != m.MarshalSize() {
			t.Errorf("%s: len(Marshal) = %d, MarshalSize = %d", m.Op, len(b), m.MarshalSize())
		}
		var got Message
		if err := got.Unmarshal(b); err != nil {
			t.Fatalf("%s: Unmarshal(%x): %v", m.Op, b, err)
		}
		if !equalMessages(&got, &m) {
			t.Errorf("%s: Unmarshal(Marshal(m)) = %+v, want %+v", m.Op, got, m)
		}
		short := make([]byte, len(b)-1)
		if _, err := m.MarshalTo(short); !errors.Is(err, io.ErrShortBuffer) {
			t.Errorf("%s: MarshalTo(short) = %v, want io.ErrShortBuffer", m.Op, err)
		}
	}
}

// TestGolden pins the wire bytes documented in docs/bus-protocol.md.
func TestGolden(t *testing.T) {
	cases := []struct {
		m    Message
		want string
	}{
		{Message{Op: OpHello, Version: 1, Name: "phonectl"}, "0000000b" + "01" + "01" + "08" + hex.EncodeToString([]byte("phonectl"))},
		{Message{Op: OpSet, ID: 5, Path: "/a", Value: vs.Int(-2)}, "00000007" + "03" + "05" + "022f61" + "02" + "03"},
		{Message{Op: OpSet, ID: 1, Path: "/b", Value: vs.Strings("x", "yz")}, "0000000c" + "03" + "01" + "022f62" + "04" + "02" + "0178" + "02797a"},
	}
	for _, c := range cases {
		got, err := AppendFrame(nil, &c.m, MaxMessageSize)
		if err != nil {
			t.Fatal(err)
		}
		if hex.EncodeToString(got) != c.want {
			t.Errorf("frame(%s) = %x, want %s", c.m.Op, got, c.want)
		}
	}
}

func TestUnmarshalErrors(t *testing.T) {
	cases := []struct {
		name string
		in   []byte
		want error
	}{
		{"empty", nil, ErrShortMessage},
		{"unknown op", []byte{99}, ErrUnknownOp},
		{"zero op", []byte{0}, ErrUnknownOp},
		{"truncated string", []byte{byte(OpGet), 1, 5, '/', 'a'}, ErrShortMessage},
		{"trailing", []byte{byte(OpGet), 1, 2, '/', 'a', 0}, ErrTrailingBytes},
		{"bad flag", []byte{byte(OpNotify), 1, 1, 2, 0}, ErrBadMessage},
		{"long varint", []byte{byte(OpGet), 0x81, 0x00, 2, '/', 'a'}, ErrBadMessage},
		{"huge count", []byte{byte(OpReply), 1, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0x0f}, ErrShortMessage},
		{"bad kind", []byte{byte(OpSet), 1, 2, '/', 'a', 9}, ErrBadMessage},
		{"set without value", []byte{byte(OpSet), 1, 2, '/', 'a', 0}, ErrBadMessage},
		{"varint overflow", []byte{byte(OpGet), 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f}, ErrBadMessage},
	}
	for _, c := range cases {
		var m Message
		if err := m.Unmarshal(c.in); !errors.Is(err, c.want) {
			t.Errorf("%s: Unmarshal(%x) = %v, want %v", c.name, c.in, err, c.want)
		}
	}
}

func TestReadFrame(t *testing.T) {
	m := Message{Op: OpGet, ID: 1, Path: "/x"}
	f, _ := AppendFrame(nil, &m, MaxMessageSize)
	p, err := ReadFrame(bytes.NewReader(f), nil, MaxMessageSize)
	if err != nil || !bytes.Equal(p, f[4:]) {
		t.Fatalf("ReadFrame = %x, %v, want %x", p, err, f[4:])
	}
	huge := []byte{0x06, 0x40, 0x00, 0x00} // 100 MiB announced
	if _, err := ReadFrame(bytes.NewReader(huge), nil, MaxMessageSize); !errors.Is(err, ErrTooLarge) {
		t.Errorf("ReadFrame(100 MiB header) = %v, want ErrTooLarge", err)
	}
	if _, err := ReadFrame(bytes.NewReader([]byte{0, 0, 0, 0}), nil, MaxMessageSize); !errors.Is(err, ErrShortMessage) {
		t.Errorf("ReadFrame(empty frame) = %v, want ErrShortMessage", err)
	}
	if _, err := ReadFrame(bytes.NewReader(f[:len(f)-1]), nil, MaxMessageSize); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("ReadFrame(truncated) = %v, want io.ErrUnexpectedEOF", err)
	}
	big := Message{Op: OpSet, ID: 1, Path: "/x", Value: vs.String(string(make([]byte, 100)))}
	if _, err := AppendFrame(nil, &big, 50); !errors.Is(err, ErrTooLarge) {
		t.Errorf("AppendFrame(over max) = %v, want ErrTooLarge", err)
	}
}

func FuzzUnmarshal(f *testing.F) {
	for _, m := range sampleMessages() {
		b, _ := m.Marshal()
		f.Add(b)
	}
	f.Add([]byte{byte(OpApply), 1, 1, 2})
	f.Fuzz(func(t *testing.T, b []byte) {
		var m Message
		if err := m.Unmarshal(b); err != nil {
			return
		}
		// The encoding is canonical: what decodes re-encodes to the input.
		out, err := m.Marshal()
		if err != nil {
			t.Fatalf("Marshal after Unmarshal(%x): %v", b, err)
		}
		if !bytes.Equal(out, b) {
			t.Fatalf("Marshal(Unmarshal(%x)) = %x", b, out)
		}
		var again Message
		if err := again.Unmarshal(out); err != nil || !equalMessages(&again, &m) {
			t.Fatalf("second round trip of %x: %v", b, err)
		}
	})
}

func BenchmarkMarshalNotify(b *testing.B) {
	m := sampleMessages()[10] // notify
	buf := make([]byte, 0, 512)
	b.ReportAllocs()
	for b.Loop() {
		buf, _ = AppendFrame(buf[:0], &m, MaxMessageSize)
	}
}

func BenchmarkUnmarshalNotify(b *testing.B) {
	m := sampleMessages()[10] // notify
	p, _ := m.Marshal()
	b.ReportAllocs()
	for b.Loop() {
		var out Message
		if err := out.Unmarshal(p); err != nil {
			b.Fatal(err)
		}
	}
}
