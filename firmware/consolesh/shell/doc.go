// Package shell is the console shell's logic (command consolesh).
//
// It runs the shell language of u-root's gosh (the mvdan.cc/sh
// interpreter) and differs from gosh where a serial console needs it:
// gosh's line editor keeps the terminal raw while the commands it starts
// run, and on a serial line, whose width the kernel reports as 0, it
// falls back to reading lines in the kernel's cooked mode anyway. This
// shell reads its lines in cooked mode (the kernel's editing keys: erase,
// ^U, ^W), runs every command on that cooked terminal, and restores the
// mode after each, whatever the command did to it. ^C at the prompt
// discards the line; ^C while a command runs interrupts that command (the
// kernel sends it SIGINT) and ends the rest of the line, as in other
// shells; the shell itself stays. A failed command's exit code shows in
// the next prompt, "[exit N] # ", instead of an extra error line.
//
// Commands run in the shell's own process group (there is no job
// control: no ^Z, fg or bg); uinit made the shell a session leader with
// the console as its controlling terminal.
package shell
