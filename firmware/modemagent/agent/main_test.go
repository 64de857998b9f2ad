package agent

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
)

func TestMainCommandLine(t *testing.T) {
	for _, tc := range []struct {
		args []string
		code int
		say  string
	}{
		{[]string{"-h"}, 0, ""},
		{[]string{}, command.ExitDoNotRestart, "give -port PATH"},
		{[]string{"-port", "/dev/ttyUSB2", "-log", "loud"}, command.ExitDoNotRestart, `-log "loud"`},
		{[]string{"-port", "/dev/ttyUSB2", "extra"}, command.ExitUsage, "takes flags only"},
		{[]string{"-no-such-flag"}, command.ExitUsage, "-no-such-flag"},
	} {
		var out, errb bytes.Buffer
		env := command.Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}
		code := Main(context.Background(), tc.args, env)
		if code != tc.code || !strings.Contains(errb.String(), tc.say) {
			t.Errorf("modemagent %q = %d, stderr %q; want %d saying %q", tc.args, code, errb.String(), tc.code, tc.say)
		}
		if tc.code == 0 && !strings.Contains(out.String(), "usage: modemagent -port PATH") {
			t.Errorf("-h printed %q", out.String())
		}
	}
}
