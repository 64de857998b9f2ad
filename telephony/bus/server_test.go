package bus

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// waitLimit bounds every wait in these tests; nothing sleeps.
const waitLimit = 10 * time.Second

func startServer(t *testing.T, opts ServerOptions) (*Server, string) {
	t.Helper()
	path := SocketPath(t.TempDir())
	s, err := Listen(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func dial(t *testing.T, path, name string) *Client {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	defer cancel()
	c, err := Dial(ctx, path, ClientOptions{Name: name})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), waitLimit)
	t.Cleanup(cancel)
	return ctx
}

// watch subscribes and returns a channel of batches.
func watch(t *testing.T, c *Client, prefix string) <-chan vs.Batch {
	t.Helper()
	ch := make(chan vs.Batch, 10000)
	if _, err := c.Subscribe(testCtx(t), prefix, func(b vs.Batch) { ch <- b }); err != nil {
		t.Fatal(err)
	}
	return ch
}

func next(t *testing.T, ch <-chan vs.Batch) vs.Batch {
	t.Helper()
	select {
	case b := <-ch:
		return b
	case <-time.After(waitLimit):
		t.Fatal("no batch within the limit")
		return vs.Batch{}
	}
}

func batchString(b vs.Batch) string {
	var s []string
	for _, c := range b.Changes {
		s = append(s, c.String())
	}
	return strings.Join(s, "; ")
}

func TestSocketModeAndStale(t *testing.T) {
	dir := t.TempDir()
	path := SocketPath(dir)
	// A stale socket file from a crashed phoned.
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		t.Fatal(err)
	}
	ln.SetUnlinkOnClose(false)
	ln.Close()
	s, err := Listen(path, ServerOptions{})
	if err != nil {
		t.Fatalf("Listen over a stale socket: %v", err)
	}
	defer s.Close()
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode()&os.ModeSocket == 0 || fi.Mode().Perm() != 0o660 {
		t.Errorf("socket mode = %v, want socket 0660", fi.Mode())
	}
	if _, err := Listen(path, ServerOptions{}); !errors.Is(err, ErrInUse) {
		t.Errorf("second Listen = %v, want ErrInUse", err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Errorf("runtime dir holds %d files, want only the socket", len(entries))
	}
	s.Close()
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("socket still there after Close: %v", err)
	}
}

func TestValueSpaceAcrossClients(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	agent := dial(t, path, "iaxagent")
	console := dial(t, path, "vsexplorer")
	ctx := testCtx(t)
	const base = "/Communications/QNetworkRegistration/asterisk"
	if err := agent.Set(ctx, base+"/requestChannel", vs.String("QPE/Communications/QNetworkRegistration/Request/asterisk")); err != nil {
		t.Fatal(err)
	}
	events := watch(t, console, "/Communications")
	if b := next(t, events); !b.Initial || batchString(b) != base+`/requestChannel = "QPE/Communications/QNetworkRegistration/Request/asterisk"` {
		t.Fatalf("initial batch = %v %q", b.Initial, batchString(b))
	}
	if err := agent.Apply(ctx, vs.SetOp(base+"/registrationState", vs.String("Searching")), vs.SetOp(base+"/operatorMode", vs.String("Automatic"))); err != nil {
		t.Fatal(err)
	}
	if got, want := batchString(next(t, events)), base+`/registrationState = "Searching"; `+base+`/operatorMode = "Automatic"`; got != want {
		t.Errorf("batch = %q, want %q", got, want)
	}
	v, ok, err := console.Get(ctx, base+"/registrationState")
	if err != nil || !ok || !v.Equal(vs.String("Searching")) {
		t.Errorf("Get = %v %v %v, want Searching", v, ok, err)
	}
	names, err := console.List(ctx, base)
	if want := []string{"operatorMode", "registrationState", "requestChannel"}; err != nil || !slices.Equal(names, want) {
		t.Errorf("List = %q %v, want %q", names, err, want)
	}
	snap, err := console.Snapshot(ctx, "/")
	if err != nil || len(snap) != 3 || snap[0].Path != base+"/operatorMode" || snap[0].Owner != agent.Owner() {
		t.Errorf("Snapshot = %v %v, want 3 entries owned by the agent (%d)", snap, err, agent.Owner())
	}
	clients, err := console.Clients(ctx)
	if err != nil || len(clients) != 2 || clients[0].Name != "iaxagent" || clients[0].Owner != agent.Owner() || clients[1].Name != "vsexplorer" {
		t.Errorf("Clients = %+v %v, want iaxagent and vsexplorer", clients, err)
	}
	if err := console.Set(ctx, "bad path", vs.Int(1)); !errors.Is(err, ErrRemote) || !strings.Contains(err.Error(), "bad path") {
		t.Errorf("Set(bad path) = %v, want ErrRemote naming the path", err)
	}
	agent.Close()
	if got, want := batchString(next(t, events)), base+"/operatorMode removed; "+base+"/registrationState removed; "+base+"/requestChannel removed"; got != want {
		t.Errorf("after agent Close: %q, want %q", got, want)
	}
	if names, _ := console.List(ctx, "/Communications"); len(names) != 0 {
		t.Errorf("List after agent left = %q, want none", names)
	}
}

