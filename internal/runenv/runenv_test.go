package runenv

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/ringo-phone/ringo/telephony/bus"
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

func TestDialFull(t *testing.T) {
	d := Dirs{Config: t.TempDir(), Runtime: t.TempDir()}
	srv, err := bus.Listen(d.Socket(), bus.ServerOptions{MaxClients: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	holder, err := Dial(ctx, d, "agent")
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if _, err := holder.Listen(ctx, "QPE/Application/agent", func(bus.Delivery) {}); err != nil {
		t.Fatal(err)
	}
	_, err = Dial(ctx, d, "phonectl")
	want := "phoned is at its client limit (1 clients, all in use); try again when console programs have ended"
	if !errors.Is(err, ErrBusFull) || errors.Is(err, ErrNoBus) || err.Error() != want {
		t.Errorf("Dial of a full bus = %v, want ErrBusFull: %s", err, want)
	}
}

// TestDialDenied runs itself as an unprivileged user (it needs root to
// change users) against a socket that user may not open.
func TestDialDenied(t *testing.T) {
	if dir := os.Getenv("RINGO_TEST_DENIED_RUNTIME"); dir != "" {
		_, err := Dial(context.Background(), Dirs{Runtime: dir}, "phonectl")
		fmt.Print(err)
		return
	}
	if os.Getuid() != 0 {
		t.Skip("needs root to run a child as another user")
	}
	rt := t.TempDir() // 0700 root: nobody may reach the socket
	srv, err := bus.Listen(filepath.Join(rt, "bus.sock"), bus.ServerOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	// The test binary lives where only root may read; the child needs a copy.
	binDir, err := os.MkdirTemp("", "runenv-denied")
	if err != nil {
		t.Fatal(err)
	}
	defer os.RemoveAll(binDir)
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(binDir, "runenv.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(binDir, 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "-test.run=^TestDialDenied$")
	cmd.Dir = binDir
	cmd.Env = append(os.Environ(), "RINGO_TEST_DENIED_RUNTIME="+rt)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("child: %v: %s", err, out)
	}
	want := "permission denied on the bus socket " + filepath.Join(rt, "bus.sock") + " (you are uid 65534 gid 65534; "
	if !strings.HasPrefix(string(out), want) || !strings.Contains(string(out), "run it as root") {
		t.Errorf("Dial as uid 65534 = %q, want it to start %q", out, want)
	}
}

func TestStateDir(t *testing.T) {
	for _, tc := range []struct {
		env   map[string]string
		args  []string
		state string
	}{
		{nil, nil, DefaultState},
		{map[string]string{EnvState: "/s"}, nil, "/s"},
		{map[string]string{EnvState: "/s"}, []string{"-state", "/t"}, "/t"},
	} {
		fs := flag.NewFlagSet("t", flag.ContinueOnError)
		d := Flags(fs, func(k string) string { return tc.env[k] })
		if err := fs.Parse(tc.args); err != nil {
			t.Fatal(err)
		}
		if d.State != tc.state {
			t.Errorf("Flags(%v, %v).State = %q, want %q", tc.env, tc.args, d.State, tc.state)
		}
	}
	d := Dirs{Config: "/c", Runtime: "/r", State: "/s"}
	if got, want := strings.Join(d.Env(), " "), "RINGO_CONFIG=/c RINGO_RUNTIME=/r RINGO_STATE=/s"; got != want {
		t.Errorf("Env() = %q, want %q", got, want)
	}
	d.State = ""
	if got := strings.Join(d.Env(), " "); strings.Contains(got, EnvState) {
		t.Errorf("Env() without a state directory = %q, want no %s", got, EnvState)
	}
}
