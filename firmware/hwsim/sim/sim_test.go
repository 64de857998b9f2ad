package sim

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
	"github.com/ringo-phone/ringo/internal/command"
)

// fakeSim is a live gpio-sim chip below root as the kernel shows it.
func fakeSim(t *testing.T, root string, s board.GPIOSim) string {
	t.Helper()
	dev := filepath.Join(root, "sys/kernel/config/gpio-sim", s.Name)
	w := func(path, v string) {
		t.Helper()
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(v+"\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	w(filepath.Join(dev, "live"), "1")
	w(filepath.Join(dev, "dev_name"), "gpio-sim.0")
	w(filepath.Join(dev, "bank0/chip_name"), "gpiochip1")
	w(filepath.Join(dev, "bank0/num_lines"), fmt.Sprint(len(s.Lines)))
	sysfs := filepath.Join(root, "sys/devices/platform/gpio-sim.0/gpiochip1")
	for i, n := range s.Lines {
		w(filepath.Join(dev, fmt.Sprintf("bank0/line%d/name", i)), n)
		w(filepath.Join(sysfs, fmt.Sprintf("sim_gpio%d/pull", i)), "pull-down")
		w(filepath.Join(sysfs, fmt.Sprintf("sim_gpio%d/value", i)), "0")
	}
	return sysfs
}

func runSim(args ...string) (code int, stdout, stderr string) {
	var out, errb bytes.Buffer
	env := command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
	code = Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestDriveLines(t *testing.T) {
	root := t.TempDir()
	b := board.QEMUVirt
	sysfs := fakeSim(t, root, b.GPIOSim[0])
	pull := func(line string) string {
		i := -1
		for j, n := range b.GPIOSim[0].Lines {
			if n == line {
				i = j
			}
		}
		got, err := os.ReadFile(filepath.Join(sysfs, fmt.Sprintf("sim_gpio%d/pull", i)))
		if err != nil {
			t.Fatal(err)
		}
		return strings.TrimSpace(string(got))
	}
	for _, tc := range []struct {
		args       []string
		line, want string
	}{
		{[]string{"flight", "on"}, "FLIGHT_MODE", "pull-up"},
		{[]string{"flight", "off"}, "FLIGHT_MODE", "pull-down"},
		{[]string{"status-line", "high"}, "STATUS", "pull-up"},
		{[]string{"status-line", "low"}, "STATUS", "pull-down"},
	} {
		code, out, errs := runSim(append([]string{"-board", "qemu-virt", "-root", root}, tc.args...)...)
		if code != 0 || pull(tc.line) != tc.want {
			t.Errorf("hwsim %v: exit %d (%s), %s pull %q, want %q", tc.args, code, errs, tc.line, pull(tc.line), tc.want)
		}
		if !strings.Contains(out, tc.line) {
			t.Errorf("hwsim %v printed %q, want it to name %s", tc.args, out, tc.line)
		}
	}
	os.WriteFile(filepath.Join(sysfs, "sim_gpio5/value"), []byte("1\n"), 0o644)
	code, out, _ := runSim("-board", "qemu-virt", "-root", root, "lines")
	if code != 0 || !strings.Contains(out, "ringo-board 5 STATUS     high") || !strings.Contains(out, "ringo-board 0 FLIGHT_MODE low") {
		t.Errorf("hwsim lines: exit %d:\n%s", code, out)
	}
}

func TestBadUse(t *testing.T) {
	root := t.TempDir()
	fakeSim(t, root, board.QEMUVirt.GPIOSim[0])
	for _, tc := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"-board", "qemu-virt", "-root", root}, 2, "no command"},
		{[]string{"-board", "qemu-virt", "-root", root, "flight", "maybe"}, 2, "flight takes on or off"},
		{[]string{"-board", "qemu-virt", "-root", root, "dance"}, 2, `unknown command "dance"`},
		{[]string{"-board", "pinephone-1.2", "-root", root, "lines"}, 1, "no simulated hardware"},
		{[]string{"-board", "qemu-virt", "-root", t.TempDir(), "flight", "on"}, 1, "gpio-sim"},
	} {
		code, _, errs := runSim(tc.args...)
		if code != tc.code || !strings.Contains(errs, tc.msg) {
			t.Errorf("hwsim %v: exit %d, stderr %q; want %d and %q", tc.args, code, errs, tc.code, tc.msg)
		}
	}
}
