package proctest

import (
	"regexp"
	"strings"
	"testing"
	"time"
)

func TestStartWaitLineAndExit(t *testing.T) {
	p := Start(t, "/bin/sh", []string{"GREETING=hello"}, "-c", `echo "$GREETING one"; echo two 1>&2; echo "n=1"; echo "n=2"; exit 3`)
	if m := p.WaitLine(`^(\w+) one$`, 5*time.Second); m[1] != "hello" {
		t.Errorf("WaitLine = %q", m)
	}
	p.WaitCount(`^n=\d$`, 2, 5*time.Second)
	err := p.Wait(5 * time.Second)
	if err == nil || !strings.Contains(err.Error(), "exit status 3") {
		t.Errorf("Wait = %v, want exit status 3", err)
	}
	if got := strings.Join(p.Matching(`^n=`), ","); got != "n=1,n=2" {
		t.Errorf("Matching = %q", got)
	}
	if !strings.Contains(p.Output(), "two") {
		t.Errorf("standard error not kept: %q", p.Output())
	}
	if _, err := p.waitLine(mustRx(`never`), 0, time.Second); err == nil || !strings.Contains(err.Error(), "exited without") {
		t.Errorf("waiting on an exited program = %v", err)
	}
}

func mustRx(s string) *regexp.Regexp { return regexp.MustCompile(s) }
