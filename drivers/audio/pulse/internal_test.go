package pulse

import (
	"errors"
	"testing"
	"time"
)

func TestServerAddr(t *testing.T) {
	t.Setenv("PULSE_SERVER", "")
	t.Setenv("XDG_RUNTIME_DIR", "/run/user/7")
	for _, tc := range []struct {
		in, network, addr string
	}{
		{"", "unix", "/run/user/7/pulse/native"},
		{"unix:/a/native", "unix", "/a/native"},
		{"/b/native", "unix", "/b/native"},
		{"tcp:127.0.0.1", "tcp", "127.0.0.1:4713"},
		{"tcp4:127.0.0.1:9000", "tcp4", "127.0.0.1:9000"},
		{"{abc}unix:/c/native tcp:127.0.0.1", "unix", "/c/native"},
		{"bogus tcp6:[::1]", "tcp6", "[::1]:4713"},
	} {
		n, a, err := serverAddr(tc.in)
		if err != nil || n != tc.network || a != tc.addr {
			t.Errorf("serverAddr(%q) = %q, %q, %v, want %q, %q", tc.in, n, a, err, tc.network, tc.addr)
		}
	}
	t.Setenv("PULSE_SERVER", "unix:/env/native")
	if _, a, _ := serverAddr(""); a != "/env/native" {
		t.Errorf("serverAddr(\"\") with PULSE_SERVER = %q, want /env/native", a)
	}
	t.Setenv("PULSE_SERVER", "")
	t.Setenv("XDG_RUNTIME_DIR", "")
	if _, a, err := serverAddr(""); a != SystemSocket || err != nil {
		t.Errorf("serverAddr without any setting = %q, %v, want the system socket", a, err)
	}
	if _, _, err := serverAddr("tcp4 unix:relative"); !errors.Is(err, ErrNoServer) {
		t.Errorf("serverAddr with no usable entry: %v, want ErrNoServer", err)
	}
}

func TestRingReframes(t *testing.T) {
	q := ring{buf: make([]byte, 3*frameBytes)}
	var in []byte
	for i := 0; i < 5*frameBytes; i++ {
		in = append(in, byte(i))
	}
	// Irregular chunks in, whole frames out, order kept.
	var out []byte
	var f [frameBytes]byte
	pos := 0
	for _, n := range []int{7, 300, 13, 320, 1, 500, 459} {
		if d := q.write(in[pos : pos+n]); d != 0 {
			t.Fatalf("write of %d at %d dropped %d", n, pos, d)
		}
		pos += n
		for q.n >= frameBytes {
			q.read(f[:])
			out = append(out, f[:]...)
		}
	}
	if pos != len(in) || string(out) != string(in) {
		t.Fatalf("re-framed %d of %d bytes; equal = %v", len(out), len(in), string(out) == string(in))
	}
	// Overflow drops the oldest whole frames.
	q = ring{buf: make([]byte, 2*frameBytes)}
	q.write(in[:frameBytes])
	q.write(in[frameBytes : 2*frameBytes])
	if d := q.write(in[2*frameBytes : 2*frameBytes+10]); d != frameBytes {
		t.Errorf("overflow dropped %d bytes, want %d", d, frameBytes)
	}
	q.read(f[:])
	if string(f[:]) != string(in[frameBytes:2*frameBytes]) {
		t.Error("after overflow the oldest frame left is not the second one")
	}
}

// The latency comes from the configuration, else from PULSE_LATENCY_MSEC
// as libpulse reads it, else 20 ms; always whole frames.
func TestLatencyDefault(t *testing.T) {
	for _, tc := range []struct {
		cfg  time.Duration
		env  string
		want time.Duration
	}{
		{0, "", 20 * time.Millisecond},
		{0, "60", 60 * time.Millisecond},
		{0, "50", 60 * time.Millisecond},
		{0, "junk", 20 * time.Millisecond},
		{0, "-5", 20 * time.Millisecond},
		{40 * time.Millisecond, "100", 40 * time.Millisecond},
	} {
		t.Setenv("PULSE_LATENCY_MSEC", tc.env)
		c := Config{Latency: tc.cfg}
		c.defaults()
		if c.Latency != tc.want {
			t.Errorf("Latency %v with PULSE_LATENCY_MSEC=%q = %v, want %v", tc.cfg, tc.env, c.Latency, tc.want)
		}
	}
}
