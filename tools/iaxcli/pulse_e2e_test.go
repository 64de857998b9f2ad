package main

import (
	"context"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/drivers/audio/pulse/pulsetest"
)

// TestCallThroughPulseAudio: `iaxcli call -audio pulse` plays what it
// hears on PulseAudio's default sink (a private server's null sink
// "speaker") and talks through its microphone. 601's 1004 Hz tone reaches
// the sink; a 700 Hz tone fed into the "mic" sink, whose monitor is the
// microphone, comes back from 600's echo.
func TestCallThroughPulseAudio(t *testing.T) {
	srv := pulsetest.Start(t)
	_, addr := startPBX(t)
	speaker := srv.SinkMonitor(t, "speaker")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()

	c := startTB(t, "iaxcli", srv.Env(), "call", "-server", addr, "-user", user1, "-secret", secret1,
		"-local", "127.0.0.1:0", "-dial", "601", "-audio", "pulse", "-duration", "6s")
	c.WaitLine(`^state connected$`, 10*time.Second)
	speaker.ExpectTone(t, ctx, "601 through -audio pulse", 1004, 30)
	if err := c.Wait(20 * time.Second); err != nil {
		t.Errorf("iaxcli: %v", err)
	}

	mic := srv.Play(t, "mic", pulsetest.SineFrames(700))
	defer mic.Stop()
	c = startTB(t, "iaxcli", srv.Env(), "call", "-server", addr, "-user", user1, "-secret", secret1,
		"-local", "127.0.0.1:0", "-dial", "600", "-audio", "pulse", "-mic", "pulse:mic.monitor", "-duration", "6s")
	c.WaitLine(`^state connected$`, 10*time.Second)
	speaker.ExpectTone(t, ctx, "the microphone echoed by 600", 700, 30)
	if err := c.Wait(20 * time.Second); err != nil {
		t.Errorf("iaxcli: %v", err)
	}
}
