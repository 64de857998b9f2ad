package cli

import (
	"bytes"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/command"
	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
)

func frame(t *testing.T, f iax.FullFrame) []byte {
	t.Helper()
	b, err := f.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestStep(t *testing.T) {
	var regreq iax.FullFrame
	regreq.Type, regreq.Subclass = iax.FrameIAX, uint8(iax.CmdRegReq)
	regreq.IEs.AddString(iax.IEUsername, "u")
	regreq.IEs.AddUint16(iax.IERefresh, 60)
	regreq.IEs.AddEmpty(iax.IECallToken)

	var rej iax.FullFrame
	rej.Type, rej.Subclass, rej.Retransmitted = iax.FrameIAX, uint8(iax.CmdRegRej), true
	rej.IEs.AddString(iax.IECause, "Registration Refused")
	rej.IEs.AddUint8(iax.IECauseCode, 29)

	var accept iax.FullFrame
	accept.Type, accept.Subclass = iax.FrameIAX, uint8(iax.CmdAccept)
	accept.IEs.AddUint32(iax.IEFormat, uint32(iax.FormatALaw))

	mini := iax.MiniFrame{SourceCall: 5, Payload: []byte{1}}
	mb, _ := mini.Marshal()

	for _, tc := range []struct {
		sent bool
		b    []byte
		want string
	}{
		{true, frame(t, regreq), "> REGREQ: calltoken requested, refresh 60s"},
		{false, frame(t, rej), `< REGREJ (again): "Registration Refused" cause 29`},
		{false, frame(t, accept), "< ACCEPT: alaw"},
		{false, frame(t, iax.FullFrame{Type: iax.FrameIAX, Subclass: uint8(iax.CmdAck)}), ""},
		{true, frame(t, iax.FullFrame{Type: iax.FrameControl, Subclass: uint8(iax.CtlAnswer)}), "> ANSWER"},
		{true, frame(t, iax.FullFrame{Type: iax.FrameVoice, Subclass: 4, Payload: []byte{1}}), ""},
		{true, mb, ""},
		{true, []byte{0x80}, ""},
	} {
		if got := step(tc.sent, tc.b); got != tc.want {
			t.Errorf("step(%v, %x) = %q, want %q", tc.sent, tc.b, got, tc.want)
		}
	}
}

func TestSummary(t *testing.T) {
	st := iax.Stats{FramesSent: 10, FramesReceived: 9, Retransmissions: 2, VoiceSent: 100, VoiceReceived: 95, VoiceLost: 5,
		Jitter: 1234567 * time.Nanosecond, RTT: 450 * time.Microsecond}
	if got, want := summary("call", st), "summary: call frames sent 10 received 9 retransmissions 2 voice sent 100 received 95 loss 5.0% jitter 1.2ms rtt 450µs"; got != want {
		t.Errorf("summary(call) =\n%q, want\n%q", got, want)
	}
	st.Remote = iax.ReceiverReport{Packets: 90, LossPercent: 3, Jitter: 2 * time.Millisecond}
	if got, want := summary("call", st), "summary: call frames sent 10 received 9 retransmissions 2 voice sent 100 received 95 loss 5.0% jitter 1.2ms rtt 450µs; peer received 90 loss 3% jitter 2ms"; got != want {
		t.Errorf("summary(call) with a receiver report =\n%q, want\n%q", got, want)
	}
	st.Remote = iax.ReceiverReport{}
	if got, want := summary("registration", st), "summary: registration frames sent 10 received 9 retransmissions 2 loss 16.7% jitter 1.2ms rtt 450µs"; got != want {
		t.Errorf("summary(registration) =\n%q, want\n%q", got, want)
	}
}

func TestResolveSecret(t *testing.T) {
	env := func(stdin string, vars map[string]string) *Env {
		return &Env{Stdin: strings.NewReader(stdin), Getenv: func(k string) string { return vars[k] }}
	}
	out := &printer{w: io.Discard}
	for _, tc := range []struct {
		flag string
		env  *Env
		want string
	}{
		{"flag", env("stdin\n", map[string]string{"IAX_SECRET": "var"}), "flag"},
		{"", env("stdin\n", map[string]string{"IAX_SECRET": "var"}), "var"},
		{"", env("stdin\r\nmore\n", nil), "stdin"},
		{"", env("last-line-without-newline", nil), "last-line-without-newline"},
	} {
		c := common{user: "u", secret: tc.flag}
		if err := c.resolveSecret(tc.env, out); err != nil || c.secret != tc.want {
			t.Errorf("resolveSecret = %q, %v; want %q", c.secret, err, tc.want)
		}
	}
	c := common{user: "u"}
	if err := c.resolveSecret(env("", nil), out); !errors.Is(err, ErrNoSecret) {
		t.Errorf("resolveSecret with nothing = %v, want ErrNoSecret", err)
	}
}

func TestRecordPath(t *testing.T) {
	for _, tc := range [][3]string{
		{"out.wav", "1", "out.wav"}, {"out.wav", "2", "out-2.wav"}, {"dir.x/out", "3", "dir.x/out-3"}, {"", "2", ""},
	} {
		n := int(tc[1][0] - '0')
		if got := recordPath(tc[0], n); got != tc[2] {
			t.Errorf("recordPath(%q, %d) = %q, want %q", tc[0], n, got, tc[2])
		}
	}
}

func TestUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{},
		{"dance"},
		{"call", "-server", "127.0.0.1", "-user", "u", "-secret", "s"},
		{"call", "-server", "127.0.0.1", "-user", "u", "-secret", "s", "-dial", "600", "-dtmf", "12x"},
		{"call", "-server", "127.0.0.1", "-user", "u", "-secret", "s", "-dial", "600", "-hold-at", "2s", "-resume-at", "1s"},
		{"register", "-user", "u", "-secret", "s"},
		{"register", "-server", "127.0.0.1", "-secret", "s"},
		{"listen", "-bogus"},
		{"call", "-server", "127.0.0.1", "-user", "u", "-secret", "s", "-dial", "600", "-mic", "null", "-send", "x.wav"},
	} {
		err := Run(t.Context(), args, &Env{Stdout: io.Discard})
		if !errors.Is(err, ErrUsage) {
			t.Errorf("Run(%q) = %v, want ErrUsage", args, err)
		}
	}
}

