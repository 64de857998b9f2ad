// Package p is a program: its API may mention internal types, but it must
// not import a host tool.
package p

import (
	"example.com/badmod/internal/clk"
	"example.com/badmod/tools/t"
)

// Run runs on clock c.
func Run(c clk.Clock) { t.Help() }
