package audiotest

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/ringo-phone/ringo/drivers/audio"
)

// ReadWAV returns every sample of a WAV file (8 kHz mono 16-bit), failing
// the test on a bad or truncated file. The last frame's padding is
// included.
func ReadWAV(t testing.TB, path string) []int16 {
	t.Helper()
	src, err := audio.OpenWAVSource(path, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []int16
	var f audio.Frame
	for {
		err := src.ReadFrame(context.Background(), &f)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, f[:]...)
	}
}
