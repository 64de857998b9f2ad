package ctl

import (
	"context"
	"fmt"
	"io"

	"github.com/ringo-phone/ringo/telephony"
	"github.com/ringo-phone/ringo/telephony/phoneapi"
	vs "github.com/ringo-phone/ringo/telephony/valuespace"
)

// flight asks phoned to turn flight mode on or off ("on" or "off").
func (x *cmd) flight(ctx context.Context, pos string) error {
	if err := phoneapi.SetFlight(ctx, x.c, pos == "on"); err != nil {
		return err
	}
	return x.print(map[string]string{"flight": pos}, "flight mode "+pos)
}

// HardwareStatus is the hardware block of phonectl status: what phoned
// publishes under /Hardware. A part the board lacks is left out (empty,
// or null for the switch).
type HardwareStatus struct {
	Board string `json:"board,omitempty"`
	// FlightMode is the effective flight mode; FlightSwitch the hardware
	// switch's position (null on a board without one).
	FlightMode   bool     `json:"flightMode"`
	FlightSwitch *bool    `json:"flightSwitch,omitempty"`
	RadioPower   string   `json:"radioPower,omitempty"`
	RadioStatus  *bool    `json:"radioStatus,omitempty"`
	CodecRoute   string   `json:"codecRoute,omitempty"`
	CodecVolume  *int64   `json:"codecVolume,omitempty"`
	MicMuted     *bool    `json:"micMuted,omitempty"`
	Keypad       string   `json:"keypad,omitempty"`
	Digits       string   `json:"digits,omitempty"`
	Problems     []string `json:"problems"`
}

func (x *cmd) hardware(ctx context.Context) (HardwareStatus, error) {
	h := HardwareStatus{Problems: []string{}}
	if v, ok, err := x.c.Get(ctx, telephony.FlightModePath); err != nil {
		return h, err
	} else if ok {
		h.FlightMode, _ = v.Bool()
	}
	es, err := x.c.Snapshot(ctx, phoneapi.HardwarePath)
	if err != nil {
		return h, err
	}
	pb := func(v vs.Value) *bool { b, _ := v.Bool(); return &b }
	for _, e := range es {
		switch e.Path {
		case phoneapi.HardwareBoardPath:
			h.Board, _ = e.Value.Str()
		case phoneapi.HardwareFlightModePath:
			h.FlightSwitch = pb(e.Value)
		case phoneapi.HardwareRadioPowerPath:
			h.RadioPower, _ = e.Value.Str()
		case phoneapi.HardwareRadioStatusPath:
			h.RadioStatus = pb(e.Value)
		case phoneapi.HardwareCodecRoutePath:
			h.CodecRoute, _ = e.Value.Str()
		case phoneapi.HardwareCodecVolumePath:
			n, _ := e.Value.Int()
			h.CodecVolume = &n
		case phoneapi.HardwareCodecMicPath:
			h.MicMuted = pb(e.Value)
		case phoneapi.HardwareKeypadDevPath:
			h.Keypad, _ = e.Value.Str()
		case phoneapi.HardwareKeypadDigitPath:
			h.Digits, _ = e.Value.Str()
		case phoneapi.HardwareProblemsPath:
			l, _ := e.Value.List()
			h.Problems = nonNil(l)
		}
	}
	return h, nil
}

// writeHardware prints the hardware block, one line a part. A board
// without hardware (the host's, or none) in flight mode off prints
// nothing: there is nothing to say.
func writeHardware(w io.Writer, h HardwareStatus) {
	if (h.Board == "" || h.Board == "host") && !h.FlightMode && len(h.Problems) == 0 {
		return
	}
	onOff := func(b bool) string {
		if b {
			return "on"
		}
		return "off"
	}
	fmt.Fprintf(w, "\nhardware (board %s):\n", cell(h.Board, 0))
	fl := "flight mode " + onOff(h.FlightMode)
	if h.FlightSwitch != nil {
		fl += ", switch " + onOff(*h.FlightSwitch)
	} else {
		fl += " (software switch: phonectl flight on|off)"
	}
	fmt.Fprintf(w, "  %s\n", fl)
	if h.RadioPower != "" {
		st := ""
		if h.RadioStatus != nil {
			st = ", STATUS says " + map[bool]string{true: "powered", false: "off"}[*h.RadioStatus]
		}
		fmt.Fprintf(w, "  radio %s%s\n", printable(h.RadioPower), st)
	}
	if h.CodecRoute != "" {
		vol, mic := int64(0), true
		if h.CodecVolume != nil {
			vol = *h.CodecVolume
		}
		if h.MicMuted != nil {
			mic = *h.MicMuted
		}
		fmt.Fprintf(w, "  codec route %s, volume %d, microphone %s\n", printable(h.CodecRoute), vol,
			map[bool]string{true: "muted", false: "on"}[mic])
	}
	if h.Keypad != "" {
		fmt.Fprintf(w, "  keypad %s, digits %q\n", printable(h.Keypad), h.Digits)
	}
	for _, p := range h.Problems {
		fmt.Fprintf(w, "  FAILED %s\n", printable(p))
	}
}
