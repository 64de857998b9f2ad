package modem

import (
	"fmt"
	"os"
	"slices"
	"strconv"

	"golang.org/x/sys/unix"
)

// bauds are the line speeds a modem's port runs at.
var bauds = map[int]uint32{
	9600: unix.B9600, 19200: unix.B19200, 38400: unix.B38400, 57600: unix.B57600,
	115200: unix.B115200, 230400: unix.B230400, 460800: unix.B460800, 921600: unix.B921600,
	1000000: unix.B1000000, 2000000: unix.B2000000, 3000000: unix.B3000000, 4000000: unix.B4000000,
}

// makeRaw puts the tty f in raw mode (no echo, no line editing, no
// CR/NL translation, 8 bits, no parity, receiver on, modem control lines
// ignored) at baud; 0 keeps its speed. A character device that is no tty
// is left as it is.
func makeRaw(f *os.File, baud int) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	speed, ok := bauds[baud]
	if baud != 0 && !ok {
		var known []int
		for b := range bauds {
			known = append(known, b)
		}
		slices.Sort(known)
		return fmt.Errorf("unsupported baud rate %d (want one of %v)", baud, known)
	}
	var ioerr error
	if err := sc.Control(func(fd uintptr) {
		t, err := unix.IoctlGetTermios(int(fd), unix.TCGETS)
		if err != nil {
			return // not a tty: nothing to set
		}
		t.Iflag &^= unix.IGNBRK | unix.BRKINT | unix.PARMRK | unix.ISTRIP | unix.INLCR | unix.IGNCR |
			unix.ICRNL | unix.IXON | unix.IXOFF
		t.Oflag &^= unix.OPOST
		t.Lflag &^= unix.ECHO | unix.ECHONL | unix.ICANON | unix.ISIG | unix.IEXTEN
		t.Cflag &^= unix.CSIZE | unix.PARENB
		t.Cflag |= unix.CS8 | unix.CREAD | unix.CLOCAL
		t.Cc[unix.VMIN], t.Cc[unix.VTIME] = 1, 0
		if baud != 0 {
			t.Cflag &^= unix.CBAUD
			t.Cflag |= speed
			t.Ispeed, t.Ospeed = speed, speed
		}
		if err := unix.IoctlSetTermios(int(fd), unix.TCSETS, t); err != nil {
			ioerr = fmt.Errorf("raw mode at %s baud: %w", strconv.Itoa(baud), err)
		}
	}); err != nil {
		return err
	}
	return ioerr
}
