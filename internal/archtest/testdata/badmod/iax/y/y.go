// Package y is a library whose exported API mentions internal types in
// every way the checker knows.
package y

import (
	"example.com/badmod/iax/internal/wire"
	"example.com/badmod/internal/clk"
)

// Hello greets.
func Hello() string { return "hello" }

// Config holds settings.
type Config struct {
	Name  string
	Last  *wire.Frame
	clock clk.Clock
}

// Timer returns a timer.
func (c *Config) Timer() clk.Timer { return clk.Timer{} }

// Clock lets a third party name an internal type, which is still not public.
type Clock = clk.Clock

// Default is the clock of last resort.
var Default clk.Clock

// Every runs on any clock.
func Every[C clk.Clock](c C) { _ = c }

// Open returns an unexported type whose exported field is reachable.
func Open() *conn { return &conn{} }

type conn struct {
	Frames []map[string]wire.Frame
}

func quiet(c clk.Clock) clk.Timer { _ = c; return clk.Timer{} }

// Ticker embeds an internal type, which promotes it into the API.
type Ticker struct {
	clk.Timer
}

// Source is a clock with a name.
type Source interface {
	clk.Clock
	Name() string
	Wire() wire.Frame
}
