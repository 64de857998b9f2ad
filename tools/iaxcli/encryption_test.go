package main

import (
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/iax/ladder"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/telephony/media"
)

// cryptConfig adds handset3, whose calls must be encrypted, to the test
// accounts.
const cryptConfig = pbxConfig + `
[user handset3]
secret = crypt0
encryption = required
`

const user3, secret3 = "handset3", "crypt0"

func startCryptPBX(t *testing.T) (*proc, string) {
	t.Helper()
	dir := t.TempDir()
	cfg := filepath.Join(dir, "iaxpbx.conf")
	if err := os.WriteFile(cfg, []byte(cryptConfig), 0o600); err != nil {
		t.Fatal(err)
	}
	p := start(t, "iaxpbx", "-config", cfg, "-record-dir", dir)
	m := p.WaitLine(`msg=listening category=pbx addr=(127\.0\.0\.1:\d+)`, 10*time.Second)
	return p, m[1]
}

// cryptCall runs iaxcli call with its pcap, outside the harness's own
// tshark check (which looks for the MD5 answer, encrypted here).
func cryptCall(t *testing.T, server, user, secret string, extra ...string) (*proc, string) {
	t.Helper()
	pcap := filepath.Join(t.TempDir(), "iaxcli-crypt.pcap")
	args := append([]string{"call", "-server", server, "-user", user, "-secret", secret, "-local", "127.0.0.1:0", "-pcap", pcap}, extra...)
	return start(t, "iaxcli", args...), pcap
}

// iaxcli ↔ iaxpbx with encryption required on both: the call to 601 is
// encrypted, heard (1004 Hz), its DTMF reaches the PBX, and the hangup
// ends it normally. iaxcli's steps show the frames decrypted.
func TestEncryptedCallToTone(t *testing.T) {
	t.Parallel()
	pbx, addr := startCryptPBX(t)
	out := filepath.Join(t.TempDir(), "tone.wav")
	c, pcap := cryptCall(t, addr, user3, secret3, "-encryption", "required", "-dial", "601",
		"-record", out, "-duration", "2s", "-dtmf", "12", "-dtmf-at", "300ms", "-dtmf-duration", "80ms")
	if err := c.Wait(20 * time.Second); err != nil {
		t.Fatalf("iaxcli call 601 encrypted: %v\n%s", err, c.Output())
	}
	for _, re := range []string{`^> NEW: calltoken, aes128 offered with key rotation, to 601$`,
		`^< AUTHREQ: md5 challenge, aes128 asked with key rotation$`, `^> AUTHREP: md5 answer, encrypted$`,
		`^< ACCEPT: ulaw, encrypted$`, `^accepted ulaw, encrypted \(aes128\)$`, `^state connected$`,
		`^> RTKEY: new key, encrypted$`, `^state hangup-local$`} {
		if !hasLine(c, re) {
			t.Errorf("no line matching %q in:\n%s", re, c.Output())
		}
	}
	s := audiotest.ReadWAV(t, out)
	if len(s) < 50*media.FrameSamples {
		t.Fatalf("recorded %d samples, want at least 1 s", len(s))
	}
	if r := audiotest.AnalyzeTone(s, 1004); r.MarginDB < 30 {
		t.Errorf("AnalyzeTone(recording, 1004) = %.1f dB over %.0f Hz, want >= 30 dB", r.MarginDB, r.OtherHz)
	}
	pbx.WaitLine(`msg=call category=pbx .*user=handset3 .*called=601 .*encrypted=true`, 5*time.Second)
	pbx.WaitLine(`msg=dtmf category=pbx .*digit=1`, 5*time.Second)
	pbx.WaitLine(`msg=dtmf category=pbx .*digit=2`, 5*time.Second)
	pbx.WaitLine(`msg=hangup category=pbx .*state=hangup-remote`, 5*time.Second)
	if hasLine(c, secret3) || hasLine(pbx, secret3) {
		t.Error("a secret was printed")
	}
	encryptedCapture(t, pcap, portOf(addr))
}

