package ui

import (
	"testing"

	"github.com/gdamore/tcell/v2"
)

func TestSerialSize(t *testing.T) {
	env := func(kv ...string) func(string) string {
		return func(k string) string {
			for i := 0; i+1 < len(kv); i += 2 {
				if kv[i] == k {
					return kv[i+1]
				}
			}
			return ""
		}
	}
	for _, c := range []struct {
		name          string
		rows, cols    uint16
		lines, column int
		getenv        func(string) string
		want          tcell.WindowSize
		unsized       bool
	}{
		{"a sized terminal", 40, 132, 24, 80, env("LINES", "10"), tcell.WindowSize{Width: 132, Height: 40}, false},
		{"a serial console, vt100", 0, 0, 24, 80, env(), tcell.WindowSize{Width: 80, Height: 24}, true},
		{"LINES and COLUMNS win", 0, 0, 24, 80, env("LINES", "30", "COLUMNS", "100"), tcell.WindowSize{Width: 100, Height: 30}, true},
		{"a bad LINES is ignored", 0, 0, 24, 80, env("LINES", "many"), tcell.WindowSize{Width: 80, Height: 24}, true},
		{"a type without a size", 0, 0, 0, 0, env(), tcell.WindowSize{Width: 80, Height: 24}, true},
	} {
		got, unsized := serialSize(c.rows, c.cols, c.lines, c.column, c.getenv)
		if got != c.want || unsized != c.unsized {
			t.Errorf("%s: serialSize(%d, %d, %d, %d) = %+v, %v; want %+v, %v", c.name, c.rows, c.cols, c.lines, c.column, got, unsized, c.want, c.unsized)
		}
	}
}
