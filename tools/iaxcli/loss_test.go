package main

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/udprelay"
)

// Registration and a call survive 10 % loss, 5 % duplication and 5 %
// reordering in both directions. Each seed is a fixed, repeatable run of
// the relay's decisions; every one must pass.
func TestLossyNetwork(t *testing.T) {
	t.Parallel()
	// Retransmissions 100, 200, 400, 800 ms apart; a PING every 300 ms
	// keeps reliable frames flowing during the call.
	timing := []string{"-rtx-initial", "100ms", "-rtx-min", "100ms", "-rtx-max", "1s", "-rtx-tries", "5", "-ping", "300ms"}
	for _, seed := range []uint64{1, 2, 3, 4, 5} {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			t.Parallel()
			_, addr := startPBX(t, timing...)
			im := udprelay.Impairment{Loss: 0.10, Duplicate: 0.05, Reorder: 0.05}
			relay, err := udprelay.Listen("127.0.0.1:0", udprelay.Config{
				Target: netip.MustParseAddrPort(addr), Up: im, Down: im, Seed: seed, Hold: 30 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			defer relay.Close()
			via := relay.Addr().String()

			reg := iaxcli(t, "register", via, user1, secret1, append(timing, "-retry-min", "300ms", "-attempts", "0", "-timeout", "20s")...)
			if err := reg.Wait(30 * time.Second); err != nil {
				t.Fatalf("register through the lossy relay: %v", err)
			}
			reg.WaitLine(`^released$`, time.Second)

			call := iaxcli(t, "call", via, user1, secret1, append(timing, "-dial", "600", "-duration", "3s", "-dtmf", "12")...)
			if err := call.Wait(30 * time.Second); err != nil {
				t.Fatalf("call through the lossy relay: %v", err)
			}
			call.WaitLine(`^state connected$`, time.Second)
			call.WaitLine(`^state hangup-local$`, time.Second)
			m := call.WaitLine(`^summary: call frames sent (\d+) received (\d+) retransmissions (\d+) voice sent (\d+) received (\d+)`, time.Second)
			var vs, vr int
			fmt.Sscan(m[4], &vs)
			fmt.Sscan(m[5], &vr)
			// The echo crosses the relay twice: about 0.9² of it returns.
			if vr < vs*6/10 {
				t.Errorf("voice sent %d, received %d: more lost than the relay drops", vs, vr)
			}
			up, down := relay.Counts()
			t.Logf("seed %d: up %+v down %+v; %s", seed, up, down, m[0])
			if up.Lost == 0 || down.Lost == 0 || up.Reordered == 0 || down.Duplicated == 0 {
				t.Errorf("the relay did not impair both ways: up %+v down %+v", up, down)
			}
		})
	}
}
