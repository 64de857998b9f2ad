package pulse

import (
	"bytes"
	"strings"
	"testing"
)

// FuzzServerAddr: any server string gives an error or a usable address of
// a known network, never a panic.
func FuzzServerAddr(f *testing.F) {
	for _, s := range []string{"unix:/run/pulse/native", "/tmp/x", "tcp:127.0.0.1:4713", "tcp6:[::1]", "{m}unix:/a", "{", "{}", "x y z", "tcp4:"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if strings.TrimSpace(s) == "" {
			return // the environment decides then
		}
		n, a, err := serverAddr(s)
		if err != nil {
			return
		}
		switch n {
		case "unix":
			if !strings.HasPrefix(a, "/") && a != "" {
				t.Errorf("serverAddr(%q) = unix %q: not a path", s, a)
			}
		case "tcp", "tcp4", "tcp6":
			if !strings.Contains(a, ":") {
				t.Errorf("serverAddr(%q) = %s %q: no port", s, n, a)
			}
		default:
			t.Errorf("serverAddr(%q) network %q", s, n)
		}
	})
}

// FuzzRing: whatever the chunk sizes, a ring read as soon as it holds a
// frame accounts for every byte (read, dropped or still queued), hands out
// frames that are contiguous runs of the input, and when it drops nothing
// gives the input back exactly.
func FuzzRing(f *testing.F) {
	f.Add([]byte{7, 200, 13, 255, 1, 90}, uint8(3))
	f.Add([]byte{255, 255, 255, 255}, uint8(1))
	f.Fuzz(func(t *testing.T, sizes []byte, frames uint8) {
		q := ring{buf: make([]byte, (int(frames%8)+1)*frameBytes)}
		var in, out []byte
		var fr [frameBytes]byte
		next, dropped := byte(0), 0
		for _, sz := range sizes {
			chunk := make([]byte, int(sz)*2) // whole samples, as the server sends
			for i := range chunk {
				chunk[i] = next
				next++
			}
			in = append(in, chunk...)
			dropped += q.write(chunk)
			for q.n >= frameBytes {
				q.read(fr[:])
				for i := 1; i < len(fr); i++ {
					if fr[i] != fr[i-1]+1 {
						t.Fatalf("a frame read is not a contiguous run of the input at %d", i)
					}
				}
				out = append(out, fr[:]...)
			}
			if len(out)+dropped+q.n != len(in) {
				t.Fatalf("read %d + dropped %d + queued %d != written %d", len(out), dropped, q.n, len(in))
			}
		}
		if dropped == 0 && !bytes.Equal(out, in[:len(out)]) {
			t.Fatal("without drops the bytes read differ from the input")
		}
	})
}
