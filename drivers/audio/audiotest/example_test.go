package audiotest_test

import (
	"fmt"

	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
)

// An end-to-end test checks that what reached the speaker is the 1004 Hz
// test tone, at least 30 dB above everything else.
func ExampleAnalyzeTone() {
	tone := audiotest.Sine(1004, -10, 4000)
	whistle := audiotest.Sine(2000, -50, 4000)
	for i := range tone {
		tone[i] += whistle[i]
	}
	r := audiotest.AnalyzeTone(tone, 1004)
	fmt.Printf("margin ≥ 30 dB: %v; strongest other bin: %.0f Hz\n", r.MarginDB >= 30, r.OtherHz)
	// Output: margin ≥ 30 dB: true; strongest other bin: 2000 Hz
}
