package media

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/clock"
)

const ms = time.Millisecond

// arrival is frame idx reaching the receiver at time at.
type arrival struct {
	at  time.Duration
	idx int
}

// sim drives a JitterBuffer in fake time: Gets at phase + k·20 ms, arrivals
// at their times (those at or before a Get are put first). Frame k's
// samples all hold 1000+k, so what was played can be read back.
type sim struct {
	t     *testing.T
	clk   *clock.Fake
	b     *JitterBuffer
	start time.Time
	base  uint32 // timestamp of frame 0
	puts  []PutResult
	now   time.Duration

	pending  []arrival
	phase    time.Duration
	gets     int
	maxDelay time.Duration
}

func newSim(t *testing.T, cfg JitterConfig) *sim {
	t.Helper()
	start := time.Unix(1_700_000_000, 0)
	clk := clock.NewFake(start)
	cfg.Clock = clk
	b, err := NewJitterBuffer(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return &sim{t: t, clk: clk, b: b, start: start}
}

func frameOf(idx int) Frame {
	var f Frame
	for i := range f {
		f[i] = int16(1000 + idx)
	}
	return f
}

func (s *sim) advanceTo(at time.Duration) {
	if at < s.now {
		s.t.Fatalf("sim: time going backwards to %v", at)
	}
	s.clk.Advance(at - s.now)
	s.now = at
}

// run schedules arrivals and makes gets Gets, the first at phase (later
// calls continue where the previous stopped). It returns one token per Get:
// the frame number played, "c" for a concealed frame, "-" for silence.
func (s *sim) run(arrivals []arrival, phase time.Duration, gets int) string {
	if s.gets == 0 {
		s.phase = phase
	}
	s.pending = append(s.pending, arrivals...)
	slices.SortStableFunc(s.pending, func(a, b arrival) int { return int(a.at - b.at) })
	var out []string
	var f Frame
	for range gets {
		at := s.phase + time.Duration(s.gets)*FrameDuration
		s.gets++
		for len(s.pending) > 0 && s.pending[0].at <= at {
			a := s.pending[0]
			s.pending = s.pending[1:]
			s.advanceTo(a.at)
			fr := frameOf(a.idx)
			s.puts = append(s.puts, s.b.Put(s.base+uint32(a.idx)*FrameSamples, &fr))
		}
		s.advanceTo(at)
		switch p := s.b.Get(&f); p {
		case PlayFrame:
			if f[0] != f[FrameSamples-1] {
				s.t.Fatalf("Get %d: a torn frame", s.gets)
			}
			out = append(out, strconv.Itoa(int(f[0])-1000))
		case PlayConcealed:
			out = append(out, "c")
		case PlaySilence:
			if f != (Frame{}) {
				s.t.Fatalf("Get %d: PlaySilence with non-zero samples", s.gets)
			}
			out = append(out, "-")
		}
		s.maxDelay = max(s.maxDelay, s.b.Stats().Delay)
	}
	return strings.Join(out, " ")
}

// regular returns frames from..to-1 arriving every 20 ms from offset 0.
func regular(from, to int) []arrival {
	var a []arrival
	for k := from; k < to; k++ {
		a = append(a, arrival{time.Duration(k) * FrameDuration, k})
	}
	return a
}

func without(a []arrival, idx int) []arrival {
	return slices.DeleteFunc(slices.Clone(a), func(x arrival) bool { return x.idx == idx })
}

func moved(a []arrival, idx int, at time.Duration) []arrival {
	a = without(a, idx)
	return append(a, arrival{at, idx})
}

type statsWant struct {
	received, played, dup, late, lost, concealed, underruns, dropped, resyncs uint64
}

func checkStats(t *testing.T, b *JitterBuffer, w statsWant) JitterStats {
	t.Helper()
	st := b.Stats()
	got := statsWant{st.Received, st.Played, st.Duplicates, st.Late, st.Lost, st.Concealed, st.Underruns, st.Dropped, st.Resyncs}
	if got != w {
		t.Errorf("Stats() counters = %+v, want %+v", got, w)
	}
	return st
}

func TestJitterSteadyStream(t *testing.T) {
	s := newSim(t, JitterConfig{})
	got := s.run(regular(0, 10), 5*ms, 12)
	if want := "- 0 1 2 3 4 5 6 7 8 9 c"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	st := checkStats(t, s.b, statsWant{received: 10, played: 10, concealed: 1, underruns: 1})
	if st.Jitter != 0 || st.Delay != 0 || st.Target != 40*ms {
		t.Errorf("Jitter, Delay, Target = %v, %v, %v; want 0, 0, 40ms", st.Jitter, st.Delay, st.Target)
	}
}

func TestJitterDelayReported(t *testing.T) {
	s := newSim(t, JitterConfig{MinDelay: 60 * ms})
	if got, want := s.run(regular(0, 20), 5*ms, 8), "- - 0 1 2 3 4 5"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	if st := s.b.Stats(); st.Delay != 60*ms || st.Target != 60*ms {
		t.Errorf("Delay, Target = %v, %v; want 60ms, 60ms", st.Delay, st.Target)
	}
}

func TestJitterReorders(t *testing.T) {
	s := newSim(t, JitterConfig{})
	// Frame 3 arrives 4 ms after frame 4, just before its turn at 85 ms.
	got := s.run(moved(regular(0, 8), 3, 84*ms), 5*ms, 9)
	if want := "- 0 1 2 3 4 5 6 7"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	st := checkStats(t, s.b, statsWant{received: 8, played: 8})
	// Transit times in arrival order (0,1,2,4,3,5,6,7): 0,0,0,0,24,0,0,0
	// ms; |D| = 0,0,0,24,24,0,0 smoothed by 1/16 gives 2.554321 ms.
	if st.Jitter != 2554321*time.Nanosecond {
		t.Errorf("Jitter = %v, want 2.554321ms", st.Jitter)
	}
}

func TestJitterConcealsLoss(t *testing.T) {
	s := newSim(t, JitterConfig{})
	var frames []Frame
	var f Frame
	arr := without(regular(0, 8), 4)
	// Run by hand to see the concealed samples.
	var tokens []string
	for k := range 9 {
		at := 5*ms + time.Duration(k)*FrameDuration
		for _, a := range arr {
			if a.at <= at && a.at > at-FrameDuration {
				s.advanceTo(a.at)
				fr := frameOf(a.idx)
				s.b.Put(uint32(a.idx)*FrameSamples, &fr)
			}
		}
		s.advanceTo(at)
		p := s.b.Get(&f)
		frames = append(frames, f)
		tokens = append(tokens, p.String())
	}
	want := "Silence Frame Frame Frame Frame Concealed Frame Frame Frame"
	if got := strings.Join(tokens, " "); got != want {
		t.Errorf("plays %q, want %q", got, want)
	}
	if got, want := frames[5][0], int16(1003*3/4); got != want {
		t.Errorf("concealed sample = %d, want %d (frame 3 at 3/4)", got, want)
	}
	if got := frames[6][0]; got != 1005 {
		t.Errorf("after concealment played %d, want 1005", got)
	}
	checkStats(t, s.b, statsWant{received: 7, played: 7, lost: 1, concealed: 1})
}

func TestJitterLateFrameGrowsDelay(t *testing.T) {
	s := newSim(t, JitterConfig{})
	// Frame 4's turn is at 105 ms; it arrives at 110 ms.
	got := s.run(moved(regular(0, 12), 4, 110*ms), 5*ms, 12)
	if want := "- 0 1 2 3 c c 5 6 7 8 9"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	if !slices.Contains(s.puts, PutLate) {
		t.Errorf("Put results %v, want a PutLate", s.puts)
	}
	st := checkStats(t, s.b, statsWant{received: 12, played: 9, late: 1, lost: 1, concealed: 2})
	if st.Target != 60*ms || st.Delay != 60*ms {
		t.Errorf("Target, Delay = %v, %v; want 60ms, 60ms after one late frame", st.Target, st.Delay)
	}
}

func TestJitterDuplicates(t *testing.T) {
	s := newSim(t, JitterConfig{})
	arr := append(regular(0, 8), arrival{41 * ms, 2}, arrival{70 * ms, 1})
	got := s.run(arr, 5*ms, 9)
	if want := "- 0 1 2 3 4 5 6 7"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	if n := countOf(s.puts, PutDuplicate); n != 2 {
		t.Errorf("Put results %v: %d duplicates, want 2", s.puts, n)
	}
	checkStats(t, s.b, statsWant{received: 10, played: 8, dup: 2})
}

func countOf[T comparable](s []T, v T) int {
	n := 0
	for _, x := range s {
		if x == v {
			n++
		}
	}
	return n
}

func TestJitterBurstAfterGap(t *testing.T) {
	s := newSim(t, JitterConfig{})
	// Frames 5..9 are held up and arrive together at 200 ms with frame 10.
	arr := regular(0, 200)
	for k := 5; k <= 9; k++ {
		arr = moved(arr, k, 200*ms)
	}
	tokens := strings.Fields(s.run(arr, 5*ms, 112))
	// Underrun from 125 ms: hold (concealed three times, then silence),
	// then the burst plays in order with nothing lost.
	if got, want := strings.Join(tokens[:12], " "), "- 0 1 2 3 4 c c c - 5 6"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	// The excess (queue 6 frames deep, target 2) drains one frame at the
	// end of each half-second window: frames 45, 71 and 97 are dropped.
	var want []string
	for k := 7; k <= 109; k++ {
		if k != 45 && k != 71 && k != 97 {
			want = append(want, strconv.Itoa(k))
		}
	}
	if got := strings.Join(tokens[12:], " "); got != strings.Join(want, " ") {
		t.Errorf("after the burst played %q, want %q", got, strings.Join(want, " "))
	}
	st := checkStats(t, s.b, statsWant{received: 112, played: 107, concealed: 3, underruns: 4, dropped: 3})
	if st.Delay != 60*ms || st.Target != 40*ms {
		t.Errorf("after 2.2 s: Delay %v Target %v; want 60ms 40ms", st.Delay, st.Target)
	}
}

// jittery returns frames 0..n-1 where frame k is delayed by pattern[k%len].
func jittery(n int, pattern []time.Duration) []arrival {
	var a []arrival
	for k := range n {
		a = append(a, arrival{time.Duration(k)*FrameDuration + pattern[k%len(pattern)], k})
	}
	return a
}

func TestJitterAdaptsToMeasuredJitter(t *testing.T) {
	s := newSim(t, JitterConfig{MinDelay: 40 * ms, MaxDelay: 200 * ms})
	// Two seconds of delays cycling through 0..70 ms, then steady.
	pattern := []time.Duration{0, 70 * ms, 10 * ms, 50 * ms, 30 * ms, 60 * ms, 20 * ms, 40 * ms}
	first := s.run(jittery(100, pattern), 5*ms, 100)
	st := s.b.Stats()
	// Frame 1 (70 ms late) is lost to the first target of 40 ms; later
	// frames play once the buffer has grown: the jitter estimate settles
	// near 35 ms and the target at 1+⌈2·35/20⌉ = 5 frames.
	if want := "- 0 c c 2 c 3 4 5 6 7 8 c c 10 11 12 13 14"; !strings.HasPrefix(first, want+" ") {
		t.Errorf("jittery start played %q, want prefix %q", first, want)
	}
	// The queue grew (two underruns, two late frames) to cover the 70 ms
	// spread and, the target being above it, never shrank (Dropped 0).
	if st.Jitter != 35136209*time.Nanosecond || st.Target != 100*ms || st.Delay != 80*ms {
		t.Errorf("after 2 s of jitter: Jitter %v Target %v Delay %v; want 35.136209ms, 100ms, 80ms", st.Jitter, st.Target, st.Delay)
	}
	checkStats(t, s.b, statsWant{received: 98, played: 94, late: 2, lost: 2, concealed: 5, underruns: 2})
	var steady []arrival
	for k := 100; k < 250; k++ {
		steady = append(steady, arrival{time.Duration(k) * FrameDuration, k})
	}
	rest := s.run(steady, 0, 140)
	if strings.ContainsAny(rest, "c-") {
		t.Errorf("steady stream played %q, want no concealment", rest)
	}
	if s.maxDelay > 200*ms {
		t.Errorf("delay reached %v, above MaxDelay 200ms", s.maxDelay)
	}
	st = checkStats(t, s.b, statsWant{received: 240, played: 234, late: 2, lost: 2, concealed: 5, underruns: 2, dropped: 3})
	if st.Target != 40*ms || st.Delay != 40*ms || st.Jitter > 10*time.Microsecond {
		t.Errorf("after 2.8 s steady: Target %v Delay %v Jitter %v; want 40ms, 40ms, < 10µs", st.Target, st.Delay, st.Jitter)
	}
}

// skewed returns n frames sent by a clock running at rate·ours: frame k
// arrives at k·20ms/rate.
func skewed(n int, rate float64) []arrival {
	var a []arrival
	for k := range n {
		a = append(a, arrival{time.Duration(float64(k) * float64(FrameDuration) / rate), k})
	}
	return a
}

func TestJitterClockSkew(t *testing.T) {
	tests := []struct {
		name   string
		rate   float64 // sender clock speed relative to ours
		want   statsWant
		delays time.Duration // at most
	}{
		// A slow sender (1% fewer frames than we play) runs the queue
		// dry about every 100 frames: the buffer holds one tick each time.
		{"sender 1% slow", 0.99, statsWant{received: 2970, played: 2970, concealed: 29, underruns: 29}, 40 * ms},
		// A fast sender fills the queue: one frame dropped per ~100.
		{"sender 1% fast", 1.01, statsWant{received: 3030, played: 2999, dropped: 29}, 60 * ms},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSim(t, JitterConfig{})
			played := strings.Fields(s.run(skewed(3030, tt.rate), 5*ms, 3000))
			checkStats(t, s.b, tt.want)
			if s.maxDelay > tt.delays {
				t.Errorf("delay reached %v, want at most %v", s.maxDelay, tt.delays)
			}
			// Whatever is played is in order.
			last := -1
			for _, tok := range played {
				if n, err := strconv.Atoi(tok); err == nil {
					if n <= last {
						t.Fatalf("played %d after %d", n, last)
					}
					last = n
				}
			}
		})
	}
}

