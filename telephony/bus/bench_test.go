package bus

import (
	"context"
	"net"
	"os"
	"os/exec"
	"slices"
	"testing"
	"time"

	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

func benchServer(b *testing.B) string {
	b.Helper()
	path := SocketPath(b.TempDir())
	s, err := Listen(path, ServerOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return path
}

func benchDial(b *testing.B, path string) *Client {
	b.Helper()
	c, err := Dial(context.Background(), path, ClientOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { c.Close() })
	return c
}

// BenchmarkSetNotifyLatency measures one value-space Set by one connection
// until a subscriber on another connection has the notification: the
// median and 99th percentile are reported as p50-ns and p99-ns.
func BenchmarkSetNotifyLatency(b *testing.B) { benchLatency(b, false) }

// BenchmarkSetNotifyLatencyStalledPeer is the same with a third client
// that subscribed to everything and never reads: the numbers should match.
func BenchmarkSetNotifyLatencyStalledPeer(b *testing.B) { benchLatency(b, true) }

func benchLatency(b *testing.B, stalled bool) {
	path := benchServer(b)
	pub, sub := benchDial(b, path), benchDial(b, path)
	if stalled {
		nc, err := net.Dial("unix", path)
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { nc.Close() })
		f, _ := AppendFrame(nil, &Message{Op: OpHello, Version: Version, Name: "stalled"}, MaxMessageSize)
		f, _ = AppendFrame(f, &Message{Op: OpSubscribe, ID: 1, Path: "/"}, MaxMessageSize)
		nc.Write(f)
	}
	got := make(chan struct{}, 1)
	ctx := context.Background()
	if _, err := sub.Subscribe(ctx, "/Communications/Calls", func(bt vs.Batch) {
		if !bt.Initial {
			got <- struct{}{}
		}
	}); err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for i := 0; b.Loop(); i++ {
		start := time.Now()
		if err := pub.ApplyAsync(vs.SetOp("/Communications/Calls/1/state", vs.Int(int64(i)))); err != nil {
			b.Fatal(err)
		}
		<-got
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}

// BenchmarkQCopThroughput measures qcop messages posted by one connection
// and delivered to a listener on another, pipelined in windows of 1000
// (an unbounded burst would make the listener a slow reader, which the
// server drops by design); msgs/s is reported.
func BenchmarkQCopThroughput(b *testing.B) {
	const window = 1000
	path := benchServer(b)
	snd, rcv := benchDial(b, path), benchDial(b, path)
	ctx := context.Background()
	progress := make(chan int, 1)
	n := 0
	if _, err := rcv.Listen(ctx, "QPE/Bench", func(d Delivery) {
		n++
		if n%window == 0 || n == b.N {
			progress <- n
		}
	}); err != nil {
		b.Fatal(err)
	}
	start := time.Now()
	b.ResetTimer()
	for i := 0; i < b.N; {
		end := min(i+window, b.N)
		for ; i < end; i++ {
			if err := snd.Post("QPE/Bench", "tone(QString)", vs.String("5")); err != nil {
				b.Fatal(err)
			}
		}
		select {
		case <-progress:
		case <-rcv.Done():
			b.Fatalf("receiver dropped: %v", rcv.Err())
		}
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// BenchmarkSetNotifyCrossProcess measures, between this process and a
// helper process, the round trip of two set→notification hops: this
// process sets /bench/ping, the helper is notified and sets /bench/pong,
// this process is notified. p50-ns and p99-ns are per round trip (two
// hops); one hop is about half.
func BenchmarkSetNotifyCrossProcess(b *testing.B) {
	path := benchServer(b)
	c := benchDial(b, path)
	ctx := context.Background()
	ready := make(chan struct{}, 1)
	pong := make(chan int64, 1)
	if _, err := c.Subscribe(ctx, "/bench", func(bt vs.Batch) {
		for _, ch := range bt.Changes {
			switch {
			case ch.Path == "/bench/ready" && !ch.Removed:
				ready <- struct{}{}
			case ch.Path == "/bench/pong" && !ch.Removed:
				n, _ := ch.Value.Int()
				pong <- n
			}
		}
	}); err != nil {
		b.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess$")
	cmd.Env = append(os.Environ(), "RINGO_BUS_HELPER="+path, "RINGO_BUS_MODE=echo")
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	<-ready
	var lat []time.Duration
	for i := int64(0); b.Loop(); i++ {
		start := time.Now()
		if err := c.ApplyAsync(vs.SetOp("/bench/ping", vs.Int(i))); err != nil {
			b.Fatal(err)
		}
		if got := <-pong; got != i {
			b.Fatalf("pong %d, want %d", got, i)
		}
		lat = append(lat, time.Since(start))
	}
	slices.Sort(lat)
	b.ReportMetric(float64(lat[len(lat)/2].Nanoseconds()), "p50-ns")
	b.ReportMetric(float64(lat[len(lat)*99/100].Nanoseconds()), "p99-ns")
}
