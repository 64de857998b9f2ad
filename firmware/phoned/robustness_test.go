//go:build linux

package main

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/bus"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
	"golang.org/x/sys/unix"
)

// kill -9 of phoned takes its agents with it (no orphans); a phoned
// started again starts fresh ones.
func TestNoOrphans(t *testing.T) {
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	rt := t.TempDir()
	p := startPhoned(t, cfg.dir, rt)
	regKey := vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"), telephony.KeyRegistrationState)
	p.waitValue(regKey, equals(vs.String("Home")))
	v, _, err := p.c.Get(context.Background(), agentKey("fakevoip", phoneapi.KeyAgentPID))
	if err != nil {
		t.Fatal(err)
	}
	pid, _ := v.Int()
	fd, err := unix.PidfdOpen(int(pid), 0)
	if err != nil {
		t.Fatalf("pidfd_open(%d): %v", pid, err)
	}
	defer unix.Close(fd)

	p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
	// The agent's pidfd becomes readable when it exits.
	fds := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLIN}}
	n, err := unix.Poll(fds, int(waitLimit/time.Millisecond))
	if err != nil || n != 1 {
		t.Fatalf("agent %d still running after phoned was killed (poll = %d, %v)", pid, n, err)
	}

	p2 := startPhoned(t, cfg.dir, rt)
	p2.waitValue(regKey, equals(vs.String("Home")))
	v, _, _ = p2.c.Get(context.Background(), agentKey("fakevoip", phoneapi.KeyAgentPID))
	if pid2, _ := v.Int(); pid2 == pid || pid2 == 0 {
		t.Errorf("new phoned's agent pid = %d, want a fresh process (old %d)", pid2, pid)
	}
}

// Misbehaving bus clients of a real phoned — garbage, a 100 MB message, a
// client that never reads — are dropped, and the others keep their speed.
func TestMisbehavingClients(t *testing.T) {
	cfg := newConfig(t)
	cfg.agent(t, "fakevoip", "Service = testsvc")
	cfg.manager.WriteString("[Managers]\ntestsvc = generic\n")
	cfg.write(t)
	p := startPhoned(t, cfg.dir, t.TempDir())
	ctx := context.Background()
	regKey := vs.Join(telephony.InterfacePath(telephony.NetworkRegistrationInterface, "testsvc"), telephony.KeyRegistrationState)
	p.waitValue(regKey, equals(vs.String("Home")))
	sock := bus.SocketPath(p.rt)

	// roundTrip measures a Get of a healthy client.
	roundTrip := func() time.Duration {
		start := time.Now()
		if _, _, err := p.c.Get(ctx, regKey); err != nil {
			t.Fatal(err)
		}
		return time.Since(start)
	}
	hello := func(name string) net.Conn {
		c, err := net.Dial("unix", sock)
		if err != nil {
			t.Fatal(err)
		}
		f, _ := bus.AppendFrame(nil, &bus.Message{Op: bus.OpHello, Version: bus.Version, Name: name}, bus.MaxMessageSize)
		if _, err := c.Write(f); err != nil {
			t.Fatal(err)
		}
		var m bus.Message
		payload, err := bus.ReadFrame(c, nil, bus.MaxMessageSize)
		if err != nil || m.Unmarshal(payload) != nil || m.Op != bus.OpWelcome {
			t.Fatalf("handshake of %s: %v %v", name, err, m.Op)
		}
		return c
	}
	// dropped waits until the server closes c.
	dropped := func(c net.Conn, what string) {
		t.Helper()
		c.SetReadDeadline(time.Now().Add(waitLimit))
		// A close with unread input arrives as a reset.
		if _, err := io.Copy(io.Discard, c); err != nil && !errors.Is(err, syscall.ECONNRESET) {
			t.Errorf("%s: connection not closed by phoned: %v", what, err)
		}
		c.Close()
	}

	garbage, err := net.Dial("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	garbage.Write([]byte("\x00\x00\x00\x10this is not a bus message at all"))
	dropped(garbage, "garbage")

	huge := hello("huge")
	var hdr [4]byte
	binary.BigEndian.PutUint32(hdr[:], 100<<20)
	go func() {
		huge.Write(hdr[:])
		chunk := make([]byte, 1<<20)
		for i := 0; i < 100; i++ {
			if _, err := huge.Write(chunk); err != nil {
				return
			}
		}
	}()
	dropped(huge, "100 MB message")

	// A client that subscribes to everything and never reads, while the
	// value space changes by megabytes.
	lazy := hello("lazy")
	sub, _ := bus.AppendFrame(nil, &bus.Message{Op: bus.OpSubscribe, ID: 1, Path: "/"}, bus.MaxMessageSize)
	lazy.Write(sub)
	blob := strings.Repeat("x", 256<<10)
	var worst time.Duration
	for i := 0; i < 40; i++ {
		if err := p.c.Set(ctx, "/Test/blob", vs.String(blob+string(rune('a'+i%26)))); err != nil {
			t.Fatal(err)
		}
		worst = max(worst, roundTrip())
	}
	clients, err := p.c.Clients(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range clients {
		if c.Name == "lazy" || c.Name == "huge" {
			t.Errorf("misbehaving client %q still connected", c.Name)
		}
	}
	lazy.Close()
	// The others were neither slowed nor broken.
	if worst > time.Second {
		t.Errorf("worst round trip while flooding = %v, want under 1s", worst)
	}
	out := p.mustCtl("status")
	if !strings.Contains(out, "testsvc  Home") {
		t.Errorf("phonectl status after the misbehaving clients:\n%s", out)
	}
	if strings.Contains(p.log.String(), "agent crashed") {
		t.Errorf("the agent was disturbed:\n%s", p.log.String())
	}
	t.Logf("worst healthy round trip while a non-reader was flooded: %v", worst)
}

// A configuration error ends phoned with 125, "do not restart me", and
// one line saying what is wrong.
func TestConfigErrorExit125(t *testing.T) {
	cfg := newConfig(t)
	cfg.manager.WriteString("[Policy]\nPriority = modem, modem\n")
	cfg.write(t)
	cmd := exec.Command(filepath.Join(bin, "phoned"), "-config", cfg.dir, "-runtime", t.TempDir())
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.ExitCode() != 125 {
		t.Fatalf("phoned with a bad Telephony.conf: %v, want exit 125\n%s", err, out)
	}
	last := strings.TrimSpace(string(out))
	if i := strings.LastIndex(last, "\n"); i >= 0 {
		last = last[i+1:]
	}
	if !strings.HasPrefix(last, "phoned: bad configuration: ") || !strings.Contains(last, "Telephony.conf") {
		t.Errorf("last line = %q, want the configuration error naming Telephony.conf", last)
	}
}
