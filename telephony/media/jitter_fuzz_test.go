package media

import (
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

// FuzzJitterBuffer drives a buffer with arbitrary arrivals (reordered,
// duplicated, late, jumping, wrapping) and playout ticks, and checks its
// accounting and bounds after every step:
//
//   - every frame accepted is played, dropped or still queued;
//   - the queue never exceeds MaxDelay after a Get;
//   - frames play in increasing timestamp order between resyncs.
func FuzzJitterBuffer(f *testing.F) {
	f.Add([]byte{0x00, 0x80, 0x01, 0x80, 0x02, 0x80, 0x80, 0x80})
	f.Add([]byte{0x02, 0x00, 0x01, 0x80, 0x80, 0x7f, 0x80, 0x40, 0x80, 0x80, 0x80, 0x00})
	f.Add([]byte{0x10, 0x10, 0x10, 0x90, 0x90, 0x90, 0x01, 0xff, 0x3f, 0x80})
	f.Fuzz(func(t *testing.T, ops []byte) {
		clk := clock.NewFake(time.Unix(0, 0))
		b, err := NewJitterBuffer(JitterConfig{MinDelay: 40 * ms, MaxDelay: 120 * ms, Clock: clk})
		if err != nil {
			t.Fatal(err)
		}
		ts := uint32(1<<32 - 5*FrameSamples) // wraps after five frames
		var seq int32                        // sender frame number, for content
		lastPlayed, resyncs := int32(-1<<31), uint64(0)
		var in, out Frame
		for i, op := range ops {
			if op&0x80 != 0 { // a playout tick, after op&0x7f ms
				clk.Advance(time.Duration(op&0x7f) * ms)
				if b.Get(&out) == PlayFrame {
					n := int32(out[0]) | int32(out[1])<<16
					if st := b.Stats(); st.Resyncs == resyncs && n <= lastPlayed {
						t.Fatalf("op %d: played frame %d after %d", i, n, lastPlayed)
					}
					lastPlayed, resyncs = n, b.Stats().Resyncs
				}
				if d := b.Stats().Delay; d > 120*ms {
					t.Fatalf("op %d: delay %v above MaxDelay", i, d)
				}
			} else { // an arrival: frame seq+delta-8, where delta in 0..15
				delta := int32(op&0x0f) - 8
				if op&0x40 != 0 { // a jump of 256 frames
					delta += 256
				}
				n := seq + delta
				seq = max(seq, n)
				in[0], in[1] = int16(n), int16(n>>16)
				b.Put(ts+uint32(n)*FrameSamples, &in)
				clk.Advance(time.Duration(op>>4&3) * 5 * ms)
			}
			st := b.Stats()
			queued := uint64(0)
			for _, s := range b.ring {
				if s.valid {
					queued++
				}
			}
			if accepted := st.Received - st.Duplicates - st.Late; st.Played+st.Dropped+queued != accepted {
				t.Fatalf("op %d: played %d + dropped %d + queued %d != accepted %d (%+v)", i, st.Played, st.Dropped, queued, accepted, st)
			}
		}
	})
}