func TestQCopDelivery(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	agent := dial(t, path, "iaxagent")
	phoned := dial(t, path, "phoned")
	ctx := testCtx(t)
	got := make(chan Delivery, 100)
	l, err := agent.Listen(ctx, "QPE/Application/iaxagent", func(d Delivery) { got <- d })
	if err != nil {
		t.Fatal(err)
	}
	n, err := phoned.Send(ctx, "QPE/Application/iaxagent", "Telephony::start()")
	if err != nil || n != 1 {
		t.Fatalf("Send = %d %v, want 1 receiver", n, err)
	}
	for i := range 50 {
		if err := phoned.Post("QPE/Application/iaxagent", "m", vs.Int(int64(i))); err != nil {
			t.Fatal(err)
		}
	}
	d := <-got
	if d.Channel != "QPE/Application/iaxagent" || d.Name != "Telephony::start()" || d.From != phoned.Owner() || len(d.Args) != 0 {
		t.Errorf("delivery = %+v, want Telephony::start() from %d", d, phoned.Owner())
	}
	for i := range 50 {
		d := <-got
		if len(d.Args) != 1 || !d.Args[0].Equal(vs.Int(int64(i))) {
			t.Fatalf("delivery %d = %+v, out of order", i, d)
		}
	}
	l.Close()
	if n, err := phoned.Send(ctx, "QPE/Application/iaxagent", "Telephony::stop()"); err != nil || n != 0 {
		t.Errorf("Send after Unlisten = %d %v, want 0", n, err)
	}
}

func TestVersionMismatch(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	f, _ := AppendFrame(nil, &Message{Op: OpHello, Version: 99, Name: "future"}, MaxMessageSize)
	nc.Write(f)
	p, err := ReadFrame(nc, nil, MaxMessageSize)
	if err != nil {
		t.Fatal(err)
	}
	var m Message
	if err := m.Unmarshal(p); err != nil || m.Op != OpReply || !strings.Contains(m.Name, "unsupported protocol version") {
		t.Errorf("answer = %+v %v, want a reply naming the version error", m, err)
	}
	if _, err := ReadFrame(nc, nil, MaxMessageSize); err == nil {
		t.Errorf("connection still open after a bad version")
	}
}

