package iax

import (
	"bytes"
	"crypto/md5"
	"encoding/hex"
	"errors"
	"io"
	"net/netip"
	"path/filepath"
	"testing"
	"time"
)

// Every frame of every capture parses and marshals back to the same bytes.
func TestGoldenRoundTrip(t *testing.T) {
	kinds := map[Kind]int{}
	for _, name := range captureFiles(t) {
		for _, p := range readCapture(t, name) {
			var (
				out []byte
				err error
			)
			k := KindOf(p.Data)
			kinds[k]++
			switch k {
			case KindFull:
				var f FullFrame
				if err = f.Unmarshal(p.Data); err == nil {
					if f.MarshalSize() != len(p.Data) {
						t.Errorf("%s #%d: MarshalSize() = %d, want %d", filepath.Base(name), p.N, f.MarshalSize(), len(p.Data))
					}
					out, err = f.Marshal()
				}
			case KindMini:
				var m MiniFrame
				if err = m.Unmarshal(p.Data); err == nil {
					out, err = m.Marshal()
				}
			default:
				t.Fatalf("%s #%d: kind %d, want full or mini", filepath.Base(name), p.N, k)
			}
			if err != nil {
				t.Fatalf("%s #%d: %v", filepath.Base(name), p.N, err)
			}
			if !bytes.Equal(out, p.Data) {
				t.Errorf("%s #%d: Marshal(Unmarshal(b)) =\n% x\nwant\n% x", filepath.Base(name), p.N, out, p.Data)
			}
		}
	}
	// 250 datagrams in the seven captures; the mini frames are the
	// milliwatt tone.
	if kinds[KindFull] != 126 || kinds[KindMini] != 124 {
		t.Errorf("frames: %d full, %d mini; want 126 full, 124 mini", kinds[KindFull], kinds[KindMini])
	}
}

func TestDecodeRegistrationCapture(t *testing.T) {
	pkts := readCapture(t, "register-calltoken-md5-release.pcapng")

	req := fullAt(t, pkts, 1)
	if req.SourceCall != 2668 || req.DestCall != 0 || !req.IsCommand(CmdRegReq) || req.Timestamp != 1 {
		t.Errorf("packet 1 = %v, want REGREQ src=2668 dst=0 ts=1", req)
	}
	if got := req.IEs.String(IEUsername); got != "handset1" {
		t.Errorf("username = %q, want handset1", got)
	}
	if v, err := req.IEs.Uint(IERefresh); v != 60 || err != nil {
		t.Errorf("refresh = %d, %v; want 60", v, err)
	}
	if ie, ok := req.IEs.Get(IECallToken); !ok || len(ie.Data) != 0 {
		t.Errorf("calltoken IE = %v %v, want present and empty", ie, ok)
	}

	tok := fullAt(t, pkts, 2)
	const token = "1795742616?7c8c3ca4da159b38428ed520d8576132e7322f56"
	if !tok.IsCommand(CmdCallToken) || tok.SourceCall != 1 || tok.IEs.String(IECallToken) != token {
		t.Errorf("packet 2 = %v, want CALLTOKEN from call 1 with %q", tok, token)
	}
	if got := fullAt(t, pkts, 3).IEs.String(IECallToken); got != token {
		t.Errorf("echoed token = %q, want %q", got, token)
	}

	auth := fullAt(t, pkts, 4)
	if m, _ := auth.IEs.Uint(IEAuthMethods); m != uint64(AuthMD5) {
		t.Errorf("authmethods = %d, want %d", m, AuthMD5)
	}
	chal := auth.IEs.String(IEChallenge)
	if chal != "198346106" {
		t.Errorf("challenge = %q, want 198346106", chal)
	}
	sum := md5.Sum([]byte(chal + "s3cret"))
	if got, want := fullAt(t, pkts, 5).IEs.String(IEMD5Result), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("md5 result = %q, want md5(challenge+secret) %q", got, want)
	}
	if got := md5Answer(chal, "s3cret"); got != "104221039886b493460e82eab66839a5" {
		t.Errorf("md5Answer = %q, want the captured answer", got)
	}

	poke := fullAt(t, pkts, 6)
	if !poke.IsCommand(CmdPoke) || poke.DestCall != 0 {
		t.Errorf("packet 6 = %v, want POKE to call 0", poke)
	}

	ack := fullAt(t, pkts, 7)
	if !ack.IsCommand(CmdRegAck) {
		t.Fatalf("packet 7 = %v, want REGACK", ack)
	}
	addr, err := ack.IEs.ApparentAddr()
	if want := netip.MustParseAddrPort("127.0.0.1:54521"); err != nil || addr != want {
		t.Errorf("apparent addr = %v, %v; want %v", addr, err, want)
	}
	dt, err := ack.IEs.DateTime()
	if want := time.Date(2026, 11, 27, 1, 23, 36, 0, time.UTC); err != nil || !dt.Equal(want) {
		t.Errorf("datetime = %v, %v; want %v", dt, err, want)
	}
	if got := ack.IEs.String(IECallingName); got != "Handset One" {
		t.Errorf("calling name = %q, want Handset One", got)
	}
	// Re-encoding the decoded values gives the captured bytes.
	var re IEs
	re.AddApparentAddr(addr)
	re.AddDateTime(dt)
	a, _ := ack.IEs.Get(IEApparentAddr)
	d, _ := ack.IEs.Get(IEDateTime)
	if !bytes.Equal(re[0].Data, a.Data) || !bytes.Equal(re[1].Data, d.Data) {
		t.Errorf("re-encoded addr/datetime = % x / % x, want % x / % x", re[0].Data, re[1].Data, a.Data, d.Data)
	}
}

