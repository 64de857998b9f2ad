package board

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
)

// Where gpio-sim lives, below a root ("/" on the handset).
const (
	configfsGPIOSim = "sys/kernel/config/gpio-sim"
	platformDevices = "sys/devices/platform"
)

// SimChip is a live gpio-sim chip.
type SimChip struct {
	GPIOSim
	// Dev is the platform device ("gpio-sim.0"), Chip the GPIO chip's
	// kernel name ("gpiochip1").
	Dev, Chip string
	root      string
}

// CreateGPIOSim makes the gpio-sim chip s through configfs below root
// ("/" on the handset) and brings it live. A chip of that name already
// live with the same lines is taken as it is (phoned restarted); one with
// other lines is an error.
func CreateGPIOSim(root string, s GPIOSim) (SimChip, error) {
	dev := filepath.Join(root, configfsGPIOSim, s.Name)
	bank := filepath.Join(dev, "bank0")
	fail := func(err error) (SimChip, error) {
		return SimChip{}, fmt.Errorf("%w: %s: %w", ErrGPIOSim, s.Name, err)
	}
	if live, err := os.ReadFile(filepath.Join(dev, "live")); err == nil && strings.TrimSpace(string(live)) == "1" {
		got, err := simLinesOf(bank)
		if err != nil {
			return fail(err)
		}
		if !slices.Equal(got, s.Lines) {
			return fail(fmt.Errorf("already live with lines %q, want %q (take it down: echo 0 > %s)",
				got, s.Lines, filepath.Join(dev, "live")))
		}
		return simChipOf(root, s, dev, bank)
	}
	if err := os.MkdirAll(bank, 0o755); err != nil {
		return fail(fmt.Errorf("%w (is configfs mounted at /sys/kernel/config and gpio-sim loaded?)", err))
	}
	label := s.Label
	if label == "" {
		label = s.Name
	}
	if err := writeAttr(bank, "label", label); err != nil {
		return fail(err)
	}
	if err := writeAttr(bank, "num_lines", strconv.Itoa(len(s.Lines))); err != nil {
		return fail(err)
	}
	for i, n := range s.Lines {
		line := filepath.Join(bank, fmt.Sprintf("line%d", i))
		if err := os.MkdirAll(line, 0o755); err != nil {
			return fail(err)
		}
		if err := writeAttr(line, "name", n); err != nil {
			return fail(err)
		}
	}
	if err := writeAttr(dev, "live", "1"); err != nil {
		return fail(err)
	}
	return simChipOf(root, s, dev, bank)
}

func simChipOf(root string, s GPIOSim, dev, bank string) (SimChip, error) {
	devName, err := readAttr(dev, "dev_name")
	if err != nil {
		return SimChip{}, fmt.Errorf("%w: %s is live but names no device: %w", ErrGPIOSim, s.Name, err)
	}
	chip, err := readAttr(bank, "chip_name")
	if err != nil {
		return SimChip{}, fmt.Errorf("%w: %s is live but names no chip: %w", ErrGPIOSim, s.Name, err)
	}
	if s.Label == "" {
		s.Label = s.Name
	}
	return SimChip{GPIOSim: s, Dev: devName, Chip: chip, root: root}, nil
}

func simLinesOf(bank string) ([]string, error) {
	n, err := readAttr(bank, "num_lines")
	if err != nil {
		return nil, err
	}
	count, err := strconv.Atoi(n)
	if err != nil {
		return nil, fmt.Errorf("num_lines %q: %w", n, err)
	}
	out := make([]string, count)
	for i := range out {
		if out[i], err = readAttr(filepath.Join(bank, fmt.Sprintf("line%d", i)), "name"); err != nil && !errors.Is(err, os.ErrNotExist) {
			return nil, err
		}
	}
	return out, nil
}

func writeAttr(dir, name, value string) error {
	return os.WriteFile(filepath.Join(dir, name), []byte(value), 0o644)
}

func readAttr(dir, name string) (string, error) {
	b, err := os.ReadFile(filepath.Join(dir, name))
	return strings.TrimSpace(string(b)), err
}

// lineDir is the simulator's sysfs directory of the named line.
func (c SimChip) lineDir(line string) (string, error) {
	i := slices.Index(c.Lines, line)
	if i < 0 {
		return "", fmt.Errorf("%w: %s has no line %s (its lines: %s)", ErrGPIOSim, c.Name, line, strings.Join(c.Lines, ", "))
	}
	return filepath.Join(c.root, platformDevices, c.Dev, c.Chip, fmt.Sprintf("sim_gpio%d", i)), nil
}

// Drive sets an input line's simulated level (its pull: the kernel then
// delivers the edge to whoever watches the line).
func (c SimChip) Drive(line string, high bool) error {
	dir, err := c.lineDir(line)
	if err != nil {
		return err
	}
	pull := "pull-down"
	if high {
		pull = "pull-up"
	}
	if err := writeAttr(dir, "pull", pull); err != nil {
		return fmt.Errorf("%w: drive %s %s: %w", ErrGPIOSim, line, pull, err)
	}
	return nil
}

// Value reads a line's level: what its user drives on an output, the
// simulated level on an input.
func (c SimChip) Value(line string) (high bool, err error) {
	dir, err := c.lineDir(line)
	if err != nil {
		return false, err
	}
	v, err := readAttr(dir, "value")
	if err != nil {
		return false, fmt.Errorf("%w: read %s: %w", ErrGPIOSim, line, err)
	}
	switch v {
	case "1":
		return true, nil
	case "0":
		return false, nil
	}
	return false, fmt.Errorf("%w: %s value %q, want 0 or 1", ErrGPIOSim, line, v)
}
