package ui

import "github.com/gdamore/tcell/v2"

// draw puts the frame in the screen's cells and shows it: tcell compares
// the cells with what the terminal already has and sends only those that
// changed, with the terminal's own sequences (from TERM).
func draw(scr tcell.Screen, f frame) {
	for y, r := range f.rows {
		style := tcell.StyleDefault
		switch r.style {
		case styleReverse:
			style = style.Reverse(true)
		case styleBold:
			style = style.Bold(true)
		}
		x := 0
		for _, ch := range r.text {
			scr.SetContent(x, y, ch, nil, style)
			x++
		}
	}
	if f.cursorX >= 0 {
		scr.ShowCursor(f.cursorX, f.cursorY)
	} else {
		scr.HideCursor()
	}
	scr.Show()
}
