package modem

import (
	"fmt"
	"io"
	"net"
	"os"
	"syscall"
)

// OpenPort opens the modem's port at path: a tty (a serial port, a USB
// modem's AT port, a virtio console, a pty) is put in raw mode at baud
// (0 keeps the line's speed); a unix socket (a simulator's) is dialled.
// The board names the port and its speed; the agent's -port flag on a
// host. Close the port to stop a Read in progress.
func OpenPort(path string, baud int) (io.ReadWriteCloser, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("modem: port %s: %w", path, err)
	}
	if fi.Mode()&os.ModeSocket != 0 {
		c, err := net.Dial("unix", path)
		if err != nil {
			return nil, fmt.Errorf("modem: port %s: %w", path, err)
		}
		return c, nil
	}
	// Non-blocking: a serial line without carrier must not hold the
	// open (CLOCAL is set by makeRaw); the runtime's poller reads it.
	f, err := os.OpenFile(path, os.O_RDWR|syscall.O_NOCTTY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, fmt.Errorf("modem: port %s: %w", path, err)
	}
	if fi.Mode()&os.ModeCharDevice != 0 {
		if err := makeRaw(f, baud); err != nil {
			f.Close()
			return nil, fmt.Errorf("modem: port %s: %w", path, err)
		}
	}
	return f, nil
}
