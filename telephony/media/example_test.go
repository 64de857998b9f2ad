package media_test

import (
	"fmt"
	"time"

	"github.com/ringo-phone/ringo/telephony/media"
)

func ExampleEncodeUlaw() {
	var pcm media.Frame
	pcm[0], pcm[1] = 0, -32124
	var wire [media.FrameSamples]byte
	media.EncodeUlaw(wire[:], pcm[:])
	var back media.Frame
	media.DecodeUlaw(back[:], wire[:])
	fmt.Printf("%#02x %#02x %d %d\n", wire[0], wire[1], back[0], back[1])
	// Output: 0xff 0x00 0 -32124
}

// stoppedClock is a fake clock as a caller writes it: time moves only
// when the test says. A JitterBuffer only reads the time.
type stoppedClock struct{ now time.Time }

func (c *stoppedClock) Now() time.Time          { return c.now }
func (c *stoppedClock) Advance(d time.Duration) { c.now = c.now.Add(d) }

func ExampleJitterBuffer() {
	clk := &stoppedClock{now: time.Unix(0, 0)}
	jb, err := media.NewJitterBuffer(media.JitterConfig{MinDelay: 40 * time.Millisecond, Clock: clk})
	if err != nil {
		panic(err)
	}
	var in, out media.Frame
	// Frames 0, 2, 1 arrive 20 ms apart (1 and 2 swapped); the speaker
	// takes one frame every 20 ms.
	for _, k := range []uint32{0, 2, 1, 3} {
		in[0] = int16(k)
		jb.Put(k*media.FrameSamples, &in)
		p := jb.Get(&out)
		fmt.Println(p, out[0])
		clk.Advance(media.FrameDuration)
	}
	// Output:
	// Silence 0
	// Frame 0
	// Frame 1
	// Frame 2
}
