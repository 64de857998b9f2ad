package tty

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// State is a terminal's saved mode.
type State struct{ t unix.Termios }

// Save reads the mode of the terminal at fd.
func Save(fd int) (State, error) {
	t, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		return State{}, fmt.Errorf("%w: %w", ErrNotTerminal, err)
	}
	return State{*t}, nil
}

// Restore sets the terminal at fd back to s.
func (s State) Restore(fd int) error {
	t := s.t
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &t); err != nil {
		return fmt.Errorf("tty: restore mode: %w", err)
	}
	return nil
}

// Cooked reports whether s echoes and reads whole lines.
func (s State) Cooked() bool {
	const want = unix.ECHO | unix.ICANON | unix.ISIG
	return s.t.Lflag&want == want && s.t.Iflag&unix.ICRNL != 0
}

// Sane sets the terminal at fd to the cooked mode `stty sane` gives:
// echo, canonical input with the usual editing keys, CR to NL on input,
// NL to CR NL on output, and signals from ^C, ^\ and ^Z. The line speed
// and the character size are kept.
func Sane(fd int) error {
	s, err := Save(fd)
	if err != nil {
		return err
	}
	s.t = sane(s.t)
	if err := s.Restore(fd); err != nil {
		return fmt.Errorf("tty: make sane: %w", err)
	}
	return nil
}

func sane(t unix.Termios) unix.Termios {
	t.Iflag &^= unix.IGNBRK | unix.INLCR | unix.IGNCR | unix.IXOFF | unix.IUCLC | unix.IXANY |
		unix.ISTRIP | unix.INPCK | unix.PARMRK
	t.Iflag |= unix.BRKINT | unix.ICRNL | unix.IXON | unix.IMAXBEL
	t.Oflag &^= unix.OLCUC | unix.OCRNL | unix.ONOCR | unix.ONLRET | unix.OFILL | unix.OFDEL |
		unix.NLDLY | unix.CRDLY | unix.TABDLY | unix.BSDLY | unix.VTDLY | unix.FFDLY
	t.Oflag |= unix.OPOST | unix.ONLCR
	t.Cflag |= unix.CREAD
	t.Lflag &^= unix.ECHONL | unix.NOFLSH | unix.XCASE | unix.TOSTOP | unix.ECHOPRT | unix.FLUSHO
	t.Lflag |= unix.ISIG | unix.ICANON | unix.IEXTEN | unix.ECHO | unix.ECHOE | unix.ECHOK |
		unix.ECHOCTL | unix.ECHOKE
	for i, c := range map[int]byte{
		unix.VINTR: 0x03, unix.VQUIT: 0x1c, unix.VERASE: 0x7f, unix.VKILL: 0x15,
		unix.VEOF: 0x04, unix.VEOL: 0, unix.VEOL2: 0, unix.VSTART: 0x11, unix.VSTOP: 0x13,
		unix.VSUSP: 0x1a, unix.VREPRINT: 0x12, unix.VWERASE: 0x17, unix.VLNEXT: 0x16,
		unix.VDISCARD: 0x0f, unix.VMIN: 1, unix.VTIME: 0,
	} {
		t.Cc[i] = c
	}
	return t
}

// OpenPTY opens a new pseudo-terminal pair. The slave starts in the
// kernel's default (cooked) mode; hand it to a program as its terminal
// and talk to the program through the master.
func OpenPTY() (master, slave *os.File, err error) {
	master, err = os.OpenFile("/dev/ptmx", os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("tty: open pseudo-terminal: %w", err)
	}
	fail := func(err error) (*os.File, *os.File, error) {
		master.Close()
		return nil, nil, fmt.Errorf("tty: open pseudo-terminal: %w", err)
	}
	sc, err := master.SyscallConn()
	if err != nil {
		return fail(err)
	}
	var n uint32
	var ioerr error
	if err := sc.Control(func(fd uintptr) {
		if ioerr = unix.IoctlSetPointerInt(int(fd), unix.TIOCSPTLCK, 0); ioerr != nil {
			return
		}
		n, ioerr = unix.IoctlGetUint32(int(fd), unix.TIOCGPTN)
	}); err != nil {
		return fail(err)
	}
	if ioerr != nil {
		return fail(ioerr)
	}
	slave, err = os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return fail(err)
	}
	return master, slave, nil
}