// encryptedCapture holds tshark and our reader to what an encrypted call
// looks like on the wire: tshark dissects every clear header (the call
// numbers it reads are the datagrams' own), no voice is audible in the
// clear, and the same voice decrypted with the secret is the tone.
func encryptedCapture(t *testing.T, pcap, serverPort string) {
	t.Helper()
	b, err := os.ReadFile(pcap)
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ladder.ReadCapture(b)
	if err != nil {
		t.Fatal(err)
	}
	tshark := testenv.RequireTool(t, "tshark")
	cmd := exec.CommandContext(t.Context(), tshark, "-r", pcap, "-d", "udp.port=="+serverPort+",iax2",
		"-T", "fields", "-E", "separator=|", "-e", "iax2.packet_type", "-e", "iax2.src_call", "-e", "iax2.dst_call")
	fields, err := cmd.Output()
	if err != nil {
		t.Fatalf("tshark: %v", err)
	}
	rows := strings.Split(strings.TrimRight(string(fields), "\n"), "\n")
	if len(rows) != len(ds) {
		t.Fatalf("tshark lists %d frames, the capture holds %d datagrams", len(rows), len(ds))
	}
	var clearPCM, decrypted []int16
	dec := iax.NewCaptureDecrypter(secret3)
	encrypted := 0
	for i, d := range ds {
		col := strings.Split(rows[i], "|")
		src := binary.BigEndian.Uint16(d.Data) & 0x7fff
		if col[1] != strconv.Itoa(int(src)) {
			t.Errorf("frame %d: tshark reads source call %q, the header says %d", i+1, col[1], src)
		}
		if col[0] == "1" {
			dst := binary.BigEndian.Uint16(d.Data[2:]) & 0x7fff
			if col[2] != strconv.Itoa(int(dst)) {
				t.Errorf("frame %d: tshark reads destination call %q, the header says %d", i+1, col[2], dst)
			}
		}
		frame, enc, err := dec.Frame(d.Src, d.Dst, d.Data)
		if err != nil {
			t.Fatalf("frame %d does not decrypt with the secret: %v", i+1, err)
		}
		if enc {
			encrypted++
		}
		if iax.KindOf(d.Data) != iax.KindMini || d.Src.Port() != mustPort(serverPort) {
			continue
		}
		// What a listener without the key would hear: the octets after
		// the mini header taken as μ-law.
		pcm := make([]int16, len(d.Data)-4)
		media.DecodeUlaw(pcm, d.Data[4:])
		clearPCM = append(clearPCM, pcm[:min(len(pcm), media.FrameSamples)]...)
		var m iax.MiniFrame
		if err := m.Unmarshal(frame); err != nil {
			t.Fatal(err)
		}
		pcm = make([]int16, len(m.Payload))
		media.DecodeUlaw(pcm, m.Payload)
		decrypted = append(decrypted, pcm...)
	}
	if encrypted < len(ds)/2 || len(decrypted) < 8000 {
		t.Fatalf("%d of %d datagrams encrypted, %d samples of the server's voice: not an encrypted call", encrypted, len(ds), len(decrypted))
	}
	if r := audiotest.AnalyzeTone(clearPCM[:8000], 1004); r.MarginDB > 10 {
		t.Errorf("the encrypted voice, read in the clear, has 1004 Hz %.1f dB over the rest: it is not encrypted", r.MarginDB)
	}
	if r := audiotest.AnalyzeTone(decrypted[:8000], 1004); r.MarginDB < 30 {
		t.Errorf("the voice decrypted with the secret: 1004 Hz %.1f dB over the rest, want >= 30", r.MarginDB)
	}
	// And the ladder of it.
	l := ladder.Build(ds, ladder.Options{Secret: secret3})
	if l.Encrypted != encrypted || l.Undecrypted != 0 {
		t.Errorf("ladder: %d encrypted, %d undecrypted; want %d, 0", l.Encrypted, l.Undecrypted, encrypted)
	}
}

func mustPort(s string) uint16 {
	n, _ := strconv.Atoi(s)
	return uint16(n)
}

// Encryption asked for on one side only: iaxcli without it against an
// account that requires it, and iaxcli requiring it against an account
// without it, are both refused, with words that say why and what to do.
func TestEncryptionRefused(t *testing.T) {
	t.Parallel()
	_, addr := startCryptPBX(t)
	for _, tc := range []struct {
		user, secret, enc string
		want              []string
	}{
		{user3, secret3, "no", []string{`"This account requires AES-128 encryption, and the call offered none" (cause 58)`,
			"call with -encryption aes128"}},
		{user1, secret1, "required", []string{"the server does not offer AES-128 encryption, and this account requires it",
			"encryption=aes128"}},
	} {
		c, _ := cryptCall(t, addr, tc.user, tc.secret, "-encryption", tc.enc, "-dial", "601", "-duration", "1s")
		err := c.Wait(20 * time.Second)
		if err == nil {
			t.Fatalf("iaxcli -encryption %s as %s: the call went through", tc.enc, tc.user)
		}
		for _, w := range tc.want {
			if !strings.Contains(c.Output(), w) {
				t.Errorf("iaxcli -encryption %s as %s says:\n%s\nwant %q", tc.enc, tc.user, c.Output(), w)
			}
		}
	}
}

// The real Asterisk capture, decrypted with its account's secret: both
// directions of voice are the 1004 Hz tone (the callee plays it, the
// caller echoes it), and in the clear neither is.
func TestAsteriskEncryptedCaptureIsTheTone(t *testing.T) {
	b, err := os.ReadFile("../../iax/testdata/aes/call-aes128-601.pcapng")
	if err != nil {
		t.Fatal(err)
	}
	ds, err := ladder.ReadCapture(b)
	if err != nil {
		t.Fatal(err)
	}
	dec := iax.NewCaptureDecrypter("crypt0")
	voice := map[uint16][]int16{}
	var noise []int16
	for _, d := range ds {
		frame, _, err := dec.Frame(d.Src, d.Dst, d.Data)
		if err != nil {
			t.Fatal(err)
		}
		var payload []byte
		switch iax.KindOf(frame) {
		case iax.KindMini:
			var m iax.MiniFrame
			m.Unmarshal(frame)
			payload = m.Payload
			pcm := make([]int16, len(d.Data)-2)
			media.DecodeUlaw(pcm, d.Data[2:])
			noise = append(noise, pcm...)
		case iax.KindFull:
			var f iax.FullFrame
			if f.Unmarshal(frame); f.Type == iax.FrameVoice {
				payload = f.Payload
			}
		}
		if payload != nil {
			pcm := make([]int16, len(payload))
			media.DecodeUlaw(pcm, payload)
			src := binary.BigEndian.Uint16(d.Data) & 0x7fff
			voice[src] = append(voice[src], pcm...)
		}
	}
	if len(voice) != 2 {
		t.Fatalf("voice from %d call numbers, want 2", len(voice))
	}
	for call, pcm := range voice {
		if r := audiotest.AnalyzeTone(pcm[:8000], 1004); r.MarginDB < 30 {
			t.Errorf("call %d's voice decrypted: 1004 Hz %.1f dB over %.0f Hz, want >= 30 dB", call, r.MarginDB, r.OtherHz)
		}
	}
	if r := audiotest.AnalyzeTone(noise[:8000], 1004); r.MarginDB > 10 {
		t.Errorf("the encrypted octets read as μ-law show 1004 Hz %.1f dB over the rest", r.MarginDB)
	}
}
