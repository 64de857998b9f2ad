package audio

import (
	"context"
	"time"
)

// pacer releases frame n at start + (n+lead)·20 ms, start being the time of
// the first wait. A nil clock never waits.
type pacer struct {
	clk   Clock
	lead  int64 // 1 for sources (a frame is ready once captured), 0 for sinks
	start time.Time
	n     int64
}

// wait blocks until the next frame is due. It counts the frame only when it
// returns nil.
func (p *pacer) wait(ctx context.Context, closed <-chan struct{}) error {
	select {
	case <-closed:
		return ErrClosed
	default:
	}
	if p.clk == nil {
		return nil
	}
	now := p.clk.Now()
	if p.n == 0 && p.start.IsZero() {
		p.start = now
	}
	due := p.start.Add(time.Duration(p.n+p.lead) * FrameDuration)
	if d := due.Sub(now); d > 0 {
		ready := make(chan struct{})
		t := p.clk.AfterFunc(d, func() { close(ready) })
		select {
		case <-ready:
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-closed:
			t.Stop()
			return ErrClosed
		}
	}
	p.n++
	return nil
}
