package phoneapi

import (
	"context"
	"fmt"

	"github.com/ringo-phone/ringo/telephony/bus"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// MsgFlight asks phoned to turn the software flight request on or off:
// replyChannel, on [bool]. Answered with MsgDone, or MsgFailed when the
// request could not take effect (a hardware switch that is on keeps
// flight mode on: the reason says so).
const MsgFlight = "flight"

// SetFlight asks phoned to turn flight mode on or off. The request is
// kept across reboots; a hardware flight switch that is on cannot be
// overridden, and the error (wrapping ErrRefused) says so.
func SetFlight(ctx context.Context, c *bus.Client, on bool) error {
	m, err := request(ctx, c, MsgFlight, vs.Bool(on))
	if err != nil {
		return err
	}
	if m.Name == MsgFailed {
		reason, _ := m.Str(0)
		return fmt.Errorf("%w: %s", ErrRefused, reason)
	}
	return nil
}

// The hardware's value-space entries, owned by phoned.
const (
	HardwarePath            = "/Hardware"
	HardwareBoardPath       = "/Hardware/Board"
	HardwareFlightModePath  = "/Hardware/FlightMode"
	HardwareRadioPowerPath  = "/Hardware/Radio/Power"
	HardwareRadioStatusPath = "/Hardware/Radio/Status"
	HardwareCodecRoutePath  = "/Hardware/Codec/Route"
	HardwareCodecVolumePath = "/Hardware/Codec/Volume"
	HardwareCodecMicPath    = "/Hardware/Codec/MicMuted"
	HardwareKeypadDevPath   = "/Hardware/Keypad/Device"
	HardwareKeypadDigitPath = "/Hardware/Keypad/Digits"
	HardwareProblemsPath    = "/Hardware/Problems"
)
