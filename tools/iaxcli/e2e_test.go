package main

import (
	"context"
	"fmt"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/telephony/media"
)

// clientPort reads the UDP port iaxcli says it uses ("... from 127.0.0.1:PORT").
func clientPort(t *testing.T, p *proc) string {
	t.Helper()
	return p.WaitLine(`from 127\.0\.0\.1:(\d+)$`, 10*time.Second)[1]
}

func portOf(addr string) string { return addr[strings.LastIndex(addr, ":")+1:] }

var summaryRE = `^summary: %s frames sent \d+ received \d+ retransmissions \d+ .*loss \d+\.\d%% jitter \S+ rtt \S+(; peer received \d+ loss \d+%% jitter \S+)?$`

func TestRegisterAndRelease(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	c := iaxcli(t, "register", addr, user1, secret1)
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli register: %v", err)
	}
	port := clientPort(t, c)
	for _, re := range []string{`^registered: refresh 1m0s, seen as 127\.0\.0\.1:` + port + `$`, `^released$`, fmt.Sprintf(summaryRE, "registration")} {
		if !hasLine(c, re) {
			t.Errorf("iaxcli output has no line matching %q", re)
		}
	}
	pbx.WaitLine(`msg=registered category=pbx user=handset1 addr=127\.0\.0\.1:`+port, 5*time.Second)
	pbx.WaitLine(`msg=unregistered category=pbx user=handset1 addr=127\.0\.0\.1:`+port, 5*time.Second)
}

func TestRegisterWrongSecret(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	c := iaxcli(t, "register", addr, user1, "not-the-secret")
	err := c.Wait(20 * time.Second)
	if err == nil {
		t.Fatal("iaxcli register with a wrong secret exited 0")
	}
	if !hasLine(c, `^refused: "Registration Refused" \(cause 29\)$`) || !hasLine(c, fmt.Sprintf(summaryRE, "registration")) {
		t.Error("iaxcli does not say why it was refused, or gives no summary")
	}
	if hasLine(c, "not-the-secret") {
		t.Error("iaxcli printed the secret")
	}
	port := clientPort(t, c)
	pbx.WaitLine(`msg="registration authentication failed" category=voip user=handset1 from=127\.0\.0\.1:`+port, 5*time.Second)
	if hasLine(pbx, `msg=registered `) {
		t.Error("the PBX registered a client with a wrong secret")
	}
}

// ulawFrames makes n frames of μ-law payload that differ from each other
// (frame i starts with i), avoiding 0x7f, the μ-law code whose decoded
// value (0) encodes back as 0xff.
func ulawFrames(n int) [][]byte {
	frames := make([][]byte, n)
	for i := range frames {
		f := make([]byte, media.FrameSamples)
		for j := range f {
			b := byte(i*31 + j*7)
			if j == 0 {
				b = byte(i)
			}
			if b == 0x7f {
				b = 0x7e
			}
			f[j] = b
		}
		frames[i] = f
	}
	return frames
}

// writeWAV writes the payloads, decoded from μ-law, as a WAV file.
func writeWAV(t *testing.T, path string, frames [][]byte) {
	t.Helper()
	sink, err := audio.CreateWAVSink(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	var f media.Frame
	for _, p := range frames {
		media.DecodeUlaw(f[:], p)
		if err := sink.WriteFrame(context.Background(), &f); err != nil {
			t.Fatal(err)
		}
	}
	if err := sink.Close(); err != nil {
		t.Fatal(err)
	}
}

// recordedUlaw re-encodes a recording frame by frame.
func recordedUlaw(samples []int16) [][]byte {
	var out [][]byte
	for i := 0; i+media.FrameSamples <= len(samples); i += media.FrameSamples {
		b := make([]byte, media.FrameSamples)
		media.EncodeUlaw(b, samples[i:i+media.FrameSamples])
		out = append(out, b)
	}
	return out
}

// Extension 600: every payload sent comes back byte-equal and in order.
func TestCallEcho(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	sent := ulawFrames(75)
	writeWAV(t, in, sent)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "600", "-send", in, "-record", out, "-duration", "2500ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 600: %v", err)
	}
	for _, re := range []string{`^accepted ulaw$`, `^state connected$`, `^state hangup-local$`, fmt.Sprintf(summaryRE, "call")} {
		if !hasLine(c, re) {
			t.Errorf("no line matching %q", re)
		}
	}
	got := recordedUlaw(audiotest.ReadWAV(t, out))
	if len(got) < len(sent) {
		t.Fatalf("heard %d frames, want at least the %d sent", len(got), len(sent))
	}
	for i := range sent {
		if string(got[i]) != string(sent[i]) {
			t.Fatalf("frame %d came back as %x..., want %x...", i, got[i][:8], sent[i][:8])
		}
	}
	silence := strings.Repeat("\xff", media.FrameSamples)
	for i, f := range got[len(sent):] {
		if string(f) != silence {
			t.Fatalf("frame %d after the file is not the silence sent", len(sent)+i)
		}
	}
	// Everything sent came back except what was in flight at hangup.
	m := c.WaitLine(`voice sent (\d+) received (\d+)`, time.Second)
	var vs, vr int
	fmt.Sscan(m[1], &vs)
	fmt.Sscan(m[2], &vr)
	if vr < vs-5 || len(got) != vr {
		t.Errorf("voice sent %d, received %d, recorded %d frames", vs, vr, len(got))
	}
}

