package qemu

import (
	"context"
	"errors"
	"github.com/ringo-phone/ringo/internal/testenv"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestArgs(t *testing.T) {
	cfg := Config{
		Kernel: "k", Initrd: "i", Append: "ringo.test=1",
		HostForwards:  []Forward{{Proto: "udp", HostPort: 14569, GuestPort: 4569}},
		GuestForwards: []GuestForward{{GuestAddr: "10.0.2.100", GuestPort: 4713, HostPort: 4713}},
		Keyboard:      true,
	}
	got := strings.Join(cfg.Args("/q.sock"), " ")
	want := "-M virt -cpu cortex-a53 -smp 1 -m 512 -display none -no-reboot -kernel k -initrd i " +
		"-append console=ttyAMA0 quiet ringo.test=1 " +
		"-chardev stdio,id=con,mux=on,signal=off -serial chardev:con -mon chardev=con,mode=readline " +
		"-netdev user,id=n0,net=10.0.2.0/24,hostfwd=udp:127.0.0.1:14569-:4569,guestfwd=tcp:10.0.2.100:4713-tcp:127.0.0.1:4713 " +
		"-device virtio-net-device,netdev=n0 -global virtio-mmio.force-legacy=false -device virtio-keyboard-device -qmp unix:/q.sock,server=on,wait=off"
	if got != want {
		t.Errorf("Args =\n%s\nwant\n%s", got, want)
	}
}

// fakeMachine starts a "QEMU" that is a plain shell reading the console, so
// the console logic runs against a real process without booting anything.
func fakeMachine(t *testing.T) *Machine {
	t.Helper()
	dir := t.TempDir()
	for _, f := range []string{"kernel", "initrd"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bin := filepath.Join(dir, "fake-qemu")
	if err := os.WriteFile(bin, []byte("#!/bin/sh\necho 'Ringo test banner'\nexec sh\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	m, err := Start(context.Background(), Config{
		Kernel: filepath.Join(dir, "kernel"), Initrd: filepath.Join(dir, "initrd"), Binary: bin,
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	return m
}

func TestConsoleRun(t *testing.T) {
	m := fakeMachine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	line, err := m.WaitFor(ctx, "banner")
	if err != nil || line != "Ringo test banner" {
		t.Fatalf("WaitFor(banner) = %q, %v", line, err)
	}
	out, rc, err := m.Run(ctx, "printf 'a\\nb\\n'")
	if err != nil || out != "a\nb" || rc != 0 {
		t.Errorf("Run(printf) = %q, %d, %v; want \"a\\nb\", 0", out, rc, err)
	}
	out, rc, err = m.Run(ctx, "(exit 3)")
	if err != nil || out != "" || rc != 3 {
		t.Errorf("Run(exit 3) = %q, %d, %v; want \"\", 3", out, rc, err)
	}
	if !strings.Contains(m.Transcript(), "Ringo test banner") {
		t.Errorf("transcript lacks the banner: %q", m.Transcript())
	}
}

func TestConsoleExitAndClose(t *testing.T) {
	m := fakeMachine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Send("echo bye; exit 0\n"); err != nil {
		t.Fatal(err)
	}
	if _, err := m.WaitFor(ctx, "bye"); err != nil {
		t.Fatalf("WaitFor(bye) = %v", err)
	}
	if _, err := m.WaitFor(ctx, "never printed"); !errors.Is(err, ErrExited) {
		t.Errorf("WaitFor after exit = %v, want ErrExited", err)
	}
	if err := m.Close(); err != nil {
		t.Error(err)
	}
	if err := m.Close(); err != nil {
		t.Errorf("second Close = %v", err)
	}
}

func TestCloseKillsAndTimeout(t *testing.T) {
	m := fakeMachine(t)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if _, err := m.WaitFor(ctx, "never printed"); !errors.Is(err, ErrTimeout) {
		t.Errorf("WaitFor = %v, want ErrTimeout", err)
	}
	pid := m.Pid()
	m.Close()
	select {
	case <-m.Done():
	default:
		t.Fatal("Close returned before the process exited")
	}
	if err := syscallKill0(pid); err == nil {
		t.Errorf("process %d still exists after Close", pid)
	}
}

func TestMissingKernel(t *testing.T) {
	_, err := Start(context.Background(), Config{Kernel: filepath.Join(t.TempDir(), "none"), Initrd: "x"})
	if !errors.Is(err, ErrNoKernel) {
		t.Errorf("Start without kernel = %v, want ErrNoKernel", err)
	}
}

// TestCommandJoinsTheNamespace checks that a companion command sees the
// isolated namespace (only loopback), not the host's interfaces.
func TestCommandJoinsTheNamespace(t *testing.T) {
	testenv.RequireTool(t, "nsenter")
	testenv.RequireRoot(t)
	dir := t.TempDir()
	for _, f := range []string{"kernel", "initrd"} {
		os.WriteFile(filepath.Join(dir, f), nil, 0o644)
	}
	bin := filepath.Join(dir, "fake-qemu")
	// It stays itself (sleep is its child): Start waits for the wrapper
	// to have become it.
	os.WriteFile(bin, []byte("#!/bin/sh\necho up\nsleep 60\n"), 0o755)
	m, err := Start(context.Background(), Config{Kernel: filepath.Join(dir, "kernel"), Initrd: filepath.Join(dir, "initrd"), Binary: bin, Isolate: true})
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	// Right after Start, before QEMU's first output: the namespace is
	// there, loopback up.
	out, err := m.Command("ip", "-o", "link").CombinedOutput()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "lo:") || !strings.Contains(lines[0], "UP") {
		t.Errorf("the namespace has %q; want only loopback, up", lines)
	}
}

func TestArgsStateDisk(t *testing.T) {
	got := strings.Join(Config{Kernel: "k", Initrd: "i", StateDisk: "build/a,b.img"}.Args(""), " ")
	want := "-drive file=build/a,,b.img,if=none,id=state,format=raw -device virtio-blk-device,drive=state"
	if !strings.HasSuffix(got, want) {
		t.Errorf("Args with a state disk =\n%s\nwant it to end in\n%s", got, want)
	}
}

// A sound card: QEMU's USB audio on its XHCI controller, writing the
// guest's playback to the WAV file at calls' rate, in stereo.
func TestArgsSound(t *testing.T) {
	got := strings.Join(Config{Kernel: "k", Initrd: "i", SoundWAV: "/tmp/x,y.wav"}.Args(""), " ")
	want := "-device qemu-xhci,id=xhci -device usb-audio,bus=xhci.0,audiodev=snd0 " +
		"-audiodev wav,id=snd0,path=/tmp/x,,y.wav,out.frequency=8000,out.channels=2,out.format=s16"
	if !strings.HasSuffix(got, want) {
		t.Errorf("Args with a sound card =\n%s\nwant it to end in\n%s", got, want)
	}
	if !strings.Contains(got, " -smp 2 ") {
		t.Errorf("Args with a sound card =\n%s\nwant two cores (-smp 2)", got)
	}
	got = strings.Join(Config{Kernel: "k", Initrd: "i"}.Args(""), " ")
	if strings.Contains(got, "audio") || !strings.Contains(got, " -smp 1 ") {
		t.Errorf("Args without SoundWAV =\n%s\nwant no sound device, one core", got)
	}
	if got := strings.Join(Config{Kernel: "k", Initrd: "i", SoundWAV: "s.wav", CPUs: 1}.Args(""), " "); !strings.Contains(got, " -smp 1 ") {
		t.Errorf("Args with CPUs 1 =\n%s\nwant -smp 1", got)
	}
}
