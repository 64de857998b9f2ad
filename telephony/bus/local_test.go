package bus

import (
	"encoding/binary"
	"net"
	"runtime"
	"testing"
	"time"

	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// TestHandleAndStats: the hosting process answers a client's request on a
// channel without a connection of its own, and the per-client counters
// show exactly the frames and messages that crossed the socket.
func TestHandleAndStats(t *testing.T) {
	s, path := startServer(t, ServerOptions{})
	asker := dial(t, path, "asker")
	other := dial(t, path, "other")

	got := make(chan Delivery, 1)
	stop := s.Handle("svc/request", func(d Delivery) {
		got <- d
		s.Publish("svc/reply", "answer", vs.String("42"))
	})
	replies := make(chan Delivery, 1)
	if _, err := asker.Listen(testCtx(t), "svc/reply", func(d Delivery) { replies <- d }); err != nil {
		t.Fatal(err)
	}
	n, err := asker.Send(testCtx(t), "svc/request", "question", vs.String("life"))
	if err != nil || n != 1 {
		t.Fatalf("Send = %d, %v, want 1 receiver (the local handler), nil", n, err)
	}
	if d := <-got; d.Name != "question" || d.From != asker.Owner() || len(d.Args) != 1 {
		t.Errorf("handler got %+v, want question from owner %d", d, asker.Owner())
	}
	if d := <-replies; d.Name != "answer" || d.From != 0 {
		t.Errorf("reply = %+v, want answer from the host (owner 0)", d)
	}

	stats := s.Stats()
	if len(stats) != 2 {
		t.Fatalf("Stats() has %d clients, want 2 (asker, other; none for the host): %+v", len(stats), stats)
	}
	a, o := stats[0], stats[1]
	if a.Name != "asker" || o.Name != "other" {
		t.Fatalf("Stats() names = %q, %q, want asker, other", a.Name, o.Name)
	}
	if a.Sent["question"] != 1 || len(a.Sent) != 1 || a.Received["answer"] != 1 || len(a.Received) != 1 {
		t.Errorf("asker Sent = %v Received = %v, want question:1 and answer:1", a.Sent, a.Received)
	}
	// After the handshake: listen, send → 2 in; listen reply, send reply,
	// delivery → 3 out.
	if a.FramesIn != 2 || a.FramesOut != 3 {
		t.Errorf("asker frames in/out = %d/%d, want 2/3", a.FramesIn, a.FramesOut)
	}
	if o.Sent != nil || o.Received != nil || o.FramesIn != 0 || o.FramesOut != 0 {
		t.Errorf("other = %+v, want no traffic after its handshake", o)
	}

	// The counters travel to clients too.
	cl, err := other.Clients(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if len(cl) != 2 || cl[0].Sent["question"] != 1 || cl[0].Received["answer"] != 1 || cl[0].FramesIn != 2 {
		t.Errorf("Clients() over the wire = %+v, want asker's counters", cl)
	}

	stop()
	if n, err := asker.Send(testCtx(t), "svc/request", "question"); err != nil || n != 0 {
		t.Errorf("Send after stop = %d, %v, want 0 receivers", n, err)
	}

	// A closed connection's counters stay, added up under its name.
	asker.Close()
	waitFor(t, "asker's connection to end", func() bool { return len(s.Clients()) == 1 })
	st, err := other.Stats(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	var ended *ClientInfo
	for i := range st {
		if st[i].Ended > 0 {
			ended = &st[i]
		}
	}
	if ended == nil || ended.Name != "asker" || ended.Ended != 1 || ended.Owner != 0 ||
		ended.Sent["question"] != 2 || ended.Received["answer"] != 1 {
		t.Errorf("Stats() after asker closed = %+v, want asker's totals (question:2, answer:1) as ended", st)
	}
}

// waitFor waits until cond holds, re-checking whenever the server may have
// changed (bounded by waitLimit).
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(waitLimit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s did not happen within %v", what, waitLimit)
		}
		runtime.Gosched()
	}
}

// TestIdleClientsCannotLockOut: a full server closes the least recently
// active connection that holds nothing, so 500 idle connections leave room
// for a console request; connections that hold something are kept.
func TestIdleClientsCannotLockOut(t *testing.T) {
	s, path := startServer(t, ServerOptions{MaxClients: 16})
	agent := dial(t, path, "agent")
	if _, err := agent.Listen(testCtx(t), "QPE/Application/agent", func(Delivery) {}); err != nil {
		t.Fatal(err)
	}
	var idle []*Client
	for i := 0; i < 500; i++ {
		c, err := Dial(testCtx(t), path, ClientOptions{Name: "idle"})
		if err != nil {
			t.Fatalf("idle client %d: %v", i, err)
		}
		idle = append(idle, c)
	}
	defer func() {
		for _, c := range idle {
			c.Close()
		}
	}()
	ctl := dial(t, path, "phonectl")
	if _, ok, err := ctl.Get(testCtx(t), "/nothing"); err != nil || ok {
		t.Fatalf("console request with 500 idle clients: %v", err)
	}
	if agent.Err() != nil {
		t.Errorf("the agent holding a channel was closed: %v", agent.Err())
	}
	// The least recently active idle one was closed to make room.
	select {
	case <-idle[0].Done():
	case <-time.After(waitLimit):
		t.Errorf("the oldest idle client is still connected")
	}
	if got := len(s.Clients()); got > 16+1 {
		t.Errorf("%d connections open, want at most the limit (16) and one being replaced", got)
	}
}

// TestStalledFramesAreBounded: clients stalled in the middle of large
// frames hold only what they sent, within the server's limit, and are
// dropped after FrameTimeout; an ordinary client is served meanwhile.
func TestStalledFramesAreBounded(t *testing.T) {
	const limit = 4 << 20
	s, path := startServer(t, ServerOptions{MaxPartialBytes: limit, FrameTimeout: 2 * time.Second})
	var conns []net.Conn
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for i := 0; i < 200; i++ {
		nc, err := net.Dial("unix", path)
		if err != nil {
			t.Fatal(err)
		}
		conns = append(conns, nc)
		hello, _ := AppendFrame(nil, &Message{Op: OpHello, Version: Version, Name: "staller"}, MaxMessageSize)
		if _, err := nc.Write(hello); err != nil {
			t.Fatal(err)
		}
		// A 1 MiB frame, of which only the length and 100 KiB arrive.
		var hdr [4]byte
		binary.BigEndian.PutUint32(hdr[:], 1<<20)
		nc.Write(hdr[:])
		nc.Write(make([]byte, 100<<10))
	}
	c := dial(t, path, "phonectl")
	if _, _, err := c.Get(testCtx(t), "/x"); err != nil {
		t.Fatalf("request beside 200 stalled frames: %v", err)
	}
	if held := s.PartialBytes(); held > limit {
		t.Errorf("partial frames hold %d bytes, want at most the limit %d", held, limit)
	}
	waitFor(t, "the stalled clients to be dropped", func() bool { return s.PartialBytes() == 0 })
}
