package ttytest

import (
	"os/exec"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/testenv"
)

// cat on a terminal: the kernel echoes the typed line, cat prints it once
// Enter ends the line, and ^D at the start of a line ends cat.
func TestCatOnATerminal(t *testing.T) {
	cat := testenv.RequireTool(t, "cat")
	tm := Start(t, exec.Command(cat))
	tm.Type("hi" + Enter)
	if got := tm.Expect("hi\r\nhi\r\n", 10*time.Second); got != "" {
		t.Errorf("before the echo and cat's copy the terminal showed %q", got)
	}
	tm.Type(CtrlD)
	if err := tm.Wait(10 * time.Second); err != nil {
		t.Errorf("cat after ^D: %v, want a clean exit", err)
	}
}

// ^C sends SIGINT to the program, which the terminal runs in the
// foreground.
func TestCtrlCInterrupts(t *testing.T) {
	sleep := testenv.RequireTool(t, "sleep")
	tm := Start(t, exec.Command(sleep, "60"))
	tm.Type(CtrlC)
	err := tm.Wait(10 * time.Second)
	if ee, ok := err.(*exec.ExitError); !ok || ee.String() != "signal: interrupt" {
		t.Errorf("sleep after ^C: %v, want signal: interrupt", err)
	}
}

func TestPrintable(t *testing.T) {
	if got, want := Printable("a\r\nb\x03\x04\tc"), "a\nb^C^D\tc"; got != want {
		t.Errorf("Printable = %q, want %q", got, want)
	}
}
