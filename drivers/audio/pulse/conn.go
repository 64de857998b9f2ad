package pulse

import (
	"context"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jfreymuth/pulse/proto"
)

// SystemSocket is where a system-wide PulseAudio server (pulseaudio
// --system, as a handset runs it) listens.
const SystemSocket = "/run/pulse/native"

// serverAddr works out where the server listens, as libpulse does for a
// local client: the configured string, else $PULSE_SERVER, else the
// per-user runtime socket, else the system-wide one. Only the first usable
// entry of a server list is taken.
func serverAddr(configured string) (network, addr string, err error) {
	s := configured
	if s == "" {
		s = os.Getenv("PULSE_SERVER")
	}
	if s == "" {
		if rt := os.Getenv("XDG_RUNTIME_DIR"); rt != "" {
			return "unix", filepath.Join(rt, "pulse", "native"), nil
		}
		return "unix", SystemSocket, nil
	}
	for _, f := range strings.Fields(s) {
		if strings.HasPrefix(f, "{") { // {machine-id}address: local entries only matter here
			end := strings.IndexByte(f, '}')
			if end < 0 {
				continue
			}
			f = f[end+1:]
		}
		switch {
		case strings.HasPrefix(f, "/"):
			return "unix", f, nil
		case strings.HasPrefix(f, "unix:/"): // relative socket paths are not taken
			return "unix", f[len("unix:"):], nil
		case strings.HasPrefix(f, "tcp4:"):
			return "tcp4", withPort(f[len("tcp4:"):]), nil
		case strings.HasPrefix(f, "tcp6:"):
			return "tcp6", withPort(f[len("tcp6:"):]), nil
		case strings.HasPrefix(f, "tcp:"):
			return "tcp", withPort(f[len("tcp:"):]), nil
		}
	}
	return "", "", fmt.Errorf("%w: cannot use server string %q", ErrNoServer, s)
}

func withPort(hostport string) string {
	if _, _, err := net.SplitHostPort(hostport); err == nil {
		return hostport
	}
	return net.JoinHostPort(strings.Trim(hostport, "[]"), "4713")
}

// conn is one connection to the server, carrying one stream. The wire
// layer's read loop calls onMsg for every message the server sends on its
// own (requests for data, record data, underflows, stream kills); conn
// notices a broken socket itself, since the wire layer reports only a
// clean EOF.
type conn struct {
	nc  net.Conn
	c   *proto.Client
	tag string // for logs: server address

	lostOnce sync.Once
	lost     chan struct{}
	mu       sync.Mutex
	lostErr  error
}

// watchedConn forwards I/O and reports the first error to its conn.
type watchedConn struct {
	net.Conn
	owner *conn
}

func (w watchedConn) Read(b []byte) (int, error) {
	n, err := w.Conn.Read(b)
	if err != nil {
		w.owner.fail(err)
	}
	return n, err
}

func (w watchedConn) Write(b []byte) (int, error) {
	n, err := w.Conn.Write(b)
	if err != nil {
		w.owner.fail(err)
	}
	return n, err
}

// dial connects and authenticates. onMsg runs on the wire layer's read
// goroutine; it must not block nor issue requests.
func dial(ctx context.Context, server string, timeout time.Duration, appName string, onMsg func(any)) (*conn, error) {
	network, addr, err := serverAddr(server)
	if err != nil {
		return nil, err
	}
	var d net.Dialer
	dctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	nc, err := d.DialContext(dctx, network, addr)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrConnect, addr, err)
	}
	cn := &conn{nc: nc, tag: addr, lost: make(chan struct{})}
	cn.c = &proto.Client{}
	cn.c.SetTimeout(timeout)
	// The callback is set before the read loop starts, so the loop only
	// ever reads it.
	cn.c.Callback = func(msg any) {
		if _, ok := msg.(*proto.ConnectionClosed); ok {
			cn.fail(ErrLost)
			return
		}
		onMsg(msg)
	}
	cn.c.Open(watchedConn{Conn: nc, owner: cn})

	var auth proto.AuthReply
	if err := cn.c.Request(&proto.Auth{Version: cn.c.Version(), Cookie: cookie()}, &auth); err != nil {
		cn.close()
		return nil, fmt.Errorf("%w: %s: authentication: %w", ErrConnect, addr, err)
	}
	cn.c.SetVersion(auth.Version)
	props := proto.PropList{
		"application.name":       proto.PropListString(appName),
		"application.process.id": proto.PropListString(strconv.Itoa(os.Getpid())),
	}
	if err := cn.c.Request(&proto.SetClientName{Props: props}, &proto.SetClientNameReply{}); err != nil {
		cn.close()
		return nil, fmt.Errorf("%w: %s: client name: %w", ErrConnect, addr, err)
	}
	return cn, nil
}

// cookie returns the authentication cookie the server expects, or 256 zero
// bytes, which a server with anonymous authentication accepts.
func cookie() []byte {
	p := os.Getenv("PULSE_COOKIE")
	if p == "" {
		if home, err := os.UserHomeDir(); err == nil {
			p = filepath.Join(home, ".config", "pulse", "cookie")
		}
	}
	if p != "" {
		if b, err := os.ReadFile(p); err == nil && len(b) == 256 {
			return b
		}
	}
	return make([]byte, 256)
}

// fail marks the connection lost (first error wins) and closes the socket,
// which ends the wire layer's read loop and fails pending requests.
func (cn *conn) fail(err error) {
	cn.lostOnce.Do(func() {
		cn.mu.Lock()
		cn.lostErr = err
		cn.mu.Unlock()
		close(cn.lost)
		cn.nc.Close()
	})
}

func (cn *conn) err() error {
	cn.mu.Lock()
	defer cn.mu.Unlock()
	return cn.lostErr
}

// close ends the connection on purpose.
func (cn *conn) close() { cn.fail(ErrLost) }

// request sends a request and waits for the reply (bounded by the timeout
// given to dial). A timed-out request means a server that stopped
// answering: the connection is failed so that it gets replaced.
func (cn *conn) request(req proto.RequestArgs, rpl proto.Reply) error {
	err := cn.c.Request(req, rpl)
	if err == context.DeadlineExceeded {
		cn.fail(fmt.Errorf("%w: request timed out", ErrLost))
	}
	return err
}

// send writes stream data.
func (cn *conn) send(stream uint32, b []byte) error {
	if err := cn.c.Send(stream, b); err != nil {
		cn.fail(err)
		return err
	}
	select {
	case <-cn.lost:
		return cn.err()
	default:
		return nil
	}
}