func TestJitterMaxDelayBound(t *testing.T) {
	s := newSim(t, JitterConfig{MinDelay: 20 * ms, MaxDelay: 100 * ms})
	// The playout side stalls for 400 ms while frames keep arriving; the
	// next Get plays at most MaxDelay of them.
	s.run(regular(0, 3), 5*ms, 3)
	var arr []arrival
	for k := 3; k < 30; k++ {
		arr = append(arr, arrival{time.Duration(k) * FrameDuration, k})
	}
	s.pending = append(s.pending, arr...)
	s.gets += 20 // skip 20 Gets: advance time without playing
	got := s.run(nil, 0, 5)
	st := s.b.Stats()
	if got != "19 20 21 22 23" || st.Delay != 100*ms {
		t.Errorf("after a stall played %q with Delay %v, want \"19 20 21 22 23\", 100ms", got, st.Delay)
	}
	checkStats(t, s.b, statsWant{received: 28, played: 8, dropped: 16})
}

func TestJitterTimestampWraps(t *testing.T) {
	s := newSim(t, JitterConfig{})
	s.base = 1<<32 - 3*FrameSamples // frame 3 has timestamp 0
	if got, want := s.run(regular(0, 8), 5*ms, 8), "- 0 1 2 3 4 5 6"; got != want {
		t.Errorf("across the wrap played %q, want %q", got, want)
	}
	checkStats(t, s.b, statsWant{received: 8, played: 7})
}