// register against an in-process iaxpbx: the secret comes from the
// environment and is never printed.
func TestRegisterInProcess(t *testing.T) {
	p, err := pbx.Listen(t.Context(), "127.0.0.1:0", pbx.Config{Users: []pbx.User{{Name: "handset1", Secret: "s3cret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	var out bytes.Buffer
	env := &Env{Stdout: &out, Getenv: func(k string) string {
		if k == "IAX_SECRET" {
			return "s3cret"
		}
		return ""
	}}
	if err := Run(t.Context(), []string{"register", "-server", p.Addr().String(), "-user", "handset1", "-local", "127.0.0.1:0"}, env); err != nil {
		t.Fatalf("register: %v\n%s", err, out.String())
	}
	lines := out.String()
	for _, want := range []string{"< REGAUTH: md5 challenge\n", "registered: refresh 1m0s", "\nreleased\n", "summary: registration frames sent 6 received 4 retransmissions 0 loss 0.0%"} {
		if !strings.Contains(lines, want) {
			t.Errorf("output has no %q:\n%s", want, lines)
		}
	}
	if strings.Contains(lines, "s3cret") {
		t.Error("the secret was printed")
	}
	if len(p.Registrations()) != 0 {
		t.Errorf("still registered after iaxcli left: %v", p.Registrations())
	}
}

// step reads whatever arrives on the socket: it never panics, and every
// line it makes names the direction first.
func FuzzStep(f *testing.F) {
	var regreq iax.FullFrame
	regreq.Type, regreq.Subclass = iax.FrameIAX, uint8(iax.CmdRegReq)
	regreq.IEs.AddString(iax.IEUsername, "u")
	regreq.IEs.AddUint16(iax.IERefresh, 60)
	regreq.IEs.AddEmpty(iax.IECallToken)
	b, _ := regreq.Marshal()
	f.Add(b, true)
	f.Add([]byte{0x80, 0x01, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 6, 0x0e, 0x16, 0x02, 'h', 'i'}, false)
	f.Fuzz(func(t *testing.T, b []byte, sent bool) {
		s := step(sent, b)
		if s != "" && !strings.HasPrefix(s, "> ") && !strings.HasPrefix(s, "< ") {
			t.Fatalf("step(%x) = %q", b, s)
		}
		if s != "" && sent != strings.HasPrefix(s, ">") {
			t.Fatalf("step(%x, %v) = %q: wrong direction", b, sent, s)
		}
	})
}

// Help goes to standard output with exit 0; a usage mistake exits 2 with
// the reason on standard error, said once, and nothing on standard output.
func TestMainExitCodes(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		code   int
		stdout string
		stderr string
	}{
		{[]string{"-h"}, 0, "usage: iaxcli register|call|listen", ""},
		{[]string{"help"}, 0, "exit status: 0 done, 1 failed, 2 usage error.", ""},
		{[]string{"listen", "-h"}, 0, "-server string", ""},
		{nil, 2, "", "iaxcli: usage: no mode given\n" + hint + "\n"},
		{[]string{"dance"}, 2, "", `iaxcli: usage: unknown mode "dance"` + "\n" + hint + "\n"},
		{[]string{"-no-such-flag"}, 2, "", "iaxcli: usage: flag provided but not defined: -no-such-flag"},
		{[]string{"call", "-no-such-flag"}, 2, "", "iaxcli call: flag provided but not defined: -no-such-flag\n"},
		{[]string{"register", "-server", "127.0.0.1"}, 2, "", "iaxcli: usage: -user is required\n" + hint + "\n"},
	} {
		var out, errb bytes.Buffer
		env := command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		if code := Main(t.Context(), tc.args, env); code != tc.code {
			t.Errorf("iaxcli %q exits %d, want %d (stderr %q)", tc.args, code, tc.code, errb.String())
		}
		if !strings.Contains(out.String(), tc.stdout) || (tc.stdout == "" && out.Len() > 0) {
			t.Errorf("iaxcli %q stdout = %q, want %q", tc.args, out.String(), tc.stdout)
		}
		if !strings.HasPrefix(errb.String(), tc.stderr) || (tc.stderr == "" && errb.Len() > 0) {
			t.Errorf("iaxcli %q stderr = %q, want %q", tc.args, errb.String(), tc.stderr)
		}
		if n := strings.Count(errb.String(), "iaxcli: "); n > 1 {
			t.Errorf("iaxcli %q says iaxcli: %d times: %q", tc.args, n, errb.String())
		}
	}
}
