package callaudio

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/drivers/audio"
	"github.com/ringo-phone/ringo/iax"
)

// Device streams calls through endpoints opened by name from a Devices
// table: "pulse", "pulse:NAME", "wav:PATH", "null". Its Start method
// satisfies the Asterisk agent's Audio interface.
type Device struct {
	Devices *audio.Devices
	// Source and Sink name the microphone and the speaker ("pulse" when
	// empty).
	Source, Sink string
	Config       Config
}

func (d Device) names() (src, sink string) {
	src, sink = d.Source, d.Sink
	if src == "" {
		src = "pulse"
	}
	if sink == "" {
		sink = "pulse"
	}
	return src, sink
}

// Open opens both endpoints and starts a session on c.
func (d Device) Open(ctx context.Context, c *iax.Call) (*Session, error) {
	srcName, sinkName := d.names()
	src, err := d.Devices.OpenSource(ctx, srcName)
	if err != nil {
		return nil, fmt.Errorf("%w: microphone %q: %w", ErrDevice, srcName, err)
	}
	sink, err := d.Devices.OpenSink(ctx, sinkName)
	if err != nil {
		src.Close()
		return nil, fmt.Errorf("%w: speaker %q: %w", ErrDevice, sinkName, err)
	}
	s, err := Start(ctx, c, src, sink, d.Config)
	if err != nil {
		src.Close()
		sink.Close()
		return nil, err
	}
	return s, nil
}

// Start streams c until the returned stop is called (or the call ends);
// stop ends the session and waits. When the endpoints cannot be opened the
// failure is logged and the call goes on without audio.
func (d Device) Start(ctx context.Context, c *iax.Call) (stop func()) {
	s, err := d.Open(ctx, c)
	if err != nil {
		cfg := d.Config
		cfg.defaults()
		cfg.Logger.Error("call audio not started", "err", err)
		return func() {}
	}
	return func() { s.Close() }
}