// rawClient completes the handshake by hand and publishes one entry, then
// is free to misbehave.
func rawClient(t *testing.T, path, entry string) net.Conn {
	t.Helper()
	nc, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { nc.Close() })
	f, _ := AppendFrame(nil, &Message{Op: OpHello, Version: Version, Name: "bad"}, MaxMessageSize)
	f, _ = AppendFrame(f, &Message{Op: OpSet, ID: 1, Path: entry, Value: vs.Bool(true)}, MaxMessageSize)
	if _, err := nc.Write(f); err != nil {
		t.Fatal(err)
	}
	for _, want := range []Op{OpWelcome, OpReply} {
		p, err := ReadFrame(nc, nil, MaxMessageSize)
		var m Message
		if err == nil {
			err = m.Unmarshal(p)
		}
		if err != nil || m.Op != want || m.Name != "" {
			t.Fatalf("raw handshake: got %+v %v, want %s", m, err, want)
		}
	}
	return nc
}

// waitRemoved reads batches until path is removed.
func waitRemoved(t *testing.T, ch <-chan vs.Batch, path string) {
	t.Helper()
	for {
		for _, c := range next(t, ch).Changes {
			if c.Path == path && c.Removed {
				return
			}
		}
	}
}

func TestMisbehavingClientsAreDropped(t *testing.T) {
	cases := []struct {
		name string
		send []byte
	}{
		{"garbage", []byte("GET / HTTP/1.1\r\nHost: phone\r\n\r\n")},
		{"100 MB message", append([]byte{0x06, 0x40, 0x00, 0x00}, make([]byte, 64<<10)...)},
		{"unknown op", []byte{0, 0, 0, 1, 200}},
		{"server-only op", func() []byte {
			f, _ := AppendFrame(nil, &Message{Op: OpNotify, Ref: 1}, MaxMessageSize)
			return f
		}()},
	}
	endless := func(chunk []byte) func(net.Conn) {
		return func(nc net.Conn) {
			go func() {
				for {
					if _, err := nc.Write(chunk); err != nil {
						return
					}
				}
			}()
		}
	}
	streams := []struct {
		name  string
		start func(net.Conn)
	}{
		{"endless zeros", endless(make([]byte, 64<<10))},
		{"endless text", endless([]byte(strings.Repeat("y\n", 32<<10)))},
	}
	for _, c := range cases {
		streams = append(streams, struct {
			name  string
			start func(net.Conn)
		}{c.name, func(nc net.Conn) { nc.Write(c.send) }})
	}
	for _, c := range streams {
		t.Run(c.name, func(t *testing.T) {
			_, path := startServer(t, ServerOptions{})
			good := dial(t, path, "good")
			events := watch(t, good, "/bad")
			next(t, events) // initial, empty
			bad := rawClient(t, path, "/bad/entry")
			next(t, events) // the bad client's entry appears
			c.start(bad)
			waitRemoved(t, events, "/bad/entry")
			// The bad client's socket is closed by the server.
			if _, err := ReadFrame(bad, nil, MaxMessageSize); err == nil {
				t.Errorf("bad client still connected")
			}
			// The good one is unaffected.
			ctx := testCtx(t)
			if err := good.Set(ctx, "/good", vs.Int(1)); err != nil {
				t.Errorf("good client after the bad one: %v", err)
			}
		})
	}
}

