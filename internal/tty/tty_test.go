package tty

import (
	"errors"
	"os"
	"testing"

	"golang.org/x/sys/unix"
)

func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	master, slave, err := OpenPTY()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { master.Close(); slave.Close() })
	return master, slave
}

// A raw terminal (what a line editor leaves) becomes cooked again, with
// the editing keys back at their usual places.
func TestSaneUndoesRaw(t *testing.T) {
	_, slave := openPTY(t)
	fd := int(slave.Fd())
	raw, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	raw.Iflag &^= unix.ICRNL | unix.IXON
	raw.Oflag &^= unix.OPOST
	raw.Lflag &^= unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN
	raw.Cc[unix.VINTR] = 0
	raw.Cc[unix.VMIN] = 0
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, raw); err != nil {
		t.Fatal(err)
	}
	if s, _ := Save(fd); s.Cooked() {
		t.Fatal("Cooked() = true for a raw terminal")
	}
	if err := Sane(fd); err != nil {
		t.Fatal(err)
	}
	got, err := unix.IoctlGetTermios(fd, unix.TCGETS)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []struct {
		name       string
		flags, has uint32
	}{
		{"lflag echo icanon isig iexten", got.Lflag, unix.ECHO | unix.ICANON | unix.ISIG | unix.IEXTEN},
		{"iflag icrnl", got.Iflag, unix.ICRNL},
		{"oflag opost onlcr", got.Oflag, unix.OPOST | unix.ONLCR},
	} {
		if f.flags&f.has != f.has {
			t.Errorf("after Sane %s = %#o, want bits %#o set", f.name, f.flags, f.has)
		}
	}
	if got.Cc[unix.VINTR] != 0x03 || got.Cc[unix.VEOF] != 0x04 || got.Cc[unix.VMIN] != 1 {
		t.Errorf("after Sane intr %#x eof %#x min %d, want 0x3 0x4 1", got.Cc[unix.VINTR], got.Cc[unix.VEOF], got.Cc[unix.VMIN])
	}
	if s, _ := Save(fd); !s.Cooked() {
		t.Error("Cooked() = false after Sane")
	}
}

func TestSaveRestore(t *testing.T) {
	_, slave := openPTY(t)
	fd := int(slave.Fd())
	s, err := Save(fd)
	if err != nil {
		t.Fatal(err)
	}
	raw := s.t
	raw.Lflag &^= unix.ECHO
	if err := unix.IoctlSetTermios(fd, unix.TCSETS, &raw); err != nil {
		t.Fatal(err)
	}
	if err := s.Restore(fd); err != nil {
		t.Fatal(err)
	}
	got, _ := unix.IoctlGetTermios(fd, unix.TCGETS)
	if got.Lflag&unix.ECHO == 0 {
		t.Errorf("Restore left lflag %#o without ECHO", got.Lflag)
	}
}

func TestNotTerminal(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if _, err := Save(int(r.Fd())); !errors.Is(err, ErrNotTerminal) {
		t.Errorf("Save(pipe) = %v, want ErrNotTerminal", err)
	}
	if err := Sane(int(r.Fd())); !errors.Is(err, ErrNotTerminal) {
		t.Errorf("Sane(pipe) = %v, want ErrNotTerminal", err)
	}
}

// What the master writes arrives at the slave as a line, with the CR that
// Enter sends turned into NL, and is echoed back.
func TestPTYIsCooked(t *testing.T) {
	master, slave := openPTY(t)
	if _, err := master.WriteString("hello\r"); err != nil {
		t.Fatal(err)
	}
	buf := make([]byte, 64)
	n, err := slave.Read(buf)
	if err != nil || string(buf[:n]) != "hello\n" {
		t.Errorf("slave read %q, %v; want \"hello\\n\"", buf[:n], err)
	}
	n, err = master.Read(buf)
	if err != nil || string(buf[:n]) != "hello\r\n" {
		t.Errorf("master read (the echo) %q, %v; want \"hello\\r\\n\"", buf[:n], err)
	}
}
