package hil

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/tty/ttytest"
)

// TestConsole boots the image as `make run` does (ringo-boot with the
// Makefile's flags, the embedded IAX2 peer beside the guest) on a
// pseudo-terminal, and uses the serial console as a person would, typing
// keys as a terminal sends them: the programs the shell runs get a cooked
// tty (stty shows echo and icanon), `vsexplorer shell` echoes typed lines
// and runs them on Enter (CR), ^C ends `vsexplorer watch` and the console
// goes on with QEMU and ringo-boot still running, ^D ends `cat`, and
// Ctrl-A X leaves QEMU: ringo-boot exits 0 and leaves no temporary
// directory behind.
func TestConsole(t *testing.T) {
	kernel, initrd := Image(t)
	bin := buildRingoBoot(t)
	tmp := t.TempDir()
	// The Makefile's run target: ringo-boot -kernel K -initrd I -pbx
	// initramfs/demo-pbx.conf -wav ..., from the module root. Only the
	// peer's log and the speaker's WAV move, out of the shared build
	// directory.
	cmd := exec.Command(filepath.Join(bin, "ringo-boot"), "-kernel", kernel, "-initrd", initrd,
		"-pbx", "initramfs/demo-pbx.conf", "-pbx-log", filepath.Join(tmp, "iaxpbx.log"),
		"-wav", filepath.Join(tmp, "speaker.wav"))
	cmd.Dir = moduleRoot()
	cmd.Env = append(os.Environ(), "TMPDIR="+tmp)
	tm := ttytest.Start(t, cmd)
	t.Cleanup(func() {
		if t.Failed() {
			b, _ := os.ReadFile(filepath.Join(tmp, "iaxpbx.log"))
			t.Logf("iaxpbx log:\n%s", b)
		}
	})

	const step = time.Minute
	tm.Expect("ringo-boot: booting", step)
	tm.Expect("compatible linux,dummy-virt up ", BootTimeout)
	tm.Expect("# ", step)
	// Line ends reach this terminal as CR CR NL (the guest's tty and
	// QEMU's stdio each turn NL into CR NL): compare without CRs.
	noCR := func(s string) string { return strings.ReplaceAll(s, "\r", "") }
	// run types a command line and Enter, and returns what the command
	// printed up to the next prompt; the prompt says a failure's code.
	run := func(line string) string {
		t.Helper()
		tm.Type(line + ttytest.Enter)
		tm.Expect(line, step)
		tm.Expect("\n", step)
		out := noCR(tm.Expect("# ", step))
		if m := regexp.MustCompile(`\[exit (\d+)\] $`).FindStringSubmatch(out); m != nil {
			t.Fatalf("%s failed with exit code %s:\n%s", line, m[1], ttytest.Printable(out))
		}
		return out
	}

	// The shell's programs see a cooked tty.
	out := run("stty")
	for _, flag := range []string{"echo", "icanon", "icrnl", "isig", "onlcr"} {
		if !regexp.MustCompile(`(^|\s)` + flag + `(\s|$)`).MatchString(out) {
			t.Errorf("stty on the console lacks %q:\n%s", flag, ttytest.Printable(out))
		}
	}
	// vsexplorer needs phoned's bus, which comes up shortly after the
	// prompt.
	run("until vsexplorer ls / >/dev/null 2>&1; do sleep 0.1; done")
	// The listing below shows the agent's service, which it publishes a
	// moment later (later still while PulseAudio and the sound card's
	// modules start beside it).
	run("until vsexplorer ls /Communications | grep -q QNetworkRegistration; do sleep 0.1; done")

	// vsexplorer's shell: what is typed is echoed, Enter (CR) runs it.
	tm.Type("vsexplorer shell" + ttytest.Enter)
	tm.Expect("vs:/> ", step)
	tm.Type("cd /Communications" + ttytest.Enter)
	tm.Expect("cd /Communications", step)
	if got := noCR(tm.Expect("vs:/Communications> ", step)); got != "\n" {
		t.Errorf("after cd in vsexplorer's shell the console showed %q before its prompt, want only the line end", got)
	}
	tm.Type("ls" + ttytest.Enter)
	if got := tm.Expect("vs:/Communications> ", step); !strings.Contains(got, "QNetworkRegistration/") {
		t.Errorf("ls in vsexplorer's shell printed %q, want QNetworkRegistration/ among the names", ttytest.Printable(got))
	}
	tm.Type("exit" + ttytest.Enter)
	tm.Expect("exit", step)
	tm.Expect("# ", step)

	// ^C ends a watch; the console, QEMU and ringo-boot go on.
	tm.Type("vsexplorer watch /Telephony" + ttytest.Enter)
	tm.Expect("/Telephony/Status/asterisk/", step)
	tm.Type(ttytest.CtrlC)
	tm.Expect("^C", step)
	tm.Expect("# ", step)
	if got := run("echo still here"); got != "still here\n" {
		t.Errorf("after ^C echo printed %q", ttytest.Printable(got))
	}
	select {
	case <-tm.Exited():
		t.Fatalf("ringo-boot exited after ^C: %v", tm.Wait(0))
	default:
	}

	// cat ends on ^D.
	tm.Type("cat" + ttytest.Enter)
	tm.Expect("cat", step)
	tm.Expect("\n", step)
	tm.Type("typed to cat" + ttytest.Enter)
	tm.Expect("typed to cat", step) // the echo
	tm.Expect("typed to cat", step) // cat's copy
	tm.Expect("\n", step)
	tm.Type(ttytest.CtrlD)
	if got := noCR(tm.Expect("# ", step)); got != "" {
		t.Errorf("after ^D ended cat the console showed %q before the prompt", ttytest.Printable(got))
	}

	// Ctrl-A X leaves QEMU.
	tm.Type(ttytest.CtrlA + "x")
	if err := tm.Wait(step); err != nil {
		t.Errorf("ringo-boot after Ctrl-A X: %v, want exit 0", err)
	}
	if left, _ := filepath.Glob(filepath.Join(tmp, "ringo-qemu-*")); len(left) != 0 {
		t.Errorf("ringo-boot left %q behind", left)
	}
}
