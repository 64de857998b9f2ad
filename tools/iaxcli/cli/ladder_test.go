package cli

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/iax"
)

const aesCapture = "../../../iax/testdata/aes/call-aes128-601.pcapng"

// iaxcli ladder draws the kept ladder of a capture (the library's golden
// text, after a title line), decrypting with -secret or IAX_SECRET, and
// writes the same rows as SVG with -svg.
func TestLadderMode(t *testing.T) {
	want, err := os.ReadFile("../../../iax/ladder/testdata/call-aes128-601.txt")
	if err != nil {
		t.Fatal(err)
	}
	svg := filepath.Join(t.TempDir(), "call.svg")
	for _, tc := range []struct {
		args   []string
		secret string
	}{
		{[]string{"ladder", "-secret", "crypt0", "-svg", svg, aesCapture}, ""},
		{[]string{"ladder", aesCapture}, "crypt0"},
	} {
		var out bytes.Buffer
		err := Run(t.Context(), tc.args, &Env{Stdout: &out, Getenv: func(k string) string {
			if k == "IAX_SECRET" {
				return tc.secret
			}
			return ""
		}})
		if err != nil {
			t.Fatalf("Run(%q) = %v", tc.args, err)
		}
		title, body, _ := strings.Cut(out.String(), "\n")
		if !strings.HasPrefix(title, "ladder of "+aesCapture+", from 2026-12-01 23:47:30.989 UTC") {
			t.Errorf("title line %q", title)
		}
		if body != string(want) {
			t.Errorf("Run(%q) drew:\n%s\nwant the kept ladder:\n%s", tc.args, body, want)
		}
	}
	f, err := os.Open(svg)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	arrows := 0
	for dec := xml.NewDecoder(f); ; {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("-svg wrote something that is not XML: %v", err)
		}
		if e, ok := tok.(xml.StartElement); ok && e.Name.Local == "g" {
			for _, a := range e.Attr {
				if a.Name.Local == "class" && strings.HasPrefix(a.Value, "arrow ") {
					arrows++
				}
			}
		}
	}
	if rows := strings.Count(string(want), "|\n"); arrows != rows {
		t.Errorf("the SVG has %d arrows, the text ladder %d rows", arrows, rows)
	}
}

func TestLadderModeErrors(t *testing.T) {
	notCapture := filepath.Join(t.TempDir(), "x.pcap")
	os.WriteFile(notCapture, []byte("hello, not a capture"), 0o644)
	for _, tc := range []struct {
		args  []string
		usage bool
		says  string
	}{
		{[]string{"ladder"}, true, "one capture file"},
		{[]string{"ladder", "a", "b"}, true, "one capture file"},
		{[]string{"ladder", "-width", "20", aesCapture}, true, "too narrow"},
		{[]string{"ladder", "-port", "70000", aesCapture}, true, "not a UDP port"},
		{[]string{"ladder", "-port", "5060", aesCapture}, false, "no datagrams to or from port 5060"},
		{[]string{"ladder", notCapture}, false, "neither a pcap nor a pcapng file"},
		{[]string{"ladder", "/no/such/file.pcap"}, false, "no such file"},
	} {
		err := Run(t.Context(), tc.args, &Env{Stdout: io.Discard})
		if err == nil || errors.Is(err, ErrUsage) != tc.usage || !strings.Contains(err.Error(), tc.says) {
			t.Errorf("Run(%q) = %v, want usage %v saying %q", tc.args, err, tc.usage, tc.says)
		}
	}
	err := Run(t.Context(), []string{"call", "-server", "127.0.0.1", "-user", "u", "-secret", "s", "-dial", "600", "-encryption", "aes256"}, &Env{Stdout: io.Discard})
	if !errors.Is(err, ErrUsage) || !strings.Contains(err.Error(), "want aes128, required or no") {
		t.Errorf("call -encryption aes256 = %v, want a usage error listing the choices", err)
	}
}

// The steps of an encrypted call say which frames went encrypted and
// which arrived but did not decrypt.
func TestTraceStep(t *testing.T) {
	f := iax.FullFrame{SourceCall: 2, DestCall: 3, Type: iax.FrameIAX, Subclass: uint8(iax.CmdAccept)}
	f.IEs.AddUint32(iax.IEFormat, uint32(iax.FormatULaw))
	b, _ := f.Marshal()
	ack := iax.FullFrame{SourceCall: 2, DestCall: 3, Type: iax.FrameIAX, Subclass: uint8(iax.CmdAck)}
	ab, _ := ack.Marshal()
	for _, tc := range []struct {
		f    iax.TraceFrame
		want string
	}{
		{iax.TraceFrame{Frame: b}, "< ACCEPT: ulaw"},
		{iax.TraceFrame{Frame: b, Encrypted: true}, "< ACCEPT: ulaw, encrypted"},
		{iax.TraceFrame{Frame: ab, Encrypted: true}, ""},
		{iax.TraceFrame{Frame: make([]byte, 36), Encrypted: true, Undecrypted: true}, ""},
		{iax.TraceFrame{Frame: append([]byte{0x80, 2, 0, 3}, make([]byte, 32)...), Encrypted: true, Undecrypted: true}, "< a frame that does not decrypt (36 octets)"},
	} {
		if got := traceStep(tc.f); got != tc.want {
			t.Errorf("traceStep(%+v) = %q, want %q", tc.f, got, tc.want)
		}
	}
}
