package board_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/board"
)

// fakeKernel makes what the kernel shows once a gpio-sim device goes live:
// its platform device and GPIO chip names.
func fakeKernel(t *testing.T, root, name, dev, chip string) {
	t.Helper()
	d := filepath.Join(root, "sys/kernel/config/gpio-sim", name)
	write(t, filepath.Join(d, "dev_name"), dev)
	write(t, filepath.Join(d, "bank0/chip_name"), chip)
}

func write(t *testing.T, path, s string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestCreateGPIOSim(t *testing.T) {
	root := t.TempDir()
	fakeKernel(t, root, "ringo-board", "gpio-sim.0", "gpiochip1")
	s := board.GPIOSim{Name: "ringo-board", Label: "ringo-board", Lines: []string{"FLIGHT_MODE", "STATUS"}}
	c, err := board.CreateGPIOSim(root, s)
	if err != nil {
		t.Fatal(err)
	}
	if c.Dev != "gpio-sim.0" || c.Chip != "gpiochip1" {
		t.Errorf("chip = %s %s, want gpio-sim.0 gpiochip1", c.Dev, c.Chip)
	}
	cfg := filepath.Join(root, "sys/kernel/config/gpio-sim/ringo-board")
	for path, want := range map[string]string{
		"bank0/label": "ringo-board", "bank0/num_lines": "2",
		"bank0/line0/name": "FLIGHT_MODE", "bank0/line1/name": "STATUS", "live": "1",
	} {
		if got := read(t, filepath.Join(cfg, path)); got != want {
			t.Errorf("%s = %q, want %q", path, got, want)
		}
	}

	// Live already with the same lines (phoned restarted): taken as is.
	if _, err := board.CreateGPIOSim(root, s); err != nil {
		t.Errorf("second CreateGPIOSim = %v", err)
	}
	// With other lines: an error that says how to take it down.
	_, err = board.CreateGPIOSim(root, board.GPIOSim{Name: "ringo-board", Lines: []string{"X"}})
	if !errors.Is(err, board.ErrGPIOSim) || !strings.Contains(err.Error(), `already live with lines ["FLIGHT_MODE" "STATUS"], want ["X"] (take it down: echo 0 >`) {
		t.Errorf("CreateGPIOSim(other lines) = %v", err)
	}

	// The simulator's attributes: drive an input, read an output.
	line := filepath.Join(root, "sys/devices/platform/gpio-sim.0/gpiochip1/sim_gpio1")
	write(t, filepath.Join(line, "pull"), "")
	if err := c.Drive("STATUS", true); err != nil {
		t.Fatal(err)
	}
	if got := read(t, filepath.Join(line, "pull")); got != "pull-up" {
		t.Errorf("pull = %q after Drive(STATUS, high), want pull-up", got)
	}
	write(t, filepath.Join(line, "value"), "1\n")
	if high, err := c.Value("STATUS"); err != nil || !high {
		t.Errorf("Value(STATUS) = %v, %v; want true", high, err)
	}
	if err := c.Drive("PWRKEY", true); !errors.Is(err, board.ErrGPIOSim) || !strings.Contains(err.Error(), "has no line PWRKEY (its lines: FLIGHT_MODE, STATUS)") {
		t.Errorf("Drive(unknown line) = %v", err)
	}
}

func TestCreateGPIOSimWithoutConfigfs(t *testing.T) {
	root := t.TempDir()
	write(t, filepath.Join(root, "sys/kernel/config"), "not a directory")
	_, err := board.CreateGPIOSim(root, board.GPIOSim{Name: "x", Lines: []string{"A"}})
	if !errors.Is(err, board.ErrGPIOSim) || !strings.Contains(err.Error(), "(is configfs mounted at /sys/kernel/config and gpio-sim loaded?)") {
		t.Errorf("CreateGPIOSim = %v", err)
	}
}
