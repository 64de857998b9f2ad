package main

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestSeedConfig(t *testing.T) {
	src, dst := t.TempDir(), t.TempDir()
	write := func(dir, rel, body string, perm os.FileMode) {
		t.Helper()
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), perm); err != nil {
			t.Fatal(err)
		}
	}
	write(src, "Asterisk.conf", "image default", 0o600)
	write(src, "Telephony.conf", "policy", 0o644)
	write(src, "services/Telephony/iaxagent", "svc", 0o644)
	write(dst, "Asterisk.conf", "changed at run time", 0o600)

	copied, err := seedConfig(src, dst)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"Telephony.conf", filepath.Join("services", "Telephony", "iaxagent")}
	if !slices.Equal(copied, want) {
		t.Errorf("copied %q, want %q", copied, want)
	}
	if b, _ := os.ReadFile(filepath.Join(dst, "Asterisk.conf")); string(b) != "changed at run time" {
		t.Errorf("Asterisk.conf = %q: a file already on the state disk was overwritten", b)
	}
	if fi, err := os.Stat(filepath.Join(dst, "Telephony.conf")); err != nil || fi.Mode().Perm() != 0o644 {
		t.Errorf("Telephony.conf copied as %v, %v; want 0644", fi, err)
	}
	if copied, err := seedConfig(src, dst); err != nil || len(copied) != 0 {
		t.Errorf("second seed copied %q, %v; want nothing", copied, err)
	}
	if _, err := seedConfig(filepath.Join(src, "missing"), dst); err == nil {
		t.Error("seeding from a missing directory: no error")
	}
}
