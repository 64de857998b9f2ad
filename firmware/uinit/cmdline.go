package main

import (
	"os"
	"strings"
)

// boardParam is the kernel command line parameter that names the board
// (an SD-card image's boot script sets it; a test forces a board with it).
const boardParam = "ringo.board"

// cmdlineParam returns the value of key=value on a kernel command line,
// the last one if it is given twice (as the kernel reads its own), or ""
// when it is absent. The kernel hands init no dotted parameter, so uinit
// reads them from /proc/cmdline.
func cmdlineParam(cmdline, key string) string {
	v := ""
	for _, f := range strings.Fields(cmdline) {
		if val, ok := strings.CutPrefix(f, key+"="); ok {
			v = val
		}
	}
	return v
}

// cmdlineBoard is the board the kernel command line names, or "".
func cmdlineBoard() string {
	b, err := os.ReadFile("/proc/cmdline")
	if err != nil {
		return ""
	}
	return cmdlineParam(string(b), boardParam)
}

// quietLevel is the console log level after the banner: the kernel's
// errors and worse still reach the console; warnings (a USB device
// enumerating late, a module's notes) go to dmesg only, instead of
// landing on the shell's prompt.
const quietLevel = "4"

// consoleLevel says what console log level uinit sets after the banner:
// quietLevel, or "" (leave the kernel's) when the command line chose one
// itself (loglevel=, debug, quiet, ignore_loglevel).
func consoleLevel(cmdline string) string {
	for _, f := range strings.Fields(cmdline) {
		if strings.HasPrefix(f, "loglevel=") || f == "debug" || f == "quiet" || f == "ignore_loglevel" {
			return ""
		}
	}
	return quietLevel
}