func TestClientThatNeverReadsIsDropped(t *testing.T) {
	srv, path := startServer(t, ServerOptions{MaxMessage: 16 << 10, QueueLimit: 64 << 10})
	good := dial(t, path, "good")
	observer := dial(t, path, "observer")
	// The observer watches only /bad: with queues this small, a subscriber
	// of the big values would itself be dropped if the scheduler let it
	// fall 64 KiB behind.
	events := watch(t, observer, "/bad")
	next(t, events)
	bad := rawClient(t, path, "/bad/entry")
	next(t, events)
	// The bad client subscribes to everything and never reads again.
	f, _ := AppendFrame(nil, &Message{Op: OpSubscribe, ID: 2, Path: "/"}, MaxMessageSize)
	bad.Write(f)
	// The good client publishes until the server gives up on the bad one;
	// every one of its writes is acknowledged meanwhile.
	ctx := testCtx(t)
	big := strings.Repeat("x", 8<<10)
	dropped := false
	var i int
	for i = 0; !dropped; i++ {
		if i > 100000 {
			t.Fatalf("bad client not dropped after %d writes of %d bytes", i, len(big))
		}
		if err := good.Set(ctx, "/load", vs.String(fmt.Sprint(i, big))); err != nil {
			t.Fatalf("good Set %d: %v", i, err)
		}
		// Drain what the observer saw so far without waiting.
		for len(events) > 0 {
			for _, c := range (<-events).Changes {
				if c.Path == "/bad/entry" && c.Removed {
					dropped = true
				}
			}
		}
	}
	t.Logf("bad client dropped after %d writes", i)
	if cl := srv.Clients(); len(cl) != 2 || cl[0].Name != "good" || cl[1].Name != "observer" {
		t.Errorf("Clients = %+v, want good and observer", cl)
	}
	// The observer kept up with every write, in order.
	if v, ok, err := observer.Get(ctx, "/load"); err != nil || !ok || !v.Equal(vs.String(fmt.Sprint(i-1, big))) {
		t.Errorf("observer Get(/load) = %.20v…, want the last write", v)
	}
}

// TestHelperProcess is not a test: other tests run the test binary as a
// separate bus client. RINGO_BUS_HELPER is the socket; RINGO_BUS_MODE says
// what to do: "victim" publishes an entry and waits to be killed, "echo"
// answers every /bench/ping value by setting /bench/pong to it.
func TestHelperProcess(t *testing.T) {
	path := os.Getenv("RINGO_BUS_HELPER")
	if path == "" {
		t.Skip("helper process only")
	}
	ctx := context.Background()
	c, err := Dial(ctx, path, ClientOptions{Name: "helper"})
	if err != nil {
		os.Exit(2)
	}
	switch os.Getenv("RINGO_BUS_MODE") {
	case "echo":
		_, err = c.Subscribe(ctx, "/bench/ping", func(b vs.Batch) {
			for _, ch := range b.Changes {
				if !ch.Removed && !b.Initial {
					c.ApplyAsync(vs.SetOp("/bench/pong", ch.Value))
				}
			}
		})
		if err == nil {
			err = c.Set(ctx, "/bench/ready", vs.Bool(true))
		}
	default:
		err = c.Set(ctx, "/Communications/QNetworkRegistration/victim/registrationState", vs.String("Home"))
	}
	if err != nil {
		os.Exit(3)
	}
	<-c.Done()
	os.Exit(4)
}

func TestKillNineEntriesVanish(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	console := dial(t, path, "console")
	events := watch(t, console, "/Communications/QNetworkRegistration")
	next(t, events)
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "RINGO_BUS_HELPER="+path, "RINGO_BUS_MODE=victim")
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer cmd.Wait()
	const key = "/Communications/QNetworkRegistration/victim/registrationState"
	if got := batchString(next(t, events)); got != key+` = "Home"` {
		t.Fatalf("agent published %q", got)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	if got := batchString(next(t, events)); got != key+" removed" {
		t.Errorf("after kill -9: %q, want %s removed", got, key)
	}
	names, _ := console.List(testCtx(t), "/Communications/QNetworkRegistration")
	if len(names) != 0 {
		t.Errorf("services after kill = %q, want none", names)
	}
}

func TestCloseIdempotentAndErr(t *testing.T) {
	srv, path := startServer(t, ServerOptions{})
	c := dial(t, path, "c")
	srv.Close()
	select {
	case <-c.Done():
	case <-time.After(waitLimit):
		t.Fatal("client not told that the server closed")
	}
	if c.Err() == nil {
		t.Errorf("client Err = nil after server Close")
	}
	if err := c.Set(context.Background(), "/x", vs.Int(1)); err == nil {
		t.Errorf("Set on a dead client succeeded")
	}
	c.Close()
	c.Close()
	srv.Close()
	if !errors.Is(srv.Err(), ErrClosed) {
		t.Errorf("server Err = %v, want ErrClosed", srv.Err())
	}
	if _, err := os.Stat(filepath.Join(filepath.Dir(path), SocketName)); !os.IsNotExist(err) {
		t.Errorf("socket left behind")
	}
}

