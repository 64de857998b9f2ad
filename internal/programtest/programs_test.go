package programtest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ringo-phone/ringo/internal/proctest"
)

// known are the programs the house has, and whether each has subcommands
// (and so a "help" command). A program found that is not listed here is
// checked too, as one without subcommands.
var known = map[string]bool{
	"firmware/phoned":           false,
	"firmware/iaxagent":         false,
	"firmware/phonectl":         true,
	"firmware/vsexplorer":       true,
	"firmware/iaxsettings":      true,
	"firmware/hwcheck":          true,
	"firmware/uinit":            false,
	"tools/iaxcli":              true,
	"tools/iaxpbx":              false,
	"tools/qemu/cmd/ringo-boot": false,
}

const module = "github.com/ringo-phone/ringo"

// runLimit bounds one run; every run here ends before doing any work.
const runLimit = 30 * time.Second

var (
	bin      string
	programs []string // module-relative package paths of every program
)

func TestMain(m *testing.M) {
	var err error
	if programs, err = findPrograms(); err == nil {
		var pkgs []string
		for _, p := range programs {
			pkgs = append(pkgs, module+"/"+p)
		}
		bin, err = proctest.Build(pkgs...)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(bin)
	os.Exit(code)
}

// findPrograms lists the module's main packages, leaving out test helpers
// (main packages under an internal/ folder).
func findPrograms() ([]string, error) {
	out, err := exec.Command("go", "list", "-f", `{{if eq .Name "main"}}{{.ImportPath}}{{end}}`, module+"/...").Output()
	if err != nil {
		return nil, fmt.Errorf("go list: %w", err)
	}
	var progs []string
	for _, l := range strings.Fields(string(out)) {
		p := strings.TrimPrefix(l, module+"/")
		if strings.Contains("/"+p, "/internal/") {
			continue
		}
		progs = append(progs, p)
	}
	return progs, nil
}

// Every program the house names is still found (a moved one would
// otherwise drop out of the check unnoticed).
func TestKnownProgramsAreFound(t *testing.T) {
	for p := range known {
		if !slices.Contains(programs, p) {
			t.Errorf("program %s is not among the main packages found: %q", p, programs)
		}
	}
}

type result struct {
	code           int
	stdout, stderr string
}

// run runs a program with the phone's directories pointing at empty
// temporary ones, so that nothing it might do reaches the host's.
func run(t *testing.T, name string, args ...string) result {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), runLimit)
	defer cancel()
	cmd := exec.CommandContext(ctx, filepath.Join(bin, name), args...)
	cmd.Env = append(os.Environ(), "RINGO_CONFIG="+t.TempDir(), "RINGO_RUNTIME="+t.TempDir())
	cmd.Stdin = strings.NewReader("")
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	var ee *exec.ExitError
	code := 0
	switch {
	case errors.As(err, &ee):
		code = ee.ExitCode()
	case err != nil:
		t.Fatalf("%s %q: %v", name, args, err)
	}
	if ctx.Err() != nil {
		t.Fatalf("%s %q still ran after %v: it should have stopped at its command line", name, args, runLimit)
	}
	return result{code, out.String(), errb.String()}
}

func TestEveryProgramHasTheShape(t *testing.T) {
	for _, p := range programs {
		name := filepath.Base(p)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			help := [][]string{{"-h"}, {"-help"}}
			if known[p] {
				help = append(help, []string{"help"})
			}
			for _, args := range help {
				r := run(t, name, args...)
				if r.code != 0 {
					t.Errorf("%s %s exits %d, want 0 (stderr %q)", name, args[0], r.code, r.stderr)
				}
				if !strings.Contains(strings.ToLower(r.stdout), "usage") || !strings.Contains(r.stdout, "-") {
					t.Errorf("%s %s printed %q on standard output, want the usage", name, args[0], r.stdout)
				}
				if r.stderr != "" {
					t.Errorf("%s %s printed %q on standard error, want nothing", name, args[0], r.stderr)
				}
			}

			r := run(t, name, "-no-such-flag")
			if r.code != 2 {
				t.Errorf("%s -no-such-flag exits %d, want 2 (stderr %q)", name, r.code, r.stderr)
			}
			first, _, _ := strings.Cut(r.stderr, "\n")
			if !strings.HasPrefix(first, name+": ") || !strings.Contains(first, "-no-such-flag") {
				t.Errorf("%s -no-such-flag: first line on standard error is %q, want %q naming the flag", name, first, name+": ...")
			}
			if strings.HasPrefix(first, name+": "+name+":") {
				t.Errorf("%s -no-such-flag: the program's name is said twice: %q", name, first)
			}
			if r.stdout != "" {
				t.Errorf("%s -no-such-flag printed %q on standard output, want nothing", name, r.stdout)
			}
		})
	}
}
