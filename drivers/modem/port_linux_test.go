package modem_test

import (
	"context"
	"errors"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/drivers/modem"
	"github.com/ringo-phone/ringo/internal/tty"
)

// A pty as the modem's port: raw mode keeps CR as CR both ways and echoes
// nothing, so a channel on it works.
func TestOpenPortPTY(t *testing.T) {
	master, slave, err := tty.OpenPTY()
	if err != nil {
		t.Skip("no pseudo-terminals here:", err)
	}
	defer master.Close()
	path := slave.Name()
	slave.Close()

	port, err := modem.OpenPort(path, 115200)
	if err != nil {
		t.Fatal(err)
	}
	ch := modem.NewChannel(port, modem.Options{Timeout: wait})
	defer ch.Close()
	go func() {
		buf := make([]byte, 64)
		n, _ := master.Read(buf)
		if string(buf[:n]) != "AT+CGMM\r" {
			master.Write([]byte("\r\nERROR\r\n"))
			return
		}
		master.Write([]byte("\r\nEG25\r\n\r\nOK\r\n"))
	}()
	r, err := ch.Command(context.Background(), "AT+CGMM")
	if err != nil || len(r.Lines) != 1 || r.Lines[0] != "EG25" {
		t.Errorf("AT+CGMM on a pty = %q, %v; want EG25 OK (the line must be raw)", r.Lines, err)
	}
}

func TestOpenPortSocket(t *testing.T) {
	sock := filepath.Join(t.TempDir(), "modem.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 64)
		c.Read(buf)
		io.WriteString(c, "\r\nOK\r\n")
	}()
	port, err := modem.OpenPort(sock, 0)
	if err != nil {
		t.Fatal(err)
	}
	ch := modem.NewChannel(port, modem.Options{Timeout: wait})
	defer ch.Close()
	if _, err := ch.Command(context.Background(), "AT"); err != nil {
		t.Errorf("AT over a socket: %v", err)
	}
}

func TestOpenPortErrors(t *testing.T) {
	if _, err := modem.OpenPort(filepath.Join(t.TempDir(), "nothing"), 0); !errors.Is(err, os.ErrNotExist) ||
		!strings.Contains(err.Error(), "nothing") {
		t.Errorf("a missing port: %v, want not-exist naming the path", err)
	}
	master, slave, err := tty.OpenPTY()
	if err != nil {
		t.Skip("no pseudo-terminals here:", err)
	}
	defer master.Close()
	defer slave.Close()
	_, err = modem.OpenPort(slave.Name(), 12345)
	if err == nil || !strings.Contains(err.Error(), "12345") || !strings.Contains(err.Error(), "115200") {
		t.Errorf("baud 12345: %v, want an error listing the rates", err)
	}
}
