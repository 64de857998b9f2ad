// Package flightmode reads a handset's flight-mode switch: a two-position
// switch on a GPIO input, or, on boards without one, a software switch
// that phoned sets (phonectl flight on|off, a long key press). Both are a
// Switch: its position, read at open, and typed events (On or Off, with
// the time the position settled) on a channel, until Close.
//
// The GPIO switch watches both edges of its line (a gpioline.Input, at
// the board's active level) and debounces in software on an injected
// Clock: every edge restarts a timer of the board's debounce time
// (DefaultDebounce, 20 ms, unless the board says otherwise), and when the
// timer runs out the line is read; an event is sent only if that
// position differs from the last one. So bounces that end where they
// began send nothing, a clean pulse shorter than the debounce time sends
// nothing, and bounces that end in the other position send one event,
// the debounce time after the last edge. The kernel's debounce attribute
// is not used: periph never applies it.
//
// The driver knows no telephony: phoned turns the events into
// /Hardware/FlightMode and the effective flight mode. Package
// flightmodetest holds a fake Switch for other packages' tests.
package flightmode
