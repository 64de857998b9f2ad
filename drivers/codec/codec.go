package codec

import (
	"context"
	"fmt"
	"strconv"
)

// Codec is a handset's audio codec. Every method takes a context,
// checked between register writes, and returns what went wrong.
//
// While powered down, Route, SetMicMuted and SetVolume only record what
// they are told (nothing is written); PowerUp applies it. A codec comes
// up with the route off, the microphone muted and the volume at
// DefaultVolume until told otherwise.
type Codec interface {
	// PowerUp resets the codec and powers its converters, then applies
	// the recorded route, microphone mute and volume.
	PowerUp(ctx context.Context) error
	// PowerDown silences every output and returns the codec to its
	// lowest-power state. The recorded settings are kept.
	PowerDown(ctx context.Context) error
	// Route selects where the call is heard and which microphone
	// captures it.
	Route(ctx context.Context, r Route) error
	// SetMicMuted mutes or unmutes the microphone; outputs are untouched.
	SetMicMuted(ctx context.Context, muted bool) error
	// SetVolume sets the output level, 0 (muted) to 100 (full scale).
	SetVolume(ctx context.Context, volume int) error
}

// DefaultVolume is the volume a codec starts with.
const DefaultVolume = 80

// Route is where a call is heard. The names are the value space's
// /Hardware/Codec/Route strings.
type Route int

const (
	// RouteOff plays nowhere and captures nothing.
	RouteOff Route = iota
	// RouteEarpiece is the handset's receiver and its main microphone.
	RouteEarpiece
	// RouteSpeaker is the loudspeaker (hands-free) and the main microphone.
	RouteSpeaker
	// RouteHeadset is a wired headset's earphone and microphone.
	RouteHeadset
)

var routeNames = [...]string{"off", "earpiece", "speaker", "headset"}

// String returns the route's name: off, earpiece, speaker or headset.
func (r Route) String() string {
	if r.valid() {
		return routeNames[r]
	}
	return "Route(" + strconv.Itoa(int(r)) + ")"
}

func (r Route) valid() bool { return r >= 0 && int(r) < len(routeNames) }

// Check reports ErrBadRoute for a value that names no route.
func (r Route) Check() error {
	if !r.valid() {
		return fmt.Errorf("%w: %d (the routes: off, earpiece, speaker, headset)", ErrBadRoute, int(r))
	}
	return nil
}

// ParseRoute returns the route named s.
func ParseRoute(s string) (Route, error) {
	for i, n := range routeNames {
		if n == s {
			return Route(i), nil
		}
	}
	return RouteOff, fmt.Errorf("%w: %q (the routes: off, earpiece, speaker, headset)", ErrBadRoute, s)
}

// CheckVolume reports ErrBadVolume for a volume outside 0–100.
func CheckVolume(v int) error {
	if v < 0 || v > 100 {
		return fmt.Errorf("%w: %d (0 is muted, 100 full scale)", ErrBadVolume, v)
	}
	return nil
}
