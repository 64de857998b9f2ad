package agent

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/command"
)

// TestMainExitCodes: the command line's outcomes and their exit codes,
// up to the point where the agent would dial the bus.
func TestMainExitCodes(t *testing.T) {
	runtime := t.TempDir() // no phoned here: no bus.sock
	for _, tc := range []struct {
		name       string
		args       []string
		code       int
		stdout     string // a substring; "" for nothing at all
		stderr     string
		restartSay bool // stderr tells the operator it will not be restarted
	}{
		{name: "help", args: []string{"-h"}, code: command.ExitOK, stdout: "usage: iaxagent [flags]"},
		{name: "help lists flags", args: []string{"-help"}, code: command.ExitOK, stdout: "-audio-source"},
		{name: "bad flag", args: []string{"-no-such-flag"}, code: command.ExitUsage, stderr: "flag provided but not defined: -no-such-flag"},
		{name: "bad value", args: []string{"-test-retry-min", "soon"}, code: command.ExitUsage, stderr: "-test-retry-min"},
		{name: "argument", args: []string{"extra"}, code: command.ExitUsage, stderr: `unexpected arguments ["extra"]`},
		{name: "bad log level", args: []string{"-log", "voip=loud"}, code: command.ExitDoNotRestart, stderr: `-log "voip=loud"`, restartSay: true},
		{name: "unknown audio backend", args: []string{"-audio-source", "alsa:hw0", "-audio-sink", "null"}, code: command.ExitDoNotRestart,
			stderr: `-audio-source "alsa:hw0": no audio backend "alsa" in this build; want one of null, pulse, wav`, restartSay: true},
		{name: "audio device without backend", args: []string{"-audio-source", "null", "-audio-sink", ":x"}, code: command.ExitDoNotRestart,
			stderr: `-audio-sink ":x"`, restartSay: true},
		{name: "no bus", args: []string{"-runtime", runtime, "-audio-source", "null", "-audio-sink", "null"}, code: command.ExitFailure,
			stderr: "phoned is not running"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			var stdout, stderr bytes.Buffer
			env := command.Env{Stdin: strings.NewReader(""), Stdout: &stdout, Stderr: &stderr,
				Getenv: func(string) string { return "" }}
			code := Main(ctx, tc.args, env)
			if code != tc.code {
				t.Errorf("Main(%q) = %d, want %d; stderr:\n%s", tc.args, code, tc.code, stderr.String())
			}
			if tc.stdout == "" && stdout.Len() > 0 {
				t.Errorf("Main(%q) wrote to stdout:\n%s", tc.args, stdout.String())
			}
			if !strings.Contains(stdout.String(), tc.stdout) {
				t.Errorf("Main(%q) stdout lacks %q:\n%s", tc.args, tc.stdout, stdout.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("Main(%q) stderr lacks %q:\n%s", tc.args, tc.stderr, stderr.String())
			}
			if say := strings.Contains(stderr.String(), "do not restart until the service's command line is fixed"); say != tc.restartSay {
				t.Errorf("Main(%q) stderr says do-not-restart: %v, want %v:\n%s", tc.args, say, tc.restartSay, stderr.String())
			}
		})
	}
}
