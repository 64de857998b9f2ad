package callaudio

import (
	"testing"
	"time"

	"github.com/ringo-phone/ringo/telephony/media"
)

func TestStatsString(t *testing.T) {
	st := Stats{Sent: 199, Received: 200, SinkLatency: 30 * time.Millisecond, Delay: 70 * time.Millisecond,
		Jitter: media.JitterStats{Lost: 3, Late: 1, Concealed: 2, Jitter: 6641630 * time.Nanosecond, Delay: 40 * time.Millisecond}}
	want := "sent 199, received 200 (lost 3, late 1, concealed 2), jitter 6.6ms, delay 70ms (buffer 40ms + speaker 30ms)"
	if got := st.String(); got != want {
		t.Errorf("Stats.String() = %q, want %q", got, want)
	}
}
