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
