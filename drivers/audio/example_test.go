package audio_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/audiotest"
)

// A program opens its microphone and speaker by name; here the speaker is a
// WAV file that a test then checks for the 1004 Hz test tone.
func ExampleDevices() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "example")
	defer os.RemoveAll(dir)
	out := filepath.Join(dir, "speaker.wav")

	devices := audio.NewDevices(nil) // unpaced: run as fast as possible
	speaker, err := devices.OpenSink(ctx, "wav:"+out)
	if err != nil {
		panic(err)
	}
	mic := &audiotest.ToneSource{Freq: 1004, LevelDB: -10, Frames: 50}
	var f audio.Frame
	for mic.ReadFrame(ctx, &f) == nil {
		speaker.WriteFrame(ctx, &f)
	}
	speaker.Close()

	src, _ := devices.OpenSource(ctx, "wav:"+out)
	defer src.Close()
	var got []int16
	for src.ReadFrame(ctx, &f) == nil {
		got = append(got, f[:]...)
	}
	r := audiotest.AnalyzeTone(got, 1004)
	fmt.Println(len(got), r.MarginDB >= 30)
	// Output: 8000 true
}
