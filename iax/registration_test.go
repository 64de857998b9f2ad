package iax

import (
	"errors"
	"testing"
	"time"
)

// A registration's counters take in every transaction, the one that was
// under way when it ended too: sent plus retransmitted is every REGREQ
// the server saw. When the attempts run out, the error counts the sends
// of all of them and the time they took.
func TestRegistrationCountsEverySend(t *testing.T) {
	rtx := Retransmit{Initial: 100 * time.Millisecond, Min: 100 * time.Millisecond, Max: 400 * time.Millisecond, Tries: 3}
	for _, tc := range []struct {
		name     string
		attempts int
		closeAt  int // REGREQs seen before Close; 0: let the attempts run out
	}{
		{"closed during the second attempt", 0, 5},
		{"two attempts run out", 2, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAsterisk(t, Config{Retransmit: rtx})
			reg, err := a.ep.StartRegistration(RegisterOptions{Server: a.addr(), Username: "u", Secret: "s",
				RetryMin: time.Second, MaxAttempts: tc.attempts})
			if err != nil {
				t.Fatal(err)
			}
			// Sends at 0, 100 and 300 ms; the attempt fails at 700 ms; the
			// next starts at 1.7 s: 1.7, 1.8, 2.0 s, failing at 2.4 s.
			// Time moves in steps, so that a timer set by a timer that
			// fired is due at the right moment.
			to := func(at time.Duration) {
				for a.clk.Now().Sub(replayStart) < at {
					a.advance(min(50*time.Millisecond, at-a.clk.Now().Sub(replayStart)))
				}
			}
			seen := 0
			for _, at := range []time.Duration{0, 100, 300, 1700, 1800, 2000} {
				if tc.closeAt > 0 && seen == tc.closeAt {
					break
				}
				to(at * time.Millisecond)
				if f := a.recv(); !f.IsCommand(CmdRegReq) {
					t.Fatalf("at %v got %v, want REGREQ", at, f)
				}
				seen++
			}
			if tc.closeAt > 0 {
				reg.Close()
			} else {
				to(2400 * time.Millisecond)
			}
			<-reg.Done()
			st := reg.Stats()
			if got := st.FramesSent + st.Retransmissions; got != uint64(seen) {
				t.Errorf("Stats() sent %d + retransmitted %d = %d, want the %d REGREQs sent", st.FramesSent, st.Retransmissions, got, seen)
			}
			if tc.closeAt > 0 {
				return
			}
			var na *NoAnswerError
			if !errors.As(reg.Err(), &na) || !errors.Is(reg.Err(), ErrTimeout) {
				t.Fatalf("Err() = %v, want a *NoAnswerError", reg.Err())
			}
			if na.Peer != a.addr() || na.Tries != 6 || na.Over != 2400*time.Millisecond || na.Frame != "REGREQ" {
				t.Errorf("Err() = %+v, want 6 tries over 2.4s to %v", *na, a.addr())
			}
			if want := "no answer from " + a.addr().String() + " after 6 tries over 2.4s (REGREQ not acknowledged)"; na.Error() != want {
				t.Errorf("Err() says %q, want %q", na.Error(), want)
			}
		})
	}
}
