package settings

import (
	"errors"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/asteriskconf"
	"github.com/ringo-phone/ringo/internal/command"
)

// set -encryption writes [Registration] Encryption, show prints it, and
// a word other than aes128, required or no is a usage error saying so.
func TestSetEncryption(t *testing.T) {
	e := newEnv(t)
	if out, err := e.run(t, "crypt0\n", "set", "-server", "127.0.0.1", "-user", "handset3", "-password", "-", "-encryption", "required"); err != nil {
		t.Fatalf("set: %v\n%s", err, out)
	}
	if s, err := asteriskconf.Load(e.config); err != nil || s.Encryption != asteriskconf.EncryptionRequired || s.Password != "crypt0" {
		t.Fatalf("file = %+v, %v; want Encryption required", s, err)
	}
	out, err := e.run(t, "", "show")
	if err != nil || !strings.Contains(out, "encryption:        required") {
		t.Errorf("show = %v:\n%s\nwant encryption: required", err, out)
	}
	if _, err := e.run(t, "", "set", "-encryption", "no"); err != nil {
		t.Fatal(err)
	}
	if s, _ := asteriskconf.Load(e.config); s.Encryption != asteriskconf.EncryptionNo || s.UserID != "handset3" {
		t.Errorf("after set -encryption no: %+v", s)
	}
	for _, bad := range []string{"aes256", ""} {
		_, err := e.run(t, "", "set", "-encryption", bad)
		if !errors.Is(err, command.ErrUsage) || !strings.Contains(err.Error(), "-encryption wants aes128, required or no") {
			t.Errorf("set -encryption %q = %v, want a usage error naming the choices", bad, err)
		}
	}
}
