package iax_test

import (
	"github.com/ringo-phone/ringo/iax"
	"github.com/ringo-phone/ringo/internal/clock"
)

// Ringo's own clocks are iax Clocks, with no conversion.
var (
	_ iax.Clock = (*clock.Fake)(nil)
	_ iax.Clock = clock.Real()
)