func TestDecodeIncomingNew(t *testing.T) {
	pkts := readCapture(t, "incoming-new-from-asterisk.pcapng")
	f := fullAt(t, pkts, 8)
	if !f.IsCommand(CmdNew) || f.SourceCall != 1515 {
		t.Fatalf("packet 8 = %v, want NEW from 1515", f)
	}
	if f.IEs[0].Type != IEVersion {
		t.Errorf("first IE = %v, want VERSION", f.IEs[0].Type)
	}
	checks := map[IEType]string{IECalledNumber: "s", IECallingNumber: "201", IECallingName: "Handset One", IELanguage: "en", IECodecPrefs: "DE"}
	for typ, want := range checks {
		if got := f.IEs.String(typ); got != want {
			t.Errorf("%v = %q, want %q", typ, got, want)
		}
	}
	if f.IEs.Has(IEUsername) {
		t.Errorf("NEW to the handset has a username")
	}
	format, capa := f.IEs.Formats()
	if format != FormatULaw || capa != FormatULaw|FormatALaw {
		t.Errorf("Formats() = %v, %v; want ulaw, ulaw|alaw", format, capa)
	}
	if got := f.IEs.CodecPrefs(); len(got) != 2 || got[0] != FormatULaw || got[1] != FormatALaw {
		t.Errorf("CodecPrefs() = %v, want [ulaw alaw]", got)
	}
	if v, err := f.IEs.Uint(IECallingANI2); v != 0 || err != nil {
		t.Errorf("CALLINGANI2 = %d, %v; want 0", v, err)
	}
	if codecPrefs([]Format{FormatULaw, FormatALaw}) != "DE" {
		t.Errorf("codecPrefs(ulaw, alaw) = %q, want DE", codecPrefs([]Format{FormatULaw, FormatALaw}))
	}
}

func TestDecodeDTMFAndControl(t *testing.T) {
	pkts := readCapture(t, "call-dtmf-100.pcapng")
	if f := fullAt(t, pkts, 8); f.Type != FrameControl || f.Control() != CtlAnswer {
		t.Errorf("packet 8 = %v, want CONTROL ANSWER", f)
	}
	if f := fullAt(t, pkts, 10); f.Control() != CtlStopSounds {
		t.Errorf("packet 10 = %v, want STOP_SOUNDS", f)
	}
	var digits []byte
	for _, p := range pkts {
		var f FullFrame
		if f.Unmarshal(p.Data) == nil && f.Type == FrameDTMFEnd {
			digits = append(digits, f.Subclass)
		}
	}
	if string(digits) != "123" {
		t.Errorf("DTMF end digits = %q, want 123", digits)
	}
	h := fullAt(t, pkts, 24)
	if !h.IsCommand(CmdHangup) {
		t.Errorf("packet 24 = %v, want HANGUP", h)
	}
}

