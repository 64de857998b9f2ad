package modemtest

import (
	"fmt"
	"io"
	"net"
	"strings"
	"sync"
	"testing"
	"time"
)

// Modem is the fake's end of a pipe; Port is the other end, the port to
// hand modem.NewChannel.
type Modem struct {
	t    testing.TB
	port net.Conn
	end  net.Conn

	mu      sync.Mutex
	echo    bool
	script  []step
	seen    []string
	arrived chan string
	done    chan struct{}
}

// step is one expected command and its answer.
type step struct {
	cmd   string
	reply []string
}

// New starts a fake modem; it stops, and checks that every expected
// command came, when the test ends.
func New(t testing.TB) *Modem {
	t.Helper()
	port, end := net.Pipe()
	m := &Modem{t: t, port: port, end: end, arrived: make(chan string, 1024), done: make(chan struct{})}
	go m.serve()
	t.Cleanup(func() {
		end.Close()
		<-m.done
		m.mu.Lock()
		defer m.mu.Unlock()
		for _, s := range m.script {
			t.Errorf("modemtest: expected command %q never came (commands seen: %q)", s.cmd, m.seen)
		}
	})
	return m
}

// Port is the end of the pipe the code under test reads and writes.
func (m *Modem) Port() io.ReadWriteCloser { return m.port }

// Echo turns the fake's echo of commands on or off (ATE1, ATE0).
func (m *Modem) Echo(on bool) {
	m.mu.Lock()
	m.echo = on
	m.mu.Unlock()
}

// Expect adds cmd (compared without case) to the script, answered by
// reply, one line each (each framed as a modem does, CR LF before and
// after). No reply lines: the fake stays silent, as a modem that went
// away; answer later with Send.
func (m *Modem) Expect(cmd string, reply ...string) {
	m.mu.Lock()
	m.script = append(m.script, step{cmd: cmd, reply: reply})
	m.mu.Unlock()
}

// Send writes lines as the modem does, each framed by CR LF.
func (m *Modem) Send(lines ...string) {
	var b strings.Builder
	for _, l := range lines {
		b.WriteString("\r\n" + l + "\r\n")
	}
	m.SendRaw([]byte(b.String()))
}

// SendRaw writes b as it is; it returns once the other end has read it
// all (or closed).
func (m *Modem) SendRaw(b []byte) {
	if _, err := m.end.Write(b); err != nil {
		m.t.Logf("modemtest: write after the port closed: %v", err)
	}
}

// Next waits for the next command to arrive and returns it; it fails the
// test after timeout.
func (m *Modem) Next(timeout time.Duration) string {
	m.t.Helper()
	select {
	case c := <-m.arrived:
		return c
	case <-time.After(timeout):
		m.t.Fatalf("modemtest: no command within %v (seen: %q)", timeout, m.Seen())
		return ""
	}
}

// Seen returns every command received so far, in order.
func (m *Modem) Seen() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.seen...)
}

// Close hangs up the fake's end, as a modem that vanished.
func (m *Modem) Close() { m.end.Close() }

func (m *Modem) serve() {
	defer close(m.done)
	buf := make([]byte, 512)
	var line []byte
	for {
		n, err := m.end.Read(buf)
		for _, b := range buf[:n] {
			if b != '\r' && b != '\n' {
				line = append(line, b)
				continue
			}
			if len(line) > 0 {
				m.command(string(line))
				line = line[:0]
			}
		}
		if err != nil {
			return
		}
	}
}

func (m *Modem) command(cmd string) {
	m.mu.Lock()
	m.seen = append(m.seen, cmd)
	echo := m.echo
	var reply []string
	ok := len(m.script) > 0 && strings.EqualFold(m.script[0].cmd, cmd)
	if ok {
		reply = m.script[0].reply
		m.script = m.script[1:]
	} else {
		next := "nothing"
		if len(m.script) > 0 {
			next = fmt.Sprintf("%q", m.script[0].cmd)
		}
		m.t.Errorf("modemtest: unexpected command %q, expected %s", cmd, next)
		reply = []string{"ERROR"}
	}
	m.mu.Unlock()
	select {
	case m.arrived <- cmd:
	default:
	}
	var b strings.Builder
	if echo {
		b.WriteString(cmd + "\r")
	}
	for _, l := range reply {
		b.WriteString("\r\n" + l + "\r\n")
	}
	if b.Len() > 0 {
		m.end.Write([]byte(b.String()))
	}
}
