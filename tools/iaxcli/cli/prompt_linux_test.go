package cli

import (
	"bytes"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/ringo-phone/ringo/tools/iaxpbx/pbx"
)

// openPTY returns a pseudo-terminal's master and slave.
func openPTY(t *testing.T) (master, slave *os.File) {
	t.Helper()
	m, err := os.OpenFile("/dev/ptmx", os.O_RDWR, 0)
	if err != nil {
		t.Skipf("no pseudo-terminals: %v", err)
	}
	fd := int(m.Fd())
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatal(err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatal(err)
	}
	s, err := os.OpenFile(fmt.Sprintf("/dev/pts/%d", n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close(); m.Close() })
	return m, s
}

// On a terminal the secret is asked for and read without echo.
func TestSecretPromptWithoutEcho(t *testing.T) {
	master, slave := openPTY(t)
	p, err := pbx.Listen(t.Context(), "127.0.0.1:0", pbx.Config{Users: []pbx.User{{Name: "handset1", Secret: "s3cret"}}, Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	// The terminal echoes what is typed unless iaxcli turns echo off;
	// type the secret once the prompt is there.
	var out bytes.Buffer
	echoed := make(chan string, 1)
	go func() {
		var seen bytes.Buffer
		buf := make([]byte, 256)
		for {
			master.SetReadDeadline(time.Now().Add(10 * time.Second))
			n, err := master.Read(buf)
			seen.Write(buf[:n])
			if err != nil {
				echoed <- seen.String()
				return
			}
		}
	}()
	typed := make(chan struct{})
	env := &Env{Stdin: slave, Stdout: &promptWatcher{w: &out, onPrompt: func() {
		master.Write([]byte("s3cret\n"))
		close(typed)
	}}}
	err = Run(t.Context(), []string{"register", "-server", p.Addr().String(), "-user", "handset1", "-local", "127.0.0.1:0", "-quiet"}, env)
	if err != nil {
		t.Fatalf("register with the prompted secret: %v\n%s", err, out.String())
	}
	<-typed
	slave.Close()
	master.SetReadDeadline(time.Now()) // end the reader
	if got := <-echoed; strings.Contains(got, "s3cret") {
		t.Errorf("the terminal echoed the secret: %q", got)
	}
	if !strings.Contains(out.String(), "secret for handset1:") || !strings.Contains(out.String(), "\nreleased\n") {
		t.Errorf("output:\n%s", out.String())
	}
}

// promptWatcher passes output on and calls onPrompt once the secret
// prompt has been written.
type promptWatcher struct {
	w        *bytes.Buffer
	onPrompt func()
	done     bool
}

func (p *promptWatcher) Write(b []byte) (int, error) {
	n, err := p.w.Write(b)
	if !p.done && strings.Contains(p.w.String(), "secret for ") {
		p.done = true
		p.onPrompt()
	}
	return n, err
}