func TestJitterRoundsTimestamps(t *testing.T) {
	// IAX2 stamps frames with milliseconds of real time: 0, 21, 39, 61 ms
	// are frames 0..3 (×8 samples per ms).
	clk := clock.NewFake(time.Unix(0, 0))
	b, err := NewJitterBuffer(JitterConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	var f Frame
	for k, msTS := range []uint32{0, 21, 39, 61} {
		fr := frameOf(k)
		if r := b.Put(msTS*8, &fr); r != PutAccepted {
			t.Fatalf("Put(ts %d ms) = %v, want Accepted", msTS, r)
		}
	}
	for k := range 4 {
		if p := b.Get(&f); p != PlayFrame || f[0] != int16(1000+k) {
			t.Errorf("Get %d = %v frame %d, want Frame %d", k, p, f[0]-1000, k)
		}
	}
}

func TestJitterResync(t *testing.T) {
	s := newSim(t, JitterConfig{})
	arr := regular(0, 5)
	// The sender's timestamps jump a minute ahead at 100 ms (frames
	// 3000.. in its numbering).
	for k := range 5 {
		arr = append(arr, arrival{time.Duration(5+k) * FrameDuration, 3000 + k})
	}
	got := s.run(arr, 5*ms, 10)
	if want := "- 0 1 2 3 - 3000 3001 3002 3003"; got != want {
		t.Errorf("played %q, want %q", got, want)
	}
	if countOf(s.puts, PutResync) != 1 {
		t.Errorf("Put results %v, want one Resync", s.puts)
	}
	checkStats(t, s.b, statsWant{received: 10, played: 8, dropped: 1, resyncs: 1})
	// A jump backwards far beyond the history restarts too.
	fr := frameOf(7)
	if r := s.b.Put(s.base+7*FrameSamples, &fr); r != PutResync {
		t.Errorf("Put of a frame 2990 frames old = %v, want Resync", r)
	}
}

func TestJitterReset(t *testing.T) {
	s := newSim(t, JitterConfig{})
	s.run(regular(0, 5), 5*ms, 4)
	s.b.Reset()
	var f Frame
	if p := s.b.Get(&f); p != PlaySilence {
		t.Errorf("Get after Reset = %v, want Silence", p)
	}
	fr := frameOf(500)
	if r := s.b.Put(500*FrameSamples, &fr); r != PutAccepted {
		t.Errorf("first Put after Reset = %v, want Accepted", r)
	}
	if st := s.b.Stats(); st.Received != 5 || st.Resyncs != 0 {
		t.Errorf("Reset lost counters or resynced: %+v", st)
	}
}

func TestJitterConfigErrors(t *testing.T) {
	for _, cfg := range []JitterConfig{
		{MinDelay: -1},
		{MinDelay: 100 * ms, MaxDelay: 60 * ms},
		{MaxDelay: 11 * time.Second},
	} {
		if _, err := NewJitterBuffer(cfg); !errors.Is(err, ErrBadConfig) {
			t.Errorf("NewJitterBuffer(%+v) error = %v, want ErrBadConfig", cfg, err)
		}
	}
	b, err := NewJitterBuffer(JitterConfig{MinDelay: 25 * ms, MaxDelay: 41 * ms})
	if err != nil {
		t.Fatal(err)
	}
	if b.minF != 2 || b.maxF != 3 || len(b.ring) != 8 {
		t.Errorf("25ms..41ms: %d..%d frames, ring %d; want 2..3, 8", b.minF, b.maxF, len(b.ring))
	}
	b, err = NewJitterBuffer(JitterConfig{MinDelay: 400 * ms})
	if err != nil || b.maxF != 20 {
		t.Errorf("MinDelay 400ms alone: maxF %d, %v; want MaxDelay raised to 400ms", b.maxF, err)
	}
}

func TestJitterZeroAllocs(t *testing.T) {
	clk := clock.NewFake(time.Unix(0, 0))
	b, err := NewJitterBuffer(JitterConfig{Clock: clk})
	if err != nil {
		t.Fatal(err)
	}
	var in, out Frame
	var ts uint32
	allocs := testing.AllocsPerRun(1000, func() {
		b.Put(ts, &in)
		ts += FrameSamples
		b.Get(&out)
	})
	if allocs != 0 {
		t.Errorf("Put+Get allocates %v times per frame, want 0", allocs)
	}
}

// TestJitterConcurrent runs Put and Get on two goroutines (for -race).
func TestJitterConcurrent(t *testing.T) {
	b, err := NewJitterBuffer(JitterConfig{Clock: clock.NewFake(time.Unix(0, 0))})
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		var f Frame
		for k := range 500 {
			f[0] = int16(k)
			b.Put(uint32(k)*FrameSamples, &f)
		}
	}()
	var f Frame
	for range 500 {
		b.Get(&f)
	}
	<-done
	if st := b.Stats(); st.Received != 500 {
		t.Errorf("Received = %d, want 500", st.Received)
	}
}

func TestPlayAndPutStrings(t *testing.T) {
	got := fmt.Sprint(PlayFrame, PlayConcealed, PlaySilence, Play(9), PutAccepted, PutDuplicate, PutLate, PutResync, PutResult(9))
	if want := "Frame Concealed Silence Play(9) Accepted Duplicate Late Resync PutResult(9)"; got != want {
		t.Errorf("strings = %q, want %q", got, want)
	}
}

func BenchmarkJitterFrame(b *testing.B) {
	clk := clock.NewFake(time.Unix(0, 0))
	jb, err := NewJitterBuffer(JitterConfig{Clock: clk})
	if err != nil {
		b.Fatal(err)
	}
	var in, out Frame
	var ts uint32
	b.ReportAllocs()
	for b.Loop() {
		jb.Put(ts, &in)
		ts += FrameSamples
		jb.Get(&out)
	}
}