// Extension 601: the recording holds 1004 Hz at least 30 dB over every
// other bin.
func TestCallTone(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	out := filepath.Join(t.TempDir(), "tone.wav")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "601", "-record", out, "-duration", "1500ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 601: %v", err)
	}
	s := audiotest.ReadWAV(t, out)
	if len(s) < 50*media.FrameSamples {
		t.Fatalf("recorded %d samples, want at least 1 s", len(s))
	}
	r := audiotest.AnalyzeTone(s, 1004)
	if r.MarginDB < 30 {
		t.Errorf("AnalyzeTone(recording, 1004) = %.1f dB over %.0f Hz, want >= 30 dB", r.MarginDB, r.OtherHz)
	}
}

// Extension 100: the PBX sends DTMF 1 2 3 and hangs up.
func TestCallDTMF(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "100", "-duration", "10s")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 100: %v", err)
	}
	if got := strings.Join(c.Matching(`^dtmf `), ","); got != "dtmf 1,dtmf 2,dtmf 3" {
		t.Errorf("DTMF lines = %q, want dtmf 1, 2, 3", got)
	}
	if !hasLine(c, `^state hangup-remote: .*"Normal Clearing" \(cause 16\)$`) {
		t.Error("the PBX's hangup is not reported")
	}
}

// listener registers handset2 with iaxcli listen and waits until it
// listens.
func listener(t *testing.T, addr string, extra ...string) *proc {
	t.Helper()
	l := iaxcli(t, "listen", addr, user2, secret2, extra...)
	l.WaitLine(`^listening for `, 10*time.Second)
	return l
}

// Two iaxcli talk through the PBX: the caller dials the listener's name,
// its audio and DTMF reach the listener, and the caller's hangup ends the
// listener's call.
func TestCallBetweenClients(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	dir := t.TempDir()
	in, heard := filepath.Join(dir, "in.wav"), filepath.Join(dir, "heard.wav")
	sent := ulawFrames(50)
	writeWAV(t, in, sent)
	l := listener(t, addr, "-duration", "20s", "-record", heard)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "202", "-send", in, "-dtmf", "123", "-duration", "2s")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	l.WaitLine(`^incoming call from "Handset One" <201> for handset2$`, 5*time.Second)
	l.WaitLine(`^state hangup-remote`, 5*time.Second)
	l.WaitLine(fmt.Sprintf(summaryRE, "call"), 5*time.Second)
	if got := strings.Join(l.Matching(`^dtmf `), ","); got != "dtmf 1,dtmf 2,dtmf 3" {
		t.Errorf("listener's DTMF lines = %q, want dtmf 1, 2, 3", got)
	}
	l.Cmd.Process.Signal(interrupt)
	if err := l.Wait(10 * time.Second); err != nil {
		t.Fatalf("listener: %v", err)
	}
	if !hasLine(l, `^released$`) {
		t.Error("the listener did not release its registration")
	}
	got := recordedUlaw(audiotest.ReadWAV(t, heard))
	if len(got) < len(sent) {
		t.Fatalf("listener heard %d frames, want at least %d", len(got), len(sent))
	}
	// The listener may have been connected a moment before the caller's
	// first frame: find the first frame sent and compare from there.
	start := -1
	for i, f := range got {
		if string(f) == string(sent[0]) {
			start = i
			break
		}
	}
	if start < 0 || len(got)-start < len(sent) {
		t.Fatalf("the caller's audio is not in the listener's recording (start %d of %d)", start, len(got))
	}
	for i := range sent {
		if string(got[start+i]) != string(sent[i]) {
			t.Fatalf("frame %d reached the listener as %x..., want %x...", i, got[start+i][:8], sent[i][:8])
		}
	}
}