func TestFormatSubclass(t *testing.T) {
	for _, tc := range []struct {
		f  Format
		sc uint8
	}{{FormatULaw, 0x04}, {FormatALaw, 0x08}, {FormatG729, 0x88}, {FormatOpus, 0xa2}} {
		sc, err := FormatSubclass(tc.f)
		if err != nil || sc != tc.sc {
			t.Errorf("FormatSubclass(%v) = %#x, %v; want %#x", tc.f, sc, err, tc.sc)
		}
		if got := SubclassFormat(tc.sc); got != tc.f {
			t.Errorf("SubclassFormat(%#x) = %v, want %v", tc.sc, got, tc.f)
		}
	}
	if _, err := FormatSubclass(FormatULaw | FormatG729); !errors.Is(err, ErrBadSubclass) {
		t.Errorf("FormatSubclass(two bits) error = %v, want ErrBadSubclass", err)
	}
}

func TestMalformed(t *testing.T) {
	var f FullFrame
	if err := f.Unmarshal([]byte{0x80, 1, 0, 0}); !errors.Is(err, ErrShortFrame) {
		t.Errorf("short full frame: %v, want ErrShortFrame", err)
	}
	b := []byte{0x80, 1, 0, 0, 0, 0, 0, 1, 0, 0, 6, 1, 6, 5, 'a'}
	if err := f.Unmarshal(b); !errors.Is(err, ErrBadIE) {
		t.Errorf("truncated IE: %v, want ErrBadIE", err)
	}
	var m MiniFrame
	if err := m.Unmarshal([]byte{0, 0, 1, 2}); !errors.Is(err, ErrNotMiniFrame) {
		t.Errorf("meta as mini: %v, want ErrNotMiniFrame", err)
	}
	big := IEs{{Type: IECause, Data: make([]byte, 256)}}
	if _, err := big.Marshal(); !errors.Is(err, ErrIETooLong) {
		t.Errorf("256-byte IE: %v, want ErrIETooLong", err)
	}
	ok := FullFrame{SourceCall: 5, Type: FrameIAX, Subclass: uint8(CmdPing)}
	if _, err := ok.MarshalTo(make([]byte, 11)); !errors.Is(err, io.ErrShortBuffer) {
		t.Errorf("MarshalTo(11 bytes) = %v, want io.ErrShortBuffer", err)
	}
}

func TestMetaFrameRoundTrip(t *testing.T) {
	for _, m := range []MetaFrame{
		{Video: true, SourceCall: 77, Timestamp: 0x8123, Payload: []byte{1, 2}},
		{Command: 1, CommandData: 1, Timestamp: 123456, Payload: []byte{9}},
	} {
		b, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if KindOf(b) != KindMeta {
			t.Errorf("KindOf(%x) = %d, want KindMeta", b, KindOf(b))
		}
		var got MetaFrame
		if err := got.Unmarshal(b); err != nil || got.Video != m.Video || got.SourceCall != m.SourceCall || got.Timestamp != m.Timestamp || got.Command != m.Command || !bytes.Equal(got.Payload, m.Payload) {
			t.Errorf("Unmarshal(Marshal(%+v)) = %+v, %v", m, got, err)
		}
	}
}

// libiax2's PONG carries a receiver report.
func TestDecodeReceiverReport(t *testing.T) {
	pong := fullAt(t, readCapture(t, "libiax2-register-no-calltoken.pcapng"), 7)
	rr, ok := parseReceiverReport(pong.IEs)
	want := ReceiverReport{Packets: 1, Delay: 40 * time.Millisecond}
	if !pong.IsCommand(CmdPong) || !ok || rr != want {
		t.Errorf("receiver report of %v = %+v, %v; want %+v", pong, rr, ok, want)
	}
}
