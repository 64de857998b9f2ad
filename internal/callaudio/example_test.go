package callaudio_test

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/drivers/audio/pulse"
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/callaudio"
	"github.com/ringo-phone/ringo/internal/clock"
)

// A program builds its device table once, with PulseAudio registered, and
// hands a Device to whatever answers or places calls: the Asterisk agent
// takes it as its Audio (iaxagent.Options.Audio), iaxcli calls Open itself
// to follow the session.
func Example() {
	devices := audio.NewDevices(clock.Real()) // wav: and null: paced at 20 ms
	if err := pulse.Register(devices, pulse.Config{Logger: slog.Default()}); err != nil {
		fmt.Println(err)
		return
	}
	dev := callaudio.Device{
		Devices: devices,
		Source:  "pulse",         // the default source; "wav:PATH" sends a file
		Sink:    "pulse:speaker", // a given sink; "wav:PATH" records the call
		Config:  callaudio.Config{Logger: slog.Default()},
	}

	// iaxagent: Options{Audio: dev}; it calls dev.Start(ctx, call) when the
	// call connects and the returned stop when it ends.
	var _ interface {
		Start(ctx context.Context, c *iax.Call) (stop func())
	} = dev

	// iaxcli: open a session on a call and report its stats at the end.
	report := func(ctx context.Context, c *iax.Call) error {
		s, err := dev.Open(ctx, c)
		if err != nil {
			return err
		}
		defer s.Close()
		<-c.Done()
		st := s.Stats()
		fmt.Printf("lost %d late %d jitter %v delay %v\n", st.Jitter.Lost, st.Jitter.Late, st.Jitter.Jitter, st.Delay)
		return s.Err()
	}
	_ = report
	fmt.Println(devices.Names())
	// Output: [null pulse wav]
}
