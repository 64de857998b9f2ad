package runenv

import (
	"context"
	"errors"
	"flag"
	"path/filepath"
	"testing"
)

func TestFlagsDefaults(t *testing.T) {
	for _, tc := range []struct {
		env        map[string]string
		args       []string
		cfg, rtime string
	}{
		{nil, nil, DefaultConfig, DefaultRuntime},
		{map[string]string{EnvConfig: "/c", EnvRuntime: "/r"}, nil, "/c", "/r"},
		{map[string]string{EnvConfig: "/c"}, []string{"-config", "/x", "-runtime", "/y"}, "/x", "/y"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		d := Flags(fs, func(k string) string { return tc.env[k] })
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if d.Config != tc.cfg || d.Runtime != tc.rtime {
			t.Errorf("Flags(%v, %v) = %q %q, want %q %q", tc.env, tc.args, d.Config, d.Runtime, tc.cfg, tc.rtime)
		}
	}
}

func TestDialNoBus(t *testing.T) {
	d := Dirs{Config: t.TempDir(), Runtime: t.TempDir()}
	_, err := Dial(context.Background(), d, "x")
	if !errors.Is(err, ErrNoBus) {
		t.Fatalf("Dial without phoned = %v, want ErrNoBus", err)
	}
	if got, want := d.Socket(), filepath.Join(d.Runtime, "bus.sock"); got != want {
		t.Errorf("Socket() = %q, want %q", got, want)
	}
}
