// Package tty sets a terminal's line discipline the way a console user
// expects it, and opens pseudo-terminals.
//
// A serial console is "cooked" when the kernel echoes what is typed, hands
// programs whole lines (canonical input, with erase and kill), turns the
// CR that Enter sends into NL, turns NL into CR NL on output, and sends
// SIGINT and SIGQUIT for ^C and ^\ to the foreground programs. A program
// that puts the terminal in raw mode and dies, or a line editor that keeps
// it raw, leaves every later program without those; Sane puts them back.
// uinit makes the console sane before it starts the shell, and the console
// shell restores the mode after every command.
package tty
