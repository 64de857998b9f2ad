package asteriskconf

import (
	"errors"
	"strings"
	"testing"
)

func TestEncryptionKey(t *testing.T) {
	base := "[Registration]\nServer = pbx\nUserId = u\nPassword = p\n"
	for in, want := range map[string]Encryption{
		"":                        EncryptionNo,
		"Encryption = no\n":       EncryptionNo,
		"Encryption = aes128\n":   EncryptionAES128,
		"Encryption = AES128\n":   EncryptionAES128,
		"Encryption = required\n": EncryptionRequired,
		"Encryption =\n":          EncryptionNo,
	} {
		s, err := Parse([]byte(base + in))
		if err != nil || s.Encryption != want {
			t.Errorf("Parse(%q) Encryption = %v, %v; want %v", in, s.Encryption, err, want)
			continue
		}
		// Save's text reads back the same; no key is written for no,
		// so that files without one stay as they were.
		again, err := Parse(s.Marshal())
		if err != nil || again != s {
			t.Errorf("round trip of %q: %+v, %v", in, again, err)
		}
		if hasKey := strings.Contains(string(s.Marshal()), "Encryption"); hasKey != (want != EncryptionNo) {
			t.Errorf("Marshal of %v writes the key: %v", want, hasKey)
		}
		if !strings.Contains(s.String(), "encryption="+want.String()) {
			t.Errorf("String() = %s, want encryption=%v", s, want)
		}
	}
	for in, says := range map[string]string{
		base + "Encryption = aes256\n":                                      `Encryption = "aes256" is not aes128, required or no`,
		"[Registration]\nServer = pbx\nUserId = u\nEncryption = required\n": "Encryption is required but there is no Password",
	} {
		if _, err := Parse([]byte(in)); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), says) {
			t.Errorf("Parse(%q) = %v, want ErrInvalid saying %q", in, err, says)
		}
	}
	bad := Default()
	bad.Encryption = "always"
	if err := bad.Validate(); !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), `"always"`) {
		t.Errorf("Validate(Encryption always) = %v", err)
	}
}
