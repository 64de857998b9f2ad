package hil

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
	"github.com/ringo-phone/ringo/internal/tmuxtest"
	"github.com/ringo-phone/ringo/tools/qemu"
)

// buildRingoBoot builds ringo-boot and the peers it starts beside the
// guest (iaxpbx for -pbx, modemsim for -modem) into one folder, removed
// when the test ends, and returns it.
func buildRingoBoot(t *testing.T) string {
	t.Helper()
	bin, err := proctest.Build(
		"github.com/ringo-phone/ringo/tools/qemu/cmd/ringo-boot",
		"github.com/ringo-phone/ringo/tools/iaxpbx",
		"github.com/ringo-phone/ringo/tools/modemsim")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(bin) })
	return bin
}

// TestPhoneUI boots the image as `make run UI=1` does (ringo-boot -ui, with
// the embedded IAX2 peer and modemsim beside the guest) inside tmux at
// 80×24, tmux being the serial console's terminal emulator, and uses the
// call screen uinit starts on the console (TERM=vt100) as a person would:
// the status bar shows both services, asterisk and the modem, Home; the
// number typed on the keypad (the virtio keyboard, keys pressed over QMP)
// shows in the dialer; the console's Enter (the keypad's send key goes to
// phoned's own dialer) asks for the call type, since both services can
// call 600, and the chooser lists both; Asterisk's connects on the call
// screen; the keypad's end key hangs up; ^C gives the console to the
// shell and `exit` gives the call screen back; Ctrl-A X leaves QEMU.
func TestPhoneUI(t *testing.T) {
	kernel, initrd := Image(t)
	bin := buildRingoBoot(t)
	tmp := t.TempDir()
	// The Makefile's run target with UI=1, from the module root, less the
	// state disk and the sound card, which the screen does not show; the
	// logs and QEMU's temporary directory (with its QMP socket) move into
	// the test's.
	boot := fmt.Sprintf("exec env TMPDIR=%s %s -kernel %s -initrd %s -pbx initramfs/demo-pbx.conf -pbx-log %s -modem -modem-log %s -ui",
		tmp, filepath.Join(bin, "ringo-boot"), kernel, initrd, filepath.Join(tmp, "iaxpbx.log"), filepath.Join(tmp, "modemsim.log"))
	tm := tmuxtest.Start(t, 80, 24, moduleRoot(), boot)
	t.Cleanup(func() {
		if t.Failed() {
			// The guest's side: what uinit printed while the call screen
			// ran and phoned's log (its agents' records are in it), read
			// in the shell ^C gives.
			// Best effort: the test has failed already.
			shows := func(rx string) {
				for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
					if regexp.MustCompile(rx).MatchString(tm.Capture()) {
						return
					}
				}
			}
			tm.Keys("C-c")
			shows(`(?m)^# `)
			tm.Type("cat /run/ringo/log/console.log; tail -n 30 /run/ringo/log/phoned.log; echo end-of-log")
			tm.Keys("Enter")
			shows(`(?m)^end-of-log`)
			t.Logf("the console's last lines:\n%s", tm.Tmux("capture-pane", "-p", "-J", "-S", "-100", "-t", tmuxtest.Target))
			for _, f := range []string{"iaxpbx.log", "modemsim.log"} {
				b, _ := os.ReadFile(filepath.Join(tmp, f))
				t.Logf("%s:\n%s", f, b)
			}
		}
	})
	const step = time.Minute

	// The call screen, with both services registered and the shell one
	// key away.
	// The key rows are the terminal's last two (a serial console's tty
	// has no size: phoneui draws for vt100's 24 rows, not tcell's 25).
	tm.Wait(BootTimeout+step, `asterisk\s+\[asterisk\]\s+Home`, `modem\s+\[cellular\]\s+Home`, `Number:`,
		`\n-{80}\n Type the number .*Backspace delete\n Esc clear   Tab history/calls   \^C shell\n$`)
	tm.Keep("qemu-dialer")

	socks, _ := filepath.Glob(filepath.Join(tmp, "ringo-qemu-*", "qmp.sock"))
	if len(socks) != 1 {
		t.Fatalf("QEMU's QMP sockets under the test's TMPDIR: %q, want one", socks)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	press := func(keys ...string) {
		t.Helper()
		for _, k := range keys {
			if err := qemu.PressKeyAt(ctx, socks[0], k); err != nil {
				t.Fatal(err)
			}
		}
	}

	t.Run("keypad digits, chooser, call, hang up", func(t *testing.T) {
		press("6", "0", "0")
		tm.Wait(step, `Number: 600\b`)
		tm.Keys("Enter")
		screen := tm.Wait(step, `Several services can call 600\. Choose a call type:`,
			`[ >] \d  Asterisk\s+\[asterisk\]\s+asterisk`, `[ >] \d  Voice\s+\[cellular\]\s+modem`,
			`\n-{80}\n Up/Down or 1-9 choose   Enter call   Esc back to the dialer   \^C shell\n$`)
		tm.Keep("qemu-chooser")
		m := regexp.MustCompile(`(\d)  Asterisk`).FindStringSubmatch(screen)
		tm.Type(m[1])
		tm.Wait(step, `> 1  Connected \d\d:\d\d\s+600\s+Asterisk`,
			`\n-{80}\n Enter answer .* t transfer\n Up/Down select   Tab dialer \(new call\)   \^C shell\n$`)
		tm.Keep("qemu-calls")
		press("esc") // the keypad's end key
		tm.Wait(step, `Call with 600 ended\.`, `Number:`)
		if b, _ := os.ReadFile(filepath.Join(tmp, "iaxpbx.log")); !strings.Contains(string(b), "called=600") {
			t.Errorf("iaxpbx logged no call to 600:\n%s", b)
		}
	})

	t.Run("the shell one key away", func(t *testing.T) {
		tm.Keys("C-c")
		tm.Wait(step, "`exit` \\(or \\^D\\) gives the console back to the call screen", `(?m)^# `)
		tm.Type("echo $((6*7))")
		tm.Keys("Enter")
		tm.Wait(step, `(?m)^42\s*$`)
		tm.Type("exit")
		tm.Keys("Enter")
		tm.Wait(step, `asterisk\s+\[asterisk\]\s+Home`, `Number:`, `\^C shell`)
	})

	// Ctrl-A X leaves QEMU; ringo-boot exits 0.
	tm.Keys("C-a", "x")
	deadline := time.Now().Add(step)
	for {
		out := tm.Tmux("display-message", "-p", "-t", tmuxtest.Target, "#{pane_dead} #{pane_dead_status}")
		if f := strings.Fields(out); len(f) == 2 && f[0] == "1" {
			if f[1] != "0" {
				t.Errorf("ringo-boot after Ctrl-A X exited %s, want 0", f[1])
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("ringo-boot still runs %v after Ctrl-A X", step)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(50 * time.Millisecond):
		}
	}
}
