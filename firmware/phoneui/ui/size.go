package ui

import (
	"strconv"

	"github.com/gdamore/tcell/v2"
)

// unsizedTty is a terminal whose size the kernel does not know, such as a
// serial console, which reports 0×0: it is the size of its terminal type
// (80×24 for vt100 and linux), or LINES and COLUMNS when they are set.
// tcell alone would take 80×25 and draw its last row below the screen.
type unsizedTty struct {
	tcell.Tty
	size tcell.WindowSize
}

func (t unsizedTty) WindowSize() (tcell.WindowSize, error) { return t.size, nil }

// serialSize is the size of a terminal the kernel reports as rows×cols:
// that size when neither is 0, else LINES and COLUMNS, else the terminal
// type's (lines, columns), else 80×24. ok is false when the kernel knows
// the size.
func serialSize(rows, cols uint16, lines, columns int, getenv func(string) string) (tcell.WindowSize, bool) {
	if rows != 0 && cols != 0 {
		return tcell.WindowSize{Width: int(cols), Height: int(rows)}, false
	}
	pick := func(env string, fromType, dflt int) int {
		if n, err := strconv.Atoi(getenv(env)); err == nil && n > 0 {
			return n
		}
		if fromType > 0 {
			return fromType
		}
		return dflt
	}
	return tcell.WindowSize{Width: pick("COLUMNS", columns, 80), Height: pick("LINES", lines, 24)}, true
}
