package check

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// fakeLine is a line whose level is a function of a fake time that moves
// only when the measurement sleeps.
type fakeLine struct {
	now   time.Time
	level func(since time.Duration) bool
	start time.Time
}

func newFakeLine(level func(time.Duration) bool) *fakeLine {
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	return &fakeLine{now: t0, start: t0, level: level}
}

func (f *fakeLine) read() (bool, error) { return f.level(f.now.Sub(f.start)), nil }

func (f *fakeLine) clock() pulseClock {
	return pulseClock{
		now:   func() time.Time { return f.now },
		sleep: func(_ context.Context, d time.Duration) error { f.now = f.now.Add(d); return nil },
	}
}

// high between from and to.
func between(from, to time.Duration) func(time.Duration) bool {
	return func(t time.Duration) bool { return t >= from && t < to }
}

func TestMeasurePulse(t *testing.T) {
	const poll = time.Millisecond
	for _, tc := range []struct {
		name  string
		level func(time.Duration) bool
		want  time.Duration
		err   string
	}{
		{"550 ms pulse", between(300*time.Millisecond, 850*time.Millisecond), 550 * time.Millisecond, ""},
		{"800 ms pulse", between(5*time.Millisecond, 805*time.Millisecond), 800 * time.Millisecond, ""},
		// High at the start: only the whole pulse that follows counts.
		{"starts high", func(t time.Duration) bool {
			return t < 100*time.Millisecond || (t >= 200*time.Millisecond && t < 350*time.Millisecond)
		}, 150 * time.Millisecond, ""},
		{"never rises", func(time.Duration) bool { return false }, 0, "no pulse: PWRKEY stayed low for 2s: nothing drove it high"},
		{"never falls", between(time.Second, time.Hour), 0, "no pulse: PWRKEY went high but was still high 1s later"},
		{"always high", func(time.Duration) bool { return true }, 0, "no pulse: PWRKEY stayed high for 2s (it must be low before a pulse)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFakeLine(tc.level)
			got, err := measurePulse(context.Background(), "PWRKEY", f.read, f.clock(), poll, 2*time.Second)
			if tc.err != "" {
				if err == nil || !errors.Is(err, ErrNoPulse) || err.Error() != tc.err {
					t.Fatalf("measurePulse = %v, %v; want error %q", got, err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Fatalf("measurePulse = %v, %v; want %v", got, err, tc.want)
			}
		})
	}
}

// A read error and a cancelled wait end the measurement with the cause.
func TestMeasurePulseErrors(t *testing.T) {
	boom := errors.New("read value: no such file")
	_, err := measurePulse(context.Background(), "PWRKEY", func() (bool, error) { return false, boom },
		realPulseClock(), time.Millisecond, time.Second)
	if !errors.Is(err, boom) {
		t.Errorf("read error: got %v, want it wrapped", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err = measurePulse(ctx, "PWRKEY", func() (bool, error) { return false, nil },
		realPulseClock(), time.Millisecond, time.Second)
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "waiting for PWRKEY") {
		t.Errorf("cancelled: got %v, want context.Canceled while waiting for PWRKEY", err)
	}
}

func TestTracedPulse(t *testing.T) {
	// A trace as the guest's kernel wrote it: PWRKEY is offset 2 of the
	// simulated chip; VBAT_EN (1) and W_DISABLE (4) move around it.
	const trace = `# tracer: nop
#           TASK-PID     CPU#  |||||  TIMESTAMP  FUNCTION
          phoned-108     [000] d....    22.961570: simsetm: (gpio_sim_set_multiple+0x0/0x7c [gpio_sim]) mask=0x10 bits=0x0
          phoned-108     [000] d....    22.962356: simsetm: (gpio_sim_set_multiple+0x0/0x7c [gpio_sim]) mask=0x2 bits=0x2
          phoned-108     [000] d....    23.183095: simsetm: (gpio_sim_set_multiple+0x0/0x7c [gpio_sim]) mask=0x4 bits=0x4
          phoned-108     [000] d....    23.300000: simset: (gpio_sim_set+0x0/0x40 [gpio_sim]) offset=1 value=0
          phoned-108     [000] d....    23.734480: simsetm: (gpio_sim_set_multiple+0x0/0x7c [gpio_sim]) mask=0x4 bits=0x0
          phoned-108     [000] d....    24.000000: simset: (gpio_sim_set+0x0/0x40 [gpio_sim]) offset=2 value=1
`
	sets := parseTraceSets(trace, 2)
	if len(sets) != 3 {
		t.Fatalf("parseTraceSets found %d sets of offset 2, want 3: %v", len(sets), sets)
	}
	d, rose, ok := tracedPulse(sets)
	if !ok || !rose || d != 551385*time.Microsecond {
		t.Errorf("tracedPulse = %v, rose %v, ok %v; want 551.385ms, true, true", d, rose, ok)
	}
	// Only the rise so far: not a whole pulse.
	if _, rose, ok := tracedPulse(sets[:1]); ok || !rose {
		t.Errorf("a rise alone: rose %v ok %v, want rose and not ok", rose, ok)
	}
	if sets := parseTraceSets(trace, 3); len(sets) != 0 {
		t.Errorf("offset 3 was never set, parseTraceSets found %v", sets)
	}
}
