package shell

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ringo-phone/ringo/internal/command"
)

func runMain(t *testing.T, stdin string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	env := command.Env{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errb, Getenv: os.Getenv}
	code = Main(context.Background(), args, env)
	return code, out.String(), errb.String()
}

func TestNotInteractive(t *testing.T) {
	script := filepath.Join(t.TempDir(), "s.sh")
	if err := os.WriteFile(script, []byte("echo \"$1-$2\"\nexit 4\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		out, err string
	}{
		{"-c", "", []string{"-c", "echo one; echo two"}, 0, "one\ntwo\n", ""},
		{"-c exit code", "", []string{"-c", "false"}, 1, "", ""},
		{"-c exit N", "", []string{"-c", "exit 7"}, 7, "", ""},
		{"script with args", "", []string{script, "a", "b"}, 4, "a-b\n", ""},
		{"stdin script", "echo from stdin\n", nil, 0, "from stdin\n", ""},
		{"syntax error", "", []string{"-c", "echo ("}, 1, "", "consolesh: "},
		{"missing script", "", []string{filepath.Join(t.TempDir(), "none")}, 1, "", "no such file"},
		{"help", "", []string{"-h"}, 0, "usage: consolesh", ""},
		{"bad flag", "", []string{"-x"}, 2, "", "flag provided but not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, out, errs := runMain(t, tt.stdin, tt.args...)
			if code != tt.code {
				t.Errorf("Main(%q) = %d, want %d (stderr %q)", tt.args, code, tt.code, errs)
			}
			if tt.out != "" && !strings.Contains(out, tt.out) || tt.out == "" && out != "" {
				t.Errorf("Main(%q) stdout = %q, want %q", tt.args, out, tt.out)
			}
			if tt.err != "" && !strings.Contains(errs, tt.err) || tt.err == "" && errs != "" {
				t.Errorf("Main(%q) stderr = %q, want %q", tt.args, errs, tt.err)
			}
		})
	}
}

func TestMainPrompt(t *testing.T) {
	for code, want := range map[int]string{0: "# ", 1: "[exit 1] # ", 130: "[exit 130] # "} {
		if got := mainPrompt(code); got != want {
			t.Errorf("mainPrompt(%d) = %q, want %q", code, got, want)
		}
	}
}