func TestApplicationMessagesHeldUntilListen(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	phoned := dial(t, path, "phoned")
	ctx := testCtx(t)
	n, held, err := phoned.SendHeld(ctx, "QPE/Application/iaxagent", "Telephony::start()")
	if err != nil || n != 0 || !held {
		t.Fatalf("SendHeld before the agent runs = %d %v %v, want 0 held", n, held, err)
	}
	n, held, _ = phoned.SendHeld(ctx, "QPE/Communications/QPhoneCallProvider/Request/asterisk", "dial")
	if n != 0 || held {
		t.Errorf("SendHeld to a request channel = %d %v, want 0 and not held", n, held)
	}
	agent := dial(t, path, "iaxagent")
	got := make(chan Delivery, 10)
	if _, err := agent.Listen(ctx, "QPE/Application/iaxagent", func(d Delivery) { got <- d }); err != nil {
		t.Fatal(err)
	}
	phoned.Send(ctx, "QPE/Application/iaxagent", "second")
	for _, want := range []string{"Telephony::start()", "second"} {
		if d := <-got; d.Name != want {
			t.Errorf("delivery = %q, want %q", d.Name, want)
		}
	}
}

func TestMaxClientsAndPublish(t *testing.T) {
	srv, path := startServer(t, ServerOptions{MaxClients: 1})
	only := dial(t, path, "only")
	ctx := testCtx(t)
	// A client that holds something (here a channel) keeps its slot.
	got := make(chan Delivery, 1)
	if _, err := only.Listen(ctx, "QPE/System", func(d Delivery) { got <- d }); err != nil {
		t.Fatal(err)
	}
	if _, err := Dial(ctx, path, ClientOptions{Name: "second"}); !errors.Is(err, ErrFull) {
		t.Errorf("second client beyond MaxClients 1: err = %v, want ErrFull", err)
	}
	if n := srv.Publish("QPE/System", "shutdown()", vs.Int(3)); n != 1 {
		t.Errorf("Publish reached %d, want 1", n)
	}
	if d := <-got; d.Name != "shutdown()" || d.From != 0 || len(d.Args) != 1 {
		t.Errorf("delivery = %+v, want shutdown() from the host (0)", d)
	}
}

func TestClientRefusesOversizedRequest(t *testing.T) {
	_, path := startServer(t, ServerOptions{})
	c := dial(t, path, "c")
	ctx := testCtx(t)
	huge := vs.String(strings.Repeat("x", MaxMessageSize))
	if err := c.Set(ctx, "/big", huge); !errors.Is(err, ErrTooLarge) {
		t.Errorf("Set of a value over the limit = %v, want ErrTooLarge", err)
	}
	if err := c.Set(ctx, "/small", vs.Int(1)); err != nil {
		t.Errorf("Set after the refused one = %v; the connection should be intact", err)
	}
}

func TestSilentConnectionDroppedAfterHandshakeTimeout(t *testing.T) {
	fake := clock.NewFake(time.Unix(0, 0))
	srv, path := startServer(t, ServerOptions{Clock: fake, HandshakeTimeout: 5 * time.Second})
	silent, err := net.Dial("unix", path)
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	// The accept loop takes connections in order: once this client is
	// through, the silent one's timer is running.
	good := dial(t, path, "good")
	fake.Advance(4 * time.Second)
	if n := len(srv.Clients()); n != 2 {
		t.Errorf("clients before the timeout = %d, want 2", n)
	}
	fake.Advance(time.Second)
	if _, err := ReadFrame(silent, nil, MaxMessageSize); err == nil {
		t.Errorf("silent connection still open after the handshake timeout")
	}
	// The good client was not touched.
	if err := good.Set(testCtx(t), "/x", vs.Int(1)); err != nil {
		t.Errorf("good client after the timeout: %v", err)
	}
}
