package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/ringo-phone/ringo/board"
	"golang.org/x/sys/unix"
)

// storageWait bounds the wait for the storage's block device: its driver
// was just loaded and the device node appears when the disk is probed.
const storageWait = 5 * time.Second

// setUpStorage mounts the board's persistent storage on stateMount, seeds
// its config directory from the image's /etc/ringo and bind-mounts it over
// /etc/ringo. Without storage it says on the console that settings and the
// call history last only until the next reboot, and why; the stack then
// runs on the initramfs as before.
func setUpStorage(s *board.Storage, console io.Writer, log *slog.Logger) {
	dev, err := mountStorage(s)
	if err != nil {
		fmt.Fprintf(console, "ringo: no persistent storage (%v): settings and the call history are lost at reboot\n", err)
		if err := os.MkdirAll(stateMount, 0o755); err != nil {
			log.Error("state directory", "err", err)
		}
		return
	}
	copied, err := seedConfig(imageConfig, stateConfig)
	if err != nil {
		fmt.Fprintf(console, "ringo: persistent storage %s mounted but its configuration could not be prepared (%v): using the image's, changes are lost at reboot\n", dev, err)
		return
	}
	if err := unix.Mount(stateConfig, imageConfig, "", unix.MS_BIND, ""); err != nil {
		fmt.Fprintf(console, "ringo: persistent storage %s mounted but %s could not be bound over %s (%v): changes are lost at reboot\n", dev, stateConfig, imageConfig, err)
		return
	}
	fmt.Fprintf(console, "ringo: persistent storage %s on %s (%d default files copied)\n", dev, stateMount, len(copied))
}

// mountStorage finds the board's storage device and mounts it on
// stateMount; its error says why there is none.
func mountStorage(s *board.Storage) (string, error) {
	if s == nil {
		return "", errors.New("the board names none")
	}
	if mounted(stateMount) {
		return stateMount, nil
	}
	wait := storageWait
	if strings.HasPrefix(s.Device, "/dev/vd") {
		// A virtio disk is probed while virtio_blk loads, before the
		// modules step ends: without one there is nothing to wait for,
		// and the boot must not stand still for it (QEMU without -state).
		wait = 500 * time.Millisecond
	}
	deadline := time.Now().Add(wait)
	var dev string
	for {
		var err error
		if s.Device != "" {
			dev = s.Device
			_, err = os.Stat(dev)
		} else {
			dev, err = board.FindLabel("/sys/class/block", "/dev", s.Label)
		}
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			what := s.Device
			if what == "" {
				what = "label " + s.Label
			}
			return "", fmt.Errorf("%s did not appear within %v: %w (qemu-virt: make run and the HIL boot attach build/state.img)", what, wait, err)
		}
		time.Sleep(50 * time.Millisecond) // polling a device node: firmware, not a test
	}
	if err := os.MkdirAll(stateMount, 0o755); err != nil {
		return "", err
	}
	if err := unix.Mount(dev, stateMount, s.FSType, unix.MS_NOATIME, ""); err != nil {
		hint := ""
		if errors.Is(err, unix.ENODEV) {
			hint = " (the kernel has no " + s.FSType + " driver: is its module in the board's list?)"
		} else if errors.Is(err, unix.EINVAL) {
			hint = " (is there an " + s.FSType + " filesystem on it? make state-disk makes one)"
		}
		return "", fmt.Errorf("mount %s %s on %s: %w%s", s.FSType, dev, stateMount, err, hint)
	}
	if err := os.MkdirAll(stateMount+"/state", 0o700); err != nil {
		return dev, err
	}
	return dev, nil
}
