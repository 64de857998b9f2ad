package main

import (
	"context"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/iax"
)

// BenchmarkPokeFlood measures the POKE flood a live call survives. An
// echo call through iaxpbx (on one core, as in BenchmarkEchoCalls) carries
// one 20 ms μ-law frame each way every 20 ms, while two loopback
// addresses, 127.0.0.2 and 127.0.0.3, send POKEs at rate R in all: at
// iaxpbx (target=pbx), or at the caller's endpoint (target=client: the
// client role, as on the handset, in this process). Each iteration is
// one 20 ms tick. Reported: lost-frames (echoes that never came back),
// pokes/s (the rate actually sent) and answered-% (PONGs that came back
// to the flooders: the rest the kernel dropped in a full socket buffer,
// before the endpoint saw them).
func BenchmarkPokeFlood(b *testing.B) {
	for _, target := range []string{"pbx", "client"} {
		for _, rate := range []int{5000, 20000, 50000, 100000} {
			b.Run(fmt.Sprintf("target=%s/rate=%d", target, rate), func(b *testing.B) { benchPokeFlood(b, target, rate) })
		}
	}
}

func benchPokeFlood(b *testing.B, target string, rate int) {
	_, addr := startBenchPBX(b, false)
	server := netip.MustParseAddrPort(addr)
	conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		b.Fatal(err)
	}
	ep := iax.New(conn, iax.Config{PingInterval: -1})
	defer ep.Close()
	c, err := ep.Dial(iax.DialOptions{Peer: server, Called: "600", Username: user1, Secret: secret1})
	if err != nil {
		b.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Wait(wctx); err != nil {
		b.Fatal(err)
	}
	to := server
	if target == "client" {
		to = ep.LocalAddr()
	}

	var echoes atomic.Int64
	rctx, stopRx := context.WithCancel(context.Background())
	var rx sync.WaitGroup
	rx.Add(1)
	go func() {
		defer rx.Done()
		for {
			select {
			case <-c.Voice():
				echoes.Add(1)
			case <-rctx.Done():
				return
			}
		}
	}()

	// The flooders: each sends rate/2 POKEs a second, paced by the
	// millisecond, and counts the PONGs it gets back.
	var pokes, pongs atomic.Int64
	fctx, stopFlood := context.WithCancel(context.Background())
	var flood sync.WaitGroup
	for _, ip := range []string{"127.0.0.2", "127.0.0.3"} {
		src, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.ParseIP(ip)})
		if err != nil {
			b.Fatalf("cannot bind %s (the whole of 127/8 is loopback on Linux): %v", ip, err)
		}
		defer src.Close()
		flood.Add(2)
		go func() {
			defer flood.Done()
			buf := make([]byte, 1500)
			for {
				src.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
				n, _, err := src.ReadFromUDP(buf)
				if err == nil {
					var f iax.FullFrame
					if f.Unmarshal(buf[:n]) == nil && f.IsCommand(iax.CmdPong) {
						pongs.Add(1)
					}
				}
				if fctx.Err() != nil {
					return
				}
			}
		}()
		go func() {
			defer flood.Done()
			dst := net.UDPAddrFromAddrPort(to)
			start, sent := time.Now(), 0
			for fctx.Err() == nil {
				due := int(time.Since(start).Seconds() * float64(rate/2))
				for ; sent < due; sent++ {
					f := &iax.FullFrame{SourceCall: uint16(sent%iax.MaxCallNumber) + 1, Timestamp: uint32(sent), Type: iax.FrameIAX, Subclass: uint8(iax.CmdPoke)}
					f.IEs.AddEmpty(iax.IECallToken)
					p, _ := f.Marshal()
					if _, err := src.WriteToUDP(p, dst); err == nil {
						pokes.Add(1)
					}
				}
				time.Sleep(time.Millisecond)
			}
		}()
	}

	payload := make([]byte, 160)
	for i := range payload {
		payload[i] = 0x55
	}
	var sent int64
	start := time.Now()
	b.ResetTimer()
	for tick := range b.N {
		if c.SendVoice(payload) == nil {
			sent++
		}
		time.Sleep(time.Until(start.Add(time.Duration(tick+1) * 20 * time.Millisecond)))
	}
	b.StopTimer()
	elapsed := time.Since(start)
	stopFlood()
	flood.Wait()
	// Echoes still on their way: until nothing more arrives for 300 ms.
	drainStart, last, quiet := time.Now(), echoes.Load(), time.Now()
	for time.Since(quiet) < 300*time.Millisecond && time.Since(drainStart) < 5*time.Second {
		time.Sleep(50 * time.Millisecond)
		if r := echoes.Load(); r != last {
			last, quiet = r, time.Now()
		}
	}
	stopRx()
	rx.Wait()
	if c.State().Final() {
		b.Errorf("the call ended during the flood: %v", c.Err())
	}
	c.Hangup(0)
	b.ReportMetric(float64(sent-min(echoes.Load(), sent)), "lost-frames")
	b.ReportMetric(float64(pokes.Load())/elapsed.Seconds(), "pokes/s")
	if n := pokes.Load(); n > 0 {
		b.ReportMetric(100*float64(pongs.Load())/float64(n), "answered-%")
	}
	if st := ep.Stats(); st.CallNumbers > 2 {
		b.Errorf("the client holds %d call numbers after the flood, want at most 2", st.CallNumbers)
	}
}
