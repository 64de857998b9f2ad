package bus

import (
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
