package main

import (
	"os"
	"slices"
	"testing"
	"time"
)

// TestBenchModem measures the modem agent under phoned against modemsim
// for docs/PERFORMANCE.md: flight mode on → AT+CFUN=4 at the modem,
// off → AT+CFUN=1, phonectl dial → ATD at the modem, and a RING → the
// call Incoming in phoned's call list. Each time includes one phonectl
// process (the command, or the wait that sees the state), as a person at
// the console would have it. It runs under `make bench` (RINGO_BENCH=1),
// not `make test`.
func TestBenchModem(t *testing.T) {
	if os.Getenv("RINGO_BENCH") != "1" {
		t.Skip("a measurement, not a test: make bench runs it (RINGO_BENCH=1)")
	}
	s := newStack(t, false)
	s.waitReg("modem", "Home")
	const rounds = 10
	var flightOn, flightOff, dials, rings []time.Duration
	cfun4 := len(s.modem.Matching(`msg=at cmd=AT\+CFUN=4$`))
	cfun1 := len(s.modem.Matching(`msg=at cmd=AT\+CFUN=1$`))
	for i := 1; i <= rounds; i++ {
		start := time.Now()
		s.ctl("flight", "on")
		s.sent("AT+CFUN=4", cfun4+i)
		flightOn = append(flightOn, time.Since(start))
		start = time.Now()
		s.ctl("flight", "off")
		s.sent("AT+CFUN=1", cfun1+i)
		flightOff = append(flightOff, time.Since(start))
		s.waitReg("modem", "Home")
	}
	for i := 1; i <= rounds; i++ {
		start := time.Now()
		id := s.dial("600")
		s.sent("ATD600;", i)
		dials = append(dials, time.Since(start))
		s.waitCall(id, "Connected")
		s.ctl("hangup", id)
		s.waitCall(id, "HangupLocal")

		start = time.Now()
		s.sim("ring 5551234 Alice")
		s.waitCall("", "Incoming")
		rings = append(rings, time.Since(start))
		// Unanswered, dropped by the caller: a missed call.
		for _, c := range s.calls() {
			if c.State == "Incoming" {
				s.sim("drop")
				s.waitCall(c.ID, "Missed")
			}
		}
	}
	t.Logf("flight on → AT+CFUN=4 at the modem: median %v of %d (max %v)", median(flightOn), rounds, slices.Max(flightOn))
	t.Logf("flight off → AT+CFUN=1 at the modem: median %v of %d (max %v)", median(flightOff), rounds, slices.Max(flightOff))
	t.Logf("phonectl dial 600 → ATD600; at the modem: median %v of %d (max %v)", median(dials), rounds, slices.Max(dials))
	t.Logf("RING → Incoming in the call list: median %v of %d (max %v)", median(rings), rounds, slices.Max(rings))
}

func median(d []time.Duration) time.Duration {
	s := slices.Clone(d)
	slices.Sort(s)
	return s[len(s)/2]
}
