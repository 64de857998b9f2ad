package iax

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
)

func TestSecretsNotPrinted(t *testing.T) {
	for _, v := range []any{
		RegisterOptions{Username: "handset1", Secret: "s3cret"},
		DialOptions{Username: "handset1", Secret: "s3cret"},
		User{Name: "handset1", Secret: "s3cret"},
	} {
		for _, verb := range []string{"%v", "%+v", "%s"} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, "s3cret") || !strings.Contains(s, "handset1") {
				t.Errorf("Sprintf(%s, %T) = %s, want the user without the secret", verb, v, s)
			}
		}
	}
}

// A whole registration and call at debug level leave no secret or MD5
// answer in the log.
func TestLogsHoldNoSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	a := newAsterisk(t, Config{Logger: logger})
	pkts := readCapture(t, "register-calltoken-md5-release.pcapng")
	if _, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "handset1", Secret: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	us := a.recv().SourceCall
	a.play(pkts[1], us)
	a.recv()
	a.play(pkts[3], us)
	a.recv()     // the REGREQ with the MD5 answer, logged at debug level
	a.ep.Close() // waits for the loop: the log is complete
	log := buf.String()
	if !strings.Contains(log, "category=voip") || !strings.Contains(log, "REGREQ") {
		t.Fatalf("log lacks the exchange:\n%s", log)
	}
	for _, secret := range []string{"s3cret", "104221039886b493460e82eab66839a5"} {
		if strings.Contains(log, secret) {
			t.Errorf("log contains %q:\n%s", secret, log)
		}
	}
}
