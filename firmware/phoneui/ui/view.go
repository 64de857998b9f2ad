package ui

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/ringo-phone/ringo/telephony"
)

// rowStyle is how a row is drawn; a serial console has reverse and bold.
type rowStyle uint8

const (
	styleNormal rowStyle = iota
	styleReverse
	styleBold
)

type row struct {
	text  string
	style rowStyle
}

// frame is the whole screen as text, one row per line of the terminal,
// each exactly as wide as the terminal.
type frame struct {
	rows             []row
	cursorX, cursorY int // -1: no cursor
}

func (f frame) equal(g frame) bool {
	if f.cursorX != g.cursorX || f.cursorY != g.cursorY || len(f.rows) != len(g.rows) {
		return false
	}
	for i := range f.rows {
		if f.rows[i] != g.rows[i] {
			return false
		}
	}
	return true
}

func (f frame) lines() []string {
	out := make([]string, len(f.rows))
	for i, r := range f.rows {
		out[i] = strings.TrimRight(r.text, " ")
	}
	return out
}

// The most rows the status bar gives to services.
const maxServiceRows = 3

// render draws the screen: the status bar, the body of the current
// screen, its message and its keys. The layout is made for 80×24 and cut
// to fit a smaller terminal.
func render(st *state, p *phone, now time.Time, w, h int) frame {
	f := frame{cursorX: -1, cursorY: -1}
	if w <= 0 || h <= 0 {
		return f
	}
	var top []row
	top = append(top, row{statusLine(st, p, now, w), styleReverse})
	top = append(top, serviceRows(st, p, w)...)
	top = append(top, row{strings.Repeat("-", w), styleNormal})

	var b body
	switch st.screen {
	case screenDialer:
		b = dialerBody(st, p)
	case screenChooser:
		b = chooserBody(st, p)
	case screenIncoming:
		b = incomingBody(st, p)
	case screenCalls:
		b = callsBody(st, p, now)
	case screenHistory:
		b = historyBody(st, p, now)
	}
	var msg []row
	if st.msg != "" {
		style := styleNormal
		if st.msgKind == msgError {
			style = styleBold
		}
		for _, l := range wrap(st.msg, w-2) {
			msg = append(msg, row{" " + l, style})
		}
	}
	keys := make([]row, 0, len(b.keys)+1)
	keys = append(keys, row{strings.Repeat("-", w), styleNormal})
	for _, k := range b.keys {
		keys = append(keys, row{" " + k, styleNormal})
	}

	rows := append([]row(nil), top...)
	room := h - len(top) - len(msg) - len(keys)
	for i, r := range b.rows {
		if i >= room {
			break
		}
		if b.cursorRow == i {
			f.cursorX, f.cursorY = min(utf8.RuneCountInString(r.text), w-1), len(rows)
		}
		rows = append(rows, r)
	}
	for len(rows) < h-len(msg)-len(keys) {
		rows = append(rows, row{})
	}
	rows = append(rows, msg...)
	rows = append(rows, keys...)
	if len(rows) > h {
		rows = rows[:h]
	}
	for i := range rows {
		rows[i].text = fit(rows[i].text, w)
	}
	if f.cursorY >= h {
		f.cursorX, f.cursorY = -1, -1
	}
	f.rows = rows
	return f
}

// body is one screen's rows and its key help.
type body struct {
	rows      []row
	cursorRow int // the row that ends with the cursor, -1 none
	keys      []string
}

// statusLine is the top row: flight mode, radio, missed calls, the time.
func statusLine(st *state, p *phone, now time.Time, w int) string {
	var parts []string
	switch {
	case !st.linkUp:
		parts = append(parts, "phoned not connected")
	case p.flightKnown && p.flight:
		parts = append(parts, "FLIGHT MODE ON")
	case p.flightKnown:
		parts = append(parts, "flight mode off")
	}
	if p.radio != "" {
		parts = append(parts, "radio "+printable(p.radio, 16))
	}
	parts = append(parts, fmt.Sprintf("missed calls %d", p.missed))
	left := " Ringo  " + strings.Join(parts, "  ")
	right := now.Format("Mon 15:04") + " "
	return spread(left, right, w)
}

