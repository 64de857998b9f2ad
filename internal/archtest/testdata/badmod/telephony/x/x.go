// Package x is a library that imports another library and takes an
// internal type.
package x

import (
	"time"

	"example.com/badmod/iax/y"
	"example.com/badmod/internal/clk"
)

// Service is a service.
type Service struct {
	Name  string
	clock clk.Clock
}

// New makes a service on clock c.
func New(c clk.Clock) *Service { return &Service{Name: y.Hello(), clock: c} }

// Now may use the internal clock in its body.
func (s *Service) Now() time.Time { return s.clock.Now() }
