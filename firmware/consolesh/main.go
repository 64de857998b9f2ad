// Command consolesh is the serial console's shell: u-root's shell
// language (mvdan.cc/sh, as in gosh) on a terminal that stays cooked, so
// the programs it runs see echo, whole lines, Enter and ^D as on any
// Linux console, and ^C interrupts the running command, not the shell.
// uinit runs it on the console and starts it again when it exits. See
// docs/console.md.
//
//	consolesh              interactive on a terminal, else reads a script from stdin
//	consolesh -c 'CMDS'    runs CMDS
//	consolesh FILE [ARGS]  runs the script FILE
package main

import (
	"github.com/ringo-phone/ringo/firmware/consolesh/shell"
	"github.com/ringo-phone/ringo/internal/command"
)

// No os.Interrupt: ^C is for the command the shell runs, not the shell.
func main() { command.Main(shell.Main) }
