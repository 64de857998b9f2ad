package ladder

import (
	"bufio"
	"encoding/xml"
	"fmt"
	"io"
	"strings"
)

// SVG layout, in pixels.
const (
	svgTimeWidth = 60  // the time column
	svgColumn    = 360 // between two lifelines
	svgRow       = 22  // one row
	svgTop       = 56  // the party names above the first row
	svgBottom    = 40  // the summary below the last
	svgChar      = 7.3 // the advance of one character of 12 px monospace
)

// SVG draws the same ladder as Text as an SVG picture: a lifeline per
// party with its name, and per row the time and an arrow with its label
// above. Voice rows are dashed, frames sent again orange, lost frames
// red and ending in a cross. Every arrow is a group
//
//	<g class="arrow frame|voice|lost|note" data-from="A" data-to="B">
//
// holding a line and the label's text, in row order, so that a program
// can read the picture back. Arrowheads are drawn shapes, not markers,
// so that simple SVG renderers show them too.
func (l *Ladder) SVG(w io.Writer) error {
	n := max(len(l.Parties), 1)
	longest := 0
	for _, p := range l.Parties {
		longest = max(longest, len([]rune(p.Name())))
	}
	pad := int(svgChar*float64(longest)/2) + 12
	width := svgTimeWidth + 2*pad + svgColumn*(n-1)
	summary := strings.Split(l.Summary(), "\n")
	for _, line := range summary {
		width = max(width, int(svgChar*float64(len([]rune(line))))+24)
	}
	height := svgTop + svgRow*len(l.Rows) + svgBottom + 16*(len(summary)-1)
	x := func(i int) int { return svgTimeWidth + pad + i*svgColumn }
	bw := bufio.NewWriter(w)
	esc := func(s string) string {
		var b []byte
		b, _ = appendEscaped(b, s)
		return string(b)
	}
	fmt.Fprintf(bw, `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" viewBox="0 0 %d %d" font-family="monospace" font-size="12">
<rect width="100%%" height="100%%" fill="white"/>
`, width, height, width, height)
	bottom := svgTop + svgRow*len(l.Rows)
	for i, p := range l.Parties {
		fmt.Fprintf(bw, `<g class="party" data-party="%s"><text x="%d" y="20" text-anchor="middle" font-weight="bold">%s</text>`+
			`<text x="%d" y="36" text-anchor="middle">%s</text>`+
			`<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#888"/></g>`+"\n",
			Letter(i), x(i), Letter(i), x(i), esc(p.Name()), x(i), svgTop-12, x(i), bottom)
	}
	for i, r := range l.Rows {
		y := svgTop + svgRow*i + 14
		class, stroke, dash := "frame", "black", ""
		switch {
		case r.Kind == RowVoice:
			class, stroke, dash = "voice", "#26a", ` stroke-dasharray="6,3"`
		case r.Kind == RowLost:
			class, stroke, dash = "lost", "#c00", ` stroke-dasharray="2,3"`
		case r.Kind == RowNote:
			class = "note"
		case r.Again:
			stroke = "#d70"
		}
		fmt.Fprintf(bw, `<g class="arrow %s" data-from="%s" data-to="%s">`, class, Letter(r.From), Letter(r.To))
		fmt.Fprintf(bw, `<text x="%d" y="%d" text-anchor="end" fill="#666">%.3f</text>`, svgTimeWidth, y, r.At.Seconds())
		x1, x2 := x(r.From), x(r.To)
		if r.Kind == RowNote || x1 == x2 {
			fmt.Fprintf(bw, `<text class="label" x="%d" y="%d">%s</text></g>`+"\n", x1+8, y, esc(r.label()))
			continue
		}
		// From the sender to the receiver: the head is at the end.
		mid := (x1 + x2) / 2
		fmt.Fprintf(bw, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s"%s/>`, x1, y, x2, y, stroke, dash)
		dir := 1
		if x2 < x1 {
			dir = -1
		}
		if r.Kind == RowLost {
			c := x2 - dir*6
			fmt.Fprintf(bw, `<path d="M%d,%d L%d,%d M%d,%d L%d,%d" stroke="%s" stroke-width="2"/>`, c-5, y-5, c+5, y+5, c+5, y-5, c-5, y+5, stroke)
		} else {
			fmt.Fprintf(bw, `<path d="M%d,%d L%d,%d L%d,%d z" fill="%s"/>`, x2, y, x2-dir*9, y-4, x2-dir*9, y+4, stroke)
		}
		fmt.Fprintf(bw, `<text class="label" x="%d" y="%d" text-anchor="middle">%s</text></g>`+"\n", mid, y-4, esc(r.label()))
	}
	for i, line := range summary {
		fmt.Fprintf(bw, `<text class="summary" x="10" y="%d" fill="#444">%s</text>`+"\n", bottom+24+16*i, esc(line))
	}
	fmt.Fprintln(bw, "</svg>")
	return bw.Flush()
}

// appendEscaped escapes s for XML text and attributes.
func appendEscaped(b []byte, s string) ([]byte, error) {
	w := &sliceWriter{b: b}
	err := xml.EscapeText(w, []byte(s))
	return w.b, err
}

type sliceWriter struct{ b []byte }

func (w *sliceWriter) Write(p []byte) (int, error) { w.b = append(w.b, p...); return len(p), nil }
