package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/testenv"
	"github.com/ringo-phone/ringo/internal/tty/ttytest"
	"golang.org/x/sys/unix"
)

var bin string

func TestMain(m *testing.M) {
	dir, err := proctest.Build("github.com/ringo-phone/ringo/tools/qemu/cmd/ringo-boot")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	bin = filepath.Join(dir, "ringo-boot")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// fakeRun is a ringo-boot command whose "QEMU" is a shell script: it
// writes its arguments and pid (qemu-pid) beside itself, says it is up,
// then runs body. The
// command's temporary directory (TMPDIR) is the returned tmp.
func fakeRun(t *testing.T, body string) (cmd *exec.Cmd, tmp, argsFile string) {
	t.Helper()
	testenv.RequireTool(t, "sh")
	dir := t.TempDir()
	tmp = filepath.Join(dir, "tmp")
	binDir := filepath.Join(dir, "bin")
	argsFile = filepath.Join(dir, "qemu-args")
	for _, d := range []string{tmp, binDir} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, f := range []string{"kernel", "initrd"} {
		if err := os.WriteFile(filepath.Join(dir, f), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	script := fmt.Sprintf("#!/bin/sh\necho \"$@\" > %s\necho $$ > %s\necho fake qemu up\n%s\n",
		argsFile, filepath.Join(dir, "qemu-pid"), body)
	if err := os.WriteFile(filepath.Join(binDir, "qemu-system-aarch64"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd = exec.Command(bin, "-isolate=false", "-kernel", filepath.Join(dir, "kernel"), "-initrd", filepath.Join(dir, "initrd"))
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp, "PATH="+binDir+":"+os.Getenv("PATH"))
	return cmd, tmp, argsFile
}

// assertCleaned fails unless ringo-boot left nothing in its TMPDIR.
func assertCleaned(t *testing.T, tmp string) {
	t.Helper()
	left, err := filepath.Glob(filepath.Join(tmp, "ringo-qemu-*"))
	if err != nil || len(left) != 0 {
		t.Errorf("ringo-boot left %q behind (%v)", left, err)
	}
}

func start(t *testing.T, cmd *exec.Cmd) *proctest.Proc {
	t.Helper()
	p := proctest.Start(t, cmd.Path, cmd.Env[len(cmd.Env)-2:], cmd.Args[1:]...)
	p.WaitLine("^fake qemu up$", 30*time.Second)
	return p
}

// Leaving QEMU (Ctrl-A X, or poweroff: QEMU exits 0) exits 0 and removes
// the temporary directory; QEMU got the multiplexed console.
func TestLeavingExitsZeroAndCleansUp(t *testing.T) {
	cmd, tmp, argsFile := fakeRun(t, "exit 0")
	p := start(t, cmd)
	if err := p.Wait(30 * time.Second); err != nil {
		t.Errorf("ringo-boot after QEMU exited 0: %v, want exit 0", err)
	}
	assertCleaned(t, tmp)
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"-chardev stdio,id=con,mux=on,signal=off -serial chardev:con -mon chardev=con,mode=readline", "-qmp unix:" + tmp + "/ringo-qemu-"} {
		if !strings.Contains(string(args), want) {
			t.Errorf("QEMU's arguments %q lack %q", args, want)
		}
	}
}

// -ui adds ringo.ui=1 to the kernel command line, after -append's.
func TestUIFlagAppendsParam(t *testing.T) {
	cmd, _, argsFile := fakeRun(t, "exit 0")
	cmd.Args = append(cmd.Args, "-append", "ringo.term=linux", "-ui")
	p := start(t, cmd)
	if err := p.Wait(30 * time.Second); err != nil {
		t.Fatalf("ringo-boot -ui: %v, want exit 0", err)
	}
	args, err := os.ReadFile(argsFile)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(args), " ringo.term=linux ringo.ui=1") {
		t.Errorf("QEMU's arguments with -append ringo.term=linux -ui = %q, want the kernel command line to end with ringo.term=linux ringo.ui=1", args)
	}
}

func TestQEMUFailureCleansUp(t *testing.T) {
	cmd, tmp, _ := fakeRun(t, "echo bad machine >&2; exit 1")
	p := start(t, cmd)
	err := p.Wait(30 * time.Second)
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
		t.Errorf("ringo-boot after QEMU failed: %v, want exit 1", err)
	}
	if got := p.Matching("^ringo-boot: QEMU failed: exit status 1$"); len(got) != 1 {
		t.Errorf("ringo-boot did not say QEMU failed:\n%s", p.Output())
	}
	assertCleaned(t, tmp)
}

// Each signal that ends ringo-boot stops QEMU and removes its files.
func TestSignalsCleanUp(t *testing.T) {
	for _, sig := range []syscall.Signal{syscall.SIGTERM, syscall.SIGHUP, syscall.SIGINT} {
		t.Run(sig.String(), func(t *testing.T) {
			cmd, tmp, _ := fakeRun(t, "exec sleep 600")
			p := start(t, cmd)
			if err := p.Cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			err := p.Wait(30 * time.Second)
			if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 1 {
				t.Errorf("ringo-boot after %v: %v, want exit 1", sig, err)
			}
			if got := p.Matching("stopped by a signal"); len(got) != 1 {
				t.Errorf("ringo-boot did not say why it stopped:\n%s", p.Output())
			}
			assertCleaned(t, tmp)
			pidText, err := os.ReadFile(filepath.Join(filepath.Dir(tmp), "qemu-pid"))
			if err != nil {
				t.Fatal(err)
			}
			var pid int
			fmt.Sscan(string(pidText), &pid)
			if err := syscall.Kill(pid, 0); err == nil {
				t.Errorf("QEMU (pid %d) still runs after ringo-boot exited", pid)
			}
		})
	}
}

// A QEMU killed while its terminal is raw cannot put it back: ringo-boot
// does.
func TestTerminalModeRestored(t *testing.T) {
	stty := testenv.RequireTool(t, "stty")
	cmd, tmp, _ := fakeRun(t, stty+" raw -echo; echo raw now; exec sleep 600")
	tm := ttytest.Start(t, cmd)
	tm.Expect("raw now", 30*time.Second)
	fd := int(tm.Slave().Fd())
	if mode, err := unix.IoctlGetTermios(fd, unix.TCGETS); err != nil || mode.Lflag&unix.ECHO != 0 {
		t.Fatalf("the fake QEMU did not make the terminal raw: %+v, %v", mode, err)
	}
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	tm.Wait(30 * time.Second)
	mode, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	const cooked = unix.ECHO | unix.ICANON | unix.ISIG
	if mode.Lflag&cooked != cooked || mode.Iflag&unix.ICRNL == 0 {
		t.Errorf("after ringo-boot the terminal has lflag %#o iflag %#o; want echo icanon isig icrnl back", mode.Lflag, mode.Iflag)
	}
	assertCleaned(t, tmp)
}
