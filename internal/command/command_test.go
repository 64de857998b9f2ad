package command

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"strings"
	"testing"
)

func testEnv() (Env, *bytes.Buffer, *bytes.Buffer) {
	var out, errb bytes.Buffer
	return Env{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errb, Getenv: func(string) string { return "" }}, &out, &errb
}

func TestParse(t *testing.T) {
	for _, tc := range []struct {
		args           []string
		code           int
		ok             bool
		stdout, stderr string
	}{
		{args: nil, code: 0, ok: true},
		{args: []string{"-v"}, code: 0, ok: true},
		{args: []string{"-h"}, code: ExitOK, ok: false, stdout: "-v"},
		{args: []string{"-help"}, code: ExitOK, ok: false, stdout: "-v"},
		{args: []string{"-nope"}, code: ExitUsage, ok: false, stderr: "prog: flag provided but not defined: -nope"},
	} {
		env, out, errb := testEnv()
		fs := flag.NewFlagSet("prog", flag.ContinueOnError)
		fs.Bool("v", false, "verbose")
		code, ok := Parse(fs, tc.args, env)
		if code != tc.code || ok != tc.ok {
			t.Errorf("Parse(%q) = %d, %v, want %d, %v", tc.args, code, ok, tc.code, tc.ok)
		}
		if !strings.Contains(out.String(), tc.stdout) || (tc.stdout == "" && out.Len() > 0) {
			t.Errorf("Parse(%q) stdout = %q, want it to hold %q", tc.args, out, tc.stdout)
		}
		if !strings.Contains(errb.String(), tc.stderr) || (tc.stderr == "" && errb.Len() > 0) {
			t.Errorf("Parse(%q) stderr = %q, want it to hold %q", tc.args, errb, tc.stderr)
		}
	}
}

func TestExit(t *testing.T) {
	for _, tc := range []struct {
		err    error
		code   int
		stderr string
	}{
		{nil, ExitOK, ""},
		{errors.New("boom"), ExitFailure, "p: boom\n"},
		{fmt.Errorf("%w: no such command", ErrUsage), ExitUsage, "p: usage: no such command\n"},
		{fmt.Errorf("bad config: %w", ErrDoNotRestart), ExitDoNotRestart, "p: bad config: do not restart\n"},
		{errors.New("first\nsecond"), ExitFailure, "p: first\nsecond\n"},
		{ExitError{Code: 3}, 3, ""},
		{ExitError{Code: 4, Err: errors.New("choice needed")}, 4, "p: choice needed\n"},
	} {
		env, _, errb := testEnv()
		if got := Exit(env, "p", tc.err); got != tc.code || errb.String() != tc.stderr {
			t.Errorf("Exit(%v) = %d, %q, want %d, %q", tc.err, got, errb, tc.code, tc.stderr)
		}
	}
}
