package media_test

import (
	"github.com/ringo-phone/ringo/internal/clock"
	"github.com/ringo-phone/ringo/telephony/media"
)

// Ringo's own clocks are media Clocks, with no conversion.
var (
	_ media.Clock = (*clock.Fake)(nil)
	_ media.Clock = clock.Real()
)
