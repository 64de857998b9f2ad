package pbx

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/telephony/media"
)

func TestParseConfigEncryption(t *testing.T) {
	cfg, err := ParseConfig([]byte("[user a]\nsecret = x\nencryption = required\n[user b]\nsecret = y\nencryption = aes128\n[user c]\nsecret = z\nencryption = no\n"))
	if err != nil {
		t.Fatal(err)
	}
	want := []iax.Encryption{iax.EncryptionRequired, iax.EncryptionAES128, iax.EncryptionOff}
	for i, u := range cfg.Users {
		if u.Encryption != want[i] {
			t.Errorf("user %s: Encryption %v, want %v", u.Name, u.Encryption, want[i])
		}
	}
	for _, bad := range []string{"yes", "aes256", ""} {
		_, err := ParseConfig([]byte("[user a]\nsecret = x\nencryption = " + bad + "\n"))
		if !errors.Is(err, ErrConfig) || !strings.Contains(err.Error(), "want aes128, required or no") || !strings.Contains(err.Error(), "user a") {
			t.Errorf("encryption = %q: %v, want ErrConfig naming the user and the choices", bad, err)
		}
	}
}

func TestParseEncryptionFlag(t *testing.T) {
	if n, e, err := ParseEncryptionFlag("handset3:required"); n != "handset3" || e != iax.EncryptionRequired || err != nil {
		t.Errorf("ParseEncryptionFlag(handset3:required) = %q, %v, %v", n, e, err)
	}
	for _, bad := range []string{"handset3", ":required", "handset3:", "handset3:always"} {
		if _, _, err := ParseEncryptionFlag(bad); !errors.Is(err, ErrConfig) {
			t.Errorf("ParseEncryptionFlag(%q) = %v, want ErrConfig", bad, err)
		}
	}
}

// A user with encryption required: an encrypted call to 601 hears the
// tone; a call that offers no encryption is refused with words saying
// why, and the PBX logs both.
func TestEncryptionRequiredUser(t *testing.T) {
	logs := new(proctest.Buffer)
	users := []User{{Name: "handset3", Secret: "crypt0", Encryption: iax.EncryptionRequired}}
	p, err := Listen(t.Context(), "127.0.0.1:0", Config{Users: users, Logger: slog.New(slog.NewTextHandler(logs, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	ep, err := iax.Listen(t.Context(), "127.0.0.1:0", iax.Config{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ep.Close() })

	c, err := ep.Dial(iax.DialOptions{Peer: p.Addr(), Called: "601", Username: "handset3", Secret: "crypt0", Encryption: iax.EncryptionRequired})
	if err != nil {
		t.Fatal(err)
	}
	if err := c.Wait(t.Context()); err != nil {
		t.Fatalf("Wait() = %v", err)
	}
	if !c.Info().Encrypted {
		t.Error("the call to 601 is not encrypted")
	}
	var tone []byte
	for len(tone) < 50*160 {
		select {
		case v := <-c.Voice():
			tone = append(tone, v.Payload...)
		case <-time.After(10 * time.Second):
			t.Fatal("no tone")
		}
	}
	pcm := make([]int16, len(tone))
	media.DecodeUlaw(pcm, tone)
	if r := audiotest.AnalyzeTone(pcm[:8000], 1004); r.MarginDB < 30 {
		t.Errorf("AnalyzeTone(what the encrypted call heard, 1004) = %.1f dB over %.0f Hz, want >= 30 dB", r.MarginDB, r.OtherHz)
	}
	c.Hangup(0)

	clear, err := ep.Dial(iax.DialOptions{Peer: p.Addr(), Called: "601", Username: "handset3", Secret: "crypt0"})
	if err != nil {
		t.Fatal(err)
	}
	<-clear.Done()
	var he *iax.HangupError
	if !errors.As(clear.Err(), &he) || !he.Rejected || he.CauseCode != 58 || !strings.Contains(he.Cause, "requires AES-128 encryption") {
		t.Fatalf("unencrypted call: %v, want rejected for want of encryption (cause 58)", clear.Err())
	}
	p.Close()
	for _, want := range []string{"encrypted=true", `msg="call refused: not encrypted"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("log has no %q:\n%s", want, logs)
		}
	}
	if strings.Contains(logs.String(), "crypt0") {
		t.Error("the log holds the secret")
	}
}
