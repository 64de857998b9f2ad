package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestCallHint(t *testing.T) {
	conf := filepath.Join(t.TempDir(), "pbx.conf")
	text := "[pbx]\nlisten = 127.0.0.1:4569\n[user handset]\nsecret = a\nnumber = 200\n[user desk]\nsecret = b\nnumber = 300\n"
	if err := os.WriteFile(conf, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	got := callHint(conf, 4242)
	for _, want := range []string{"nsenter -t 4242 -n ", " call -server 127.0.0.1:4569 -user desk -dial 200 ", "handset, number 200", "its secret is in " + conf} {
		if !strings.Contains(got, want) {
			t.Errorf("callHint = %q, want it to hold %q", got, want)
		}
	}
	if strings.Contains(got, "secret = ") || strings.Contains(got, " b ") {
		t.Errorf("callHint = %q shows a secret", got)
	}
	if err := os.WriteFile(conf, []byte("[pbx]\nlisten = 127.0.0.1:4569\n[user handset]\nsecret = a\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if got := callHint(conf, 1); got != "" {
		t.Errorf("callHint with one account = %q, want none", got)
	}
}