// Hold and resume pass through the PBX to the other party.
func TestHoldResume(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	l := listener(t, addr, "-duration", "20s")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", user2, "-hold-at", "500ms", "-resume-at", "1s", "-duration", "1500ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	if got := strings.Join(c.Matching(`^(hold|resume)$`), ","); got != "hold,resume" {
		t.Errorf("caller printed %q, want hold,resume", got)
	}
	l.WaitLine(`^held by peer$`, 5*time.Second)
	l.WaitLine(`^resumed by peer$`, 5*time.Second)
	pbx.WaitLine(`msg=hold category=pbx`, 5*time.Second)
	pbx.WaitLine(`msg=unhold category=pbx`, 5*time.Second)
	if i, j := lineIndex(l, `^held by peer$`), lineIndex(l, `^resumed by peer$`); i > j {
		t.Errorf("listener heard resume (line %d) before hold (line %d)", j, i)
	}
	// The caller heard nothing while it held the other party: a pause,
	// not loss.
	if !hasLine(c, `^summary: call .* loss 0\.0% `) {
		t.Errorf("the caller's summary counts the hold as loss: %q", c.Matching(`^summary:`))
	}
}

func lineIndex(p *proc, re string) int {
	rx := regexp.MustCompile(re)
	for i, l := range strings.Split(p.Output(), "\n") {
		if rx.MatchString(l) {
			return i
		}
	}
	return -1
}

// A blind transfer: the caller hands the listener over to the tone
// extension and leaves; the listener then hears 1004 Hz.
func TestTransfer(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	heard := filepath.Join(t.TempDir(), "heard.wav")
	l := listener(t, addr, "-duration", "20s", "-record", heard, "-hangup-after", "3s")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", user2, "-transfer", "601", "-transfer-at", "500ms", "-duration", "10s")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	c.WaitLine(`^transfer 601$`, time.Second)
	c.WaitLine(`^state hangup-remote`, time.Second)
	pbx.WaitLine(`msg=transfer category=pbx call=\d+ to=601 by=\d+`, 5*time.Second)
	l.WaitLine(`^hanging up$`, 10*time.Second)
	l.WaitLine(fmt.Sprintf(summaryRE, "call"), 5*time.Second)
	l.Cmd.Process.Signal(interrupt)
	if err := l.Wait(10 * time.Second); err != nil {
		t.Fatalf("listener: %v", err)
	}
	s := audiotest.ReadWAV(t, heard)
	// Analyse the last second: the tone, after the transfer.
	if len(s) < 60*media.FrameSamples {
		t.Fatalf("listener recorded %d samples", len(s))
	}
	r := audiotest.AnalyzeTone(s[len(s)-50*media.FrameSamples:], 1004)
	if r.MarginDB < 30 {
		t.Errorf("after the transfer the listener hears 1004 Hz only %.1f dB over %.0f Hz", r.MarginDB, r.OtherHz)
	}
}

// A call to an extension is moved to the extension it transfers to.
func TestTransferFromExtension(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	out := filepath.Join(t.TempDir(), "out.wav")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "600", "-transfer", "601", "-transfer-at", "300ms", "-duration", "1800ms", "-record", out)
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	s := audiotest.ReadWAV(t, out)
	if len(s) < 70*media.FrameSamples {
		t.Fatalf("recorded %d samples", len(s))
	}
	if r := audiotest.AnalyzeTone(s[len(s)-50*media.FrameSamples:], 1004); r.MarginDB < 30 {
		t.Errorf("after the transfer to 601 the caller hears 1004 Hz only %.1f dB over %.0f Hz", r.MarginDB, r.OtherHz)
	}
}

// The listener hangs up: the caller sees the remote hangup and exits 0.
func TestHangupFromCallee(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	l := listener(t, addr, "-duration", "20s", "-hangup-after", "700ms")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", user2, "-duration", "30s")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("caller: %v", err)
	}
	c.WaitLine(`^state hangup-remote: .*"Normal Clearing" \(cause 16\)$`, time.Second)
	l.WaitLine(`^state hangup-local$`, 5*time.Second)
}

