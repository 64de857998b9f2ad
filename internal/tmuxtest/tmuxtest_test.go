package tmuxtest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

// The pane is the size asked for, what is typed reaches the program, and
// Wait sees what it prints.
func TestTerm(t *testing.T) {
	dir := t.TempDir()
	tm := Start(t, 40, 10, dir, "stty size; pwd; cat")
	s := tm.Wait(10*time.Second, `(?m)^10 40$`, "(?m)^"+regexp.QuoteMeta(dir)+"$")
	if rows := strings.Count(s, "\n"); rows != 10 {
		t.Errorf("the screen has %d rows, want 10:\n%s", rows, s)
	}
	tm.Type("typed line")
	tm.Keys("Enter")
	// The tty's echo, then cat's copy.
	tm.Wait(10*time.Second, `(?m)^typed line\ntyped line$`)
}