// serviceRows are one row per service: its name, its registration icon
// (as text), its registration state and its message.
func serviceRows(st *state, p *phone, w int) []row {
	if !st.linkUp {
		why := "waiting for phoned"
		if st.linkErr != nil {
			why = printable(st.linkErr.Error(), 0) + "; trying again"
		}
		var rows []row
		for i, l := range wrap(why, w-2) {
			if i == maxServiceRows {
				break
			}
			rows = append(rows, row{" " + l, styleBold})
		}
		return rows
	}
	l := p.serviceList()
	if len(l) == 0 {
		return []row{{" No telephony service is running (phonectl status says why).", styleNormal}}
	}
	var rows []row
	for i, s := range l {
		if i == maxServiceRows-1 && len(l) > maxServiceRows {
			rows = append(rows, row{fmt.Sprintf(" and %d more services (phonectl status lists them)", len(l)-i), styleNormal})
			break
		}
		icon := "[" + printable(or(s.icon, "no icon"), 20) + "]"
		state := printable(or(s.state, "-"), 12)
		msg := printable(s.message, 0)
		rows = append(rows, row{fmt.Sprintf(" %-10s %-20s %-10s %s", printable(s.name, 10), icon, state, msg), styleNormal})
	}
	return rows
}

func dialerBody(st *state, p *phone) body {
	b := body{cursorRow: 1}
	if st.dialing != "" {
		b.cursorRow = -1
	}
	b.rows = []row{
		{"", styleNormal},
		{"  Number: " + printable(st.entry, 0), styleBold},
		{"", styleNormal},
	}
	if p.digitsSeen {
		b.rows = append(b.rows, row{"  (the keypad's digits show here as they are pressed)", styleNormal})
	}
	if live := p.liveCalls(); len(live) > 0 {
		b.rows = append(b.rows, row{fmt.Sprintf("  %d call(s) in progress: Esc with no number goes back to them.", len(live)), styleNormal})
	}
	b.keys = []string{
		"Type the number (digits, * #, or an address)   Enter call   Backspace delete",
		"Esc clear   Tab history/calls   " + st.quit,
	}
	return b
}

func chooserBody(st *state, p *phone) body {
	b := body{cursorRow: -1}
	b.rows = append(b.rows, row{}, row{fmt.Sprintf("  Several services can call %s. Choose a call type:", printable(st.chooseFor, 0)), styleBold}, row{})
	for i, t := range st.chooseTypes {
		icon, svc := "no icon", "-"
		if s := p.serviceOfCallType(t); s != nil {
			icon, svc = or(s.icon, icon), s.name
		}
		line := fmt.Sprintf("%s %d  %-14s [%s]  %s", marker(i == st.chooseSel), i+1, printable(t, 14),
			printable(icon, 20), printable(svc, 20))
		b.rows = append(b.rows, row{line, selStyle(i == st.chooseSel)})
	}
	b.keys = []string{"Up/Down or 1-9 choose   Enter call   Esc back to the dialer   " + st.quit}
	return b
}

func incomingBody(st *state, p *phone) body {
	b := body{cursorRow: -1}
	c := p.calls[st.ringing]
	if c == nil {
		return b
	}
	name := printable(c.name, telephony.MaxNameLen)
	if name == "" {
		name = "Unknown caller"
	}
	num := printable(c.number, telephony.MaxNumberLen)
	if num == "" {
		num = "(no number)"
	}
	b.rows = []row{
		{},
		{"  Incoming call", styleBold},
		{},
		{"      " + name, styleBold},
		{"      " + num, styleNormal},
		{fmt.Sprintf("      on %s (%s)", printable(c.service, 20), printable(c.callType, 20)), styleNormal},
	}
	if others := len(p.liveCalls()) - 1; others > 0 {
		b.rows = append(b.rows, row{}, row{fmt.Sprintf("  %d other call(s) in progress.", others), styleNormal})
	}
	b.keys = []string{"Enter answer   Esc reject   Tab all calls   " + st.quit}
	return b
}

func callsBody(st *state, p *phone, now time.Time) body {
	b := body{cursorRow: -1}
	b.rows = append(b.rows, row{}, row{"  Calls", styleBold})
	live := p.liveCalls()
	var sel *call
	for i, c := range live {
		mark := c.id == st.sel
		if mark {
			sel = c
		}
		state := stateWords(c.state)
		if d, ok := c.duration(now); ok {
			state += " " + clockDuration(d)
		}
		line := fmt.Sprintf("%s %d  %-18s %-34s %s", marker(mark), i+1, state, party(c), printable(c.callType, 14))
		b.rows = append(b.rows, row{line, selStyle(mark)})
	}
	if st.pending != "" && sel == nil {
		b.rows = append(b.rows, row{"  Placing the call…", styleNormal})
	}
	b.rows = append(b.rows, row{})
	switch {
	case sel != nil && st.transfer:
		b.rows = append(b.rows, row{fmt.Sprintf("  Transfer %s to: %s", party(sel), printable(st.target, 0)), styleBold})
		b.cursorRow = len(b.rows) - 1
		b.keys = []string{"Type the number to transfer to   Enter transfer   Esc cancel"}
		return b
	case sel != nil && st.pad:
		b.rows = append(b.rows, row{"  DTMF pad: tones sent " + st.padSent, styleBold})
		b.cursorRow = len(b.rows) - 1
		b.keys = []string{"0-9 * # A-D send a tone   Esc close the pad"}
		return b
	}
	b.keys = []string{
		"Enter answer  Esc hang up/reject  h hold/resume  s swap  d DTMF  t transfer",
		"Up/Down select   Tab dialer (new call)   " + st.quit,
	}
	return b
}