// The PBX is killed mid-call: the caller notices within the bound its
// timing gives (a PING every 200 ms, 3 tries, 100-200 ms apart), or
// sooner, from the ICMP port unreachable its next frame draws.
func TestPeerKilled(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "600", "-duration", "60s",
		"-ping", "200ms", "-rtx-initial", "100ms", "-rtx-min", "100ms", "-rtx-max", "200ms", "-rtx-tries", "3")
	c.WaitLine(`^state connected$`, 10*time.Second)
	killed := time.Now()
	pbx.Cmd.Process.Kill()
	select {
	case <-c.Exited():
	case <-time.After(10 * time.Second):
		t.Fatal("iaxcli still runs 10 s after its peer was killed")
	}
	took := time.Since(killed)
	if err := c.Wait(time.Second); err == nil {
		t.Fatal("iaxcli exited 0 after losing its peer")
	}
	// The next PING within 200 ms, then at most 3 × 200 ms of
	// retransmissions; 1.5 s of slack for a loaded machine.
	const bound = 200*time.Millisecond + 3*200*time.Millisecond + 1500*time.Millisecond
	if took > bound {
		t.Errorf("iaxcli noticed the dead peer after %v, want within %v", took, bound)
	}
	if !hasLine(c, `^state failed: .*(no answer from|nothing listening at) 127\.0\.0\.1:`+portOf(addr)) {
		t.Error("iaxcli does not say the peer stopped answering")
	}
	if !hasLine(c, fmt.Sprintf(summaryRE, "call")) {
		t.Error("no summary after the failure")
	}
}

// Extension 602 records the caller: the WAV file iaxpbx writes holds
// exactly the audio sent.
func TestCallRecord(t *testing.T) {
	t.Parallel()
	pbx, addr := startPBX(t)
	in := filepath.Join(t.TempDir(), "in.wav")
	sent := ulawFrames(40)
	writeWAV(t, in, sent)
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "602", "-send", in, "-duration", "1200ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 602: %v", err)
	}
	m := pbx.WaitLine(`msg=recorded category=pbx call=\d+ file=(\S+) frames=(\d+)$`, 5*time.Second)
	got := recordedUlaw(audiotest.ReadWAV(t, m[1]))
	if len(got) < len(sent) {
		t.Fatalf("%s holds %d frames, want at least the %d sent", m[1], len(got), len(sent))
	}
	for i := range sent {
		if string(got[i]) != string(sent[i]) {
			t.Fatalf("recorded frame %d = %x..., want %x...", i, got[i][:8], sent[i][:8])
		}
	}
	if !strings.HasPrefix(filepath.Base(m[1]), "handset1-") {
		t.Errorf("recording %s is not named after the caller", m[1])
	}
}

// -mic and -speaker take the device pipeline (jitter buffer, device
// pacing): the tone played out to a WAV "speaker" is still 1004 Hz, and
// the microphone file reaches the echo and comes back. The bar is 20 dB,
// not the 30 dB of the recording tests: on a loaded machine the jitter
// buffer may conceal or stretch a frame, and the phase jump spreads the
// tone into the next bins.
func TestCallThroughDevices(t *testing.T) {
	t.Parallel()
	_, addr := startPBX(t)
	dir := t.TempDir()
	out := filepath.Join(dir, "speaker.wav")
	c := iaxcli(t, "call", addr, user1, secret1, "-dial", "601", "-speaker", "wav:"+out, "-duration", "1500ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 601 -speaker: %v", err)
	}
	c.WaitLine(`^audio: sent \d+ received \d+ played \d+ `, time.Second)
	s := audiotest.ReadWAV(t, out)
	if len(s) < 60*media.FrameSamples {
		t.Fatalf("the speaker got %d samples", len(s))
	}
	if r := audiotest.AnalyzeTone(s[len(s)-50*media.FrameSamples:], 1004); r.MarginDB < 20 {
		t.Errorf("the speaker plays 1004 Hz only %.1f dB over %.0f Hz", r.MarginDB, r.OtherHz)
	}

	in, echoed := filepath.Join(dir, "mic.wav"), filepath.Join(dir, "echoed.wav")
	tone := audiotest.Sine(440, -10, 100*media.FrameSamples)
	sink, err := audio.CreateWAVSink(in, nil)
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < len(tone); i += media.FrameSamples {
		var f media.Frame
		copy(f[:], tone[i:])
		sink.WriteFrame(context.Background(), &f)
	}
	sink.Close()
	e := iaxcli(t, "call", addr, user1, secret1, "-dial", "600", "-mic", "wav:"+in, "-speaker", "wav:"+echoed, "-duration", "2500ms")
	if err := e.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 600 -mic: %v", err)
	}
	got := audiotest.ReadWAV(t, echoed)
	if len(got) < 100*media.FrameSamples {
		t.Fatalf("the echo played %d samples", len(got))
	}
	// Somewhere in the middle of what played back is the 440 Hz sent.
	if r := audiotest.AnalyzeTone(got[40*media.FrameSamples:80*media.FrameSamples], 440); r.MarginDB < 20 {
		t.Errorf("the echo of the microphone plays 440 Hz only %.1f dB over %.0f Hz", r.MarginDB, r.OtherHz)
	}
}
