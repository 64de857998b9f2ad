package audio_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/internal/clock"
)

// Ringo's own clocks are audio Clocks, with no conversion.
var (
	_ audio.Clock = (*clock.Fake)(nil)
	_ audio.Clock = clock.Real()
)

// jumpClock is a fake clock as a caller writes it in a few lines: whoever
// waits makes time jump to the deadline, and the wait ends at once.
type jumpClock struct {
	mu  sync.Mutex
	now time.Time
}

type spentTimer struct{}

func (spentTimer) Stop() bool { return false }

func (c *jumpClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *jumpClock) AfterFunc(d time.Duration, f func()) audio.Timer {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
	f()
	return spentTimer{}
}

// A source paced by a clock written outside Ringo takes 20 ms of that
// clock per frame: a second of audio moves it by exactly one second.
func TestPacingOnACallersClock(t *testing.T) {
	start := time.Unix(0, 0)
	clk := &jumpClock{now: start}
	src := audio.NewNullSource(clk)
	defer src.Close()
	var f audio.Frame
	for i := range 50 {
		if err := src.ReadFrame(context.Background(), &f); err != nil {
			t.Fatalf("ReadFrame %d = %v", i, err)
		}
	}
	if got := clk.Now().Sub(start); got != time.Second {
		t.Errorf("clock after 50 frames = %v, want 1s", got)
	}
}