func historyBody(st *state, p *phone, now time.Time) body {
	b := body{cursorRow: -1}
	b.rows = append(b.rows, row{}, row{"  Call history, newest first", styleBold})
	h := p.history()
	if len(h) == 0 {
		b.rows = append(b.rows, row{"  No calls yet today.", styleNormal})
	}
	for i, c := range h {
		kind := "dialled"
		switch {
		case c.missed():
			kind = "missed"
		case c.direction == "incoming":
			kind = "received"
		}
		when := "-"
		if !c.start.IsZero() {
			t := c.start.In(now.Location())
			when = t.Format("15:04:05")
			if y, m, d := t.Date(); y != now.Year() || m != now.Month() || d != now.Day() {
				when = t.Format("Jan 02 15:04")
			}
		}
		dur := "-"
		if d, ok := c.duration(now); ok {
			dur = clockDuration(d)
		}
		mark := i == st.histSel
		line := fmt.Sprintf("%s %-8s %-26s %-8s %-7s %s", marker(mark), kind, party(c), when, dur, stateWords(c.state))
		b.rows = append(b.rows, row{line, selStyle(mark)})
	}
	if st.histSel < len(h) {
		c := h[st.histSel]
		detail := fmt.Sprintf("%s, %s on %s", party(c), or(printable(c.callType, 20), "-"), or(printable(c.service, 20), "-"))
		if c.reason != "" {
			detail += ": " + printable(c.reason, 0)
		}
		b.rows = append(b.rows, row{})
		for _, l := range wrap(detail, 76) {
			b.rows = append(b.rows, row{"  " + l, styleNormal})
		}
	}
	b.keys = []string{"Up/Down select   Enter call back   Tab dialer   " + st.quit}
	return b
}

func marker(on bool) string {
	if on {
		return ">"
	}
	return " "
}

func selStyle(on bool) rowStyle {
	if on {
		return styleReverse
	}
	return styleNormal
}

func or(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// clockDuration writes d as mm:ss, or h:mm:ss from an hour on.
func clockDuration(d time.Duration) string {
	s := int64(d / time.Second)
	if s >= 3600 {
		return fmt.Sprintf("%d:%02d:%02d", s/3600, s/60%60, s%60)
	}
	return fmt.Sprintf("%02d:%02d", s/60, s%60)
}

// fit pads or cuts s to exactly w runes.
func fit(s string, w int) string {
	n := utf8.RuneCountInString(s)
	if n == w {
		return s
	}
	if n < w {
		return s + strings.Repeat(" ", w-n)
	}
	return string([]rune(s)[:w])
}

// spread puts left at the start and right at the end of a w-wide row;
// right wins when both do not fit.
func spread(left, right string, w int) string {
	gap := w - utf8.RuneCountInString(left) - utf8.RuneCountInString(right)
	if gap < 1 {
		return fit(left, max(w-utf8.RuneCountInString(right), 0)) + right
	}
	return left + strings.Repeat(" ", gap) + right
}

// wrap breaks s into rows of at most w runes, at spaces where it can.
func wrap(s string, w int) []string {
	if w <= 0 {
		return nil
	}
	var out []string
	for _, para := range strings.Split(s, "\n") {
		line := ""
		for _, word := range strings.Fields(para) {
			for utf8.RuneCountInString(word) > w {
				if line != "" {
					out = append(out, line)
					line = ""
				}
				r := []rune(word)
				out = append(out, string(r[:w]))
				word = string(r[w:])
			}
			switch {
			case line == "":
				line = word
			case utf8.RuneCountInString(line)+1+utf8.RuneCountInString(word) <= w:
				line += " " + word
			default:
				out = append(out, line)
				line = word
			}
		}
		out = append(out, line)
	}
	return out
}
